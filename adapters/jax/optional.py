"""JAX's optional companion packages: whether they import (without importing JAX itself)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def flax_error() -> str | None:
    """Why flax.linen does not import, in its own words, or None. A flax built for a newer
    jax fails with an AttributeError from inside jax, not an ImportError."""
    try:
        import flax.linen  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any failure to import is the reason
        from importlib import metadata

        try:
            version = f"flax {metadata.version('flax')}"
        except metadata.PackageNotFoundError:
            return f"{type(exc).__name__}: {exc}"
        return f"{version} does not import here ({type(exc).__name__}: {str(exc)[:200]})"
    return None


def has_flax() -> bool:
    """Whether flax.linen imports (the ``flax`` extra): JAX's layers (dropout, batch norm,
    multi-head attention) come from there."""
    return flax_error() is None


def no_flax(what: str) -> str:
    """The skip reason for a module that needs flax: ``what`` and flax's own error."""
    return f"{what}; the flax extra is not usable: {flax_error()}"
