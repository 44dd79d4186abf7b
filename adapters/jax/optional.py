"""JAX's optional companion packages: whether they import (without importing JAX itself)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def has_flax() -> bool:
    """Whether flax.linen imports (the ``flax`` extra): JAX's layers (dropout, batch norm,
    multi-head attention) come from there."""
    try:
        import flax.linen  # noqa: F401
    except ImportError:
        return False
    return True
