"""JAX runtime state: default matmul precision, determinism, devices and versions."""

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


def info(jax) -> dict:
    import jaxlib

    out = {"version": jax.__version__, "jaxlib": jaxlib.__version__,
           "backend": jax.default_backend(),
           "devices": [f"{d.platform}:{d.device_kind}" for d in jax.devices()]}
    return out


def restore_precision(jax, flags: dict) -> None:
    value = flags["jax_default_matmul_precision"]
    jax.config.update("jax_default_matmul_precision", None if value == "None" else value)
