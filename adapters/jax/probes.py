"""Defaults of the installed JAX (and flax, when installed), read from their signatures."""

from __future__ import annotations

import inspect


def _default(fn, name):
    """The default of parameter ``name`` of ``fn``; a note when it cannot be read."""
    try:
        value = inspect.signature(fn).parameters[name].default
    except (ValueError, TypeError, KeyError) as exc:
        return f"unreadable ({type(exc).__name__})"
    return "required" if value is inspect.Parameter.empty else value


def defaults(jax) -> dict:
    out = {
        "leaky_relu.negative_slope": _default(jax.nn.leaky_relu, "negative_slope"),
        "elu.alpha": _default(jax.nn.elu, "alpha"),
        "gelu.approximate": _default(jax.nn.gelu, "approximate"),
    }
    try:
        import flax.linen as nn
    except ImportError:
        return out
    out.update({"batch_norm.eps": _default(nn.BatchNorm, "epsilon"),
                "batch_norm.momentum": _default(nn.BatchNorm, "momentum"),
                "layer_norm.eps": _default(nn.LayerNorm, "epsilon"),
                "group_norm.eps": _default(nn.GroupNorm, "epsilon")})
    return out
