"""Defaults of the installed JAX (and flax, when installed), read from their signatures."""

from __future__ import annotations

from ..common import signature_default as _default


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
