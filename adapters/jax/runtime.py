"""JAX runtime state: default matmul precision and determinism; the one reader of each flag."""

from __future__ import annotations

import os


def precision_flags(jax) -> dict:
    return {"jax_default_matmul_precision": str(jax.config.jax_default_matmul_precision)}


def tf32_active(jax, device: str) -> bool:
    if device != "gpu":
        return False
    try:
        jax.devices("gpu")
    except RuntimeError:
        return False
    return jax.config.jax_default_matmul_precision in (None, "default", "bfloat16", "tensorfloat32")


def set_precision(jax, mode: str) -> None:
    if mode == "highest":
        jax.config.update("jax_default_matmul_precision", "highest")


def set_deterministic(jax, on: bool) -> str:
    flags = os.environ.get("XLA_FLAGS", "")
    active = "--xla_gpu_deterministic_ops=true" in flags
    return (f"XLA_FLAGS {'has' if active else 'lacks'} --xla_gpu_deterministic_ops=true "
            "(set before the process starts; JAX cannot switch it at run time)")


def flags(jax) -> dict:
    """Every precision flag (and x64), for the environment block and the benchmarks;
    determinism is an XLA_FLAGS setting, read by ``set_deterministic``."""
    return {**precision_flags(jax), "jax_enable_x64": bool(jax.config.jax_enable_x64)}


def restore_precision(jax, flags: dict) -> None:
    value = flags["jax_default_matmul_precision"]
    jax.config.update("jax_default_matmul_precision", None if value == "None" else value)
