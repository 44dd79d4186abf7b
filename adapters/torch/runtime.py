"""torch runtime state: precision (TF32) flags and determinism; the one reader of each flag."""

from __future__ import annotations


def precision_flags(torch) -> dict:
    return {"torch.backends.cuda.matmul.allow_tf32": bool(torch.backends.cuda.matmul.allow_tf32),
            "torch.backends.cudnn.allow_tf32": bool(torch.backends.cudnn.allow_tf32),
            "float32_matmul_precision": torch.get_float32_matmul_precision()}


def tf32_active(torch, device: str) -> bool:
    """Whether float32 matmuls/convolutions may run in TF32 here (GPU with the flags on)."""
    if device != "gpu" or not torch.cuda.is_available():
        return False
    return bool(torch.backends.cuda.matmul.allow_tf32 or torch.backends.cudnn.allow_tf32)


def set_precision(torch, mode: str) -> None:
    if mode == "highest":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.set_float32_matmul_precision("highest")


def set_deterministic(torch, on: bool) -> str:
    torch.use_deterministic_algorithms(on, warn_only=True)
    torch.backends.cudnn.deterministic = on
    torch.backends.cudnn.benchmark = False if on else torch.backends.cudnn.benchmark
    return f"torch.use_deterministic_algorithms({on}), cudnn.deterministic={on}"


def flags(torch) -> dict:
    """Every precision and determinism flag, for the environment block and the benchmarks."""
    return {**precision_flags(torch),
            "deterministic_algorithms": bool(torch.are_deterministic_algorithms_enabled())}


def restore_precision(torch, flags: dict) -> None:
    torch.backends.cuda.matmul.allow_tf32 = flags["torch.backends.cuda.matmul.allow_tf32"]
    torch.backends.cudnn.allow_tf32 = flags["torch.backends.cudnn.allow_tf32"]
    torch.set_float32_matmul_precision(flags["float32_matmul_precision"])
