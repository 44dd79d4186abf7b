"""TensorFlow runtime state: TF32 and determinism; the one reader of each flag."""

from __future__ import annotations


def precision_flags(tf) -> dict:
    return {"tensor_float_32_execution": bool(tf.config.experimental.tensor_float_32_execution_enabled())}


def tf32_active(tf, device: str) -> bool:
    return (device == "gpu" and bool(tf.config.list_physical_devices("GPU"))
            and bool(tf.config.experimental.tensor_float_32_execution_enabled()))


def set_precision(tf, mode: str) -> None:
    if mode == "highest":
        tf.config.experimental.enable_tensor_float_32_execution(False)


def set_deterministic(tf, on: bool) -> str:
    if on:
        tf.config.experimental.enable_op_determinism()
        return "tf.config.experimental.enable_op_determinism()"
    return "op determinism not requested (TF cannot switch it off once on)"


def flags(tf) -> dict:
    """Every precision and determinism flag, for the environment block and the benchmarks."""
    out = precision_flags(tf)
    exp = tf.config.experimental
    if hasattr(exp, "is_op_determinism_enabled"):
        out["op_determinism"] = bool(exp.is_op_determinism_enabled())
    return out


def restore_precision(tf, flags: dict) -> None:
    tf.config.experimental.enable_tensor_float_32_execution(flags["tensor_float_32_execution"])
