"""Defaults of the installed torch, read from its signatures (never hard-coded)."""

from __future__ import annotations

from ..common import signature_default as _default


def defaults(torch) -> dict:
    F, nn = torch.nn.functional, torch.nn
    return {
        "leaky_relu.negative_slope": _default(F.leaky_relu, "negative_slope"),
        "elu.alpha": _default(F.elu, "alpha"),
        "softplus.beta": _default(nn.Softplus, "beta"),
        "softplus.threshold": _default(nn.Softplus, "threshold"),
        "gelu.approximate": _default(nn.GELU, "approximate"),
        "batch_norm.eps": _default(nn.BatchNorm2d, "eps"),
        "batch_norm.momentum": _default(nn.BatchNorm2d, "momentum"),
        "layer_norm.eps": _default(nn.LayerNorm, "eps"),
        "group_norm.eps": _default(nn.GroupNorm, "eps"),
        "avg_pool2d.count_include_pad": _default(nn.AvgPool2d, "count_include_pad"),
    }
