"""Layer, instance and group normalisation: BN's formulas over other sets (derived).

Source: 001_9eba1572aa0cb554.txt, section 'Normalization', which describes them as variants
of BN without formulas: "LN works in the same way as BN, except that it now estimates the
true mean and variance of distributions through per-layer statistics (the activations)
instead of per-minibatch." (2nd paragraph); "IN uses per-channel statistics, thus removing
the cross-channel information in LN; GN seeks the middle ground between IN and LN by using
statistics from a group of multiple channels." (3rd paragraph); "Since most of the commonly
used normalization methods are variants of Batch Normalization, here its modular formulation
is included" (4th paragraph). Papers: Ba et al. (LN, 001 ref. 27), Ulyanov et al. (IN, 28),
Wu & He (GN, 29). Not in 000.

Derived forward: the BN forward-pass of 000/001 section 'BN' (biased variance, ε inside the
root) with the batch replaced by the normalised set S below; y = γ·x̂ + β. Derived backward
(``references._standardize``): dL/dx = r·(ĝ − mean_S ĝ − x̂·mean_S(ĝ x̂)) with ĝ = γ·dL/dy
and r = (σ_S² + ε)^(−1/2) — BN's backward-pass with M = |S|; dL/dγ = Σ dL/dy·x̂ and
dL/dβ = Σ dL/dy over every position that shares the parameter. ``eps`` has no default here.
"""

from __future__ import annotations

import operator

import numpy as np

from ._standardize import (as_f64, check_channels, check_cotangent, standardize,
                           standardize_vjp)

__all__ = ["layer_norm", "instance_norm", "group_norm"]


def _layer_axes(x, gamma, beta):
    k = gamma.ndim
    if k < 1 or gamma.shape != beta.shape or x.shape[x.ndim - k:] != gamma.shape or x.ndim <= k:
        raise ValueError(f"layer_norm: gamma/beta {gamma.shape}/{beta.shape} must be the trailing "
                         f"shape of x {x.shape} (after at least one batch axis)")
    return tuple(range(x.ndim - k, x.ndim))


def layer_norm(x, gamma, beta, *, eps):
    """y = γ ⊙ (x − μ)/√(σ² + ε) + β, μ and σ² over the trailing axes that γ spans.

    Derived from 001 section 'Normalization' (LN: "per-layer statistics"; see module
    docstring) and the BN forward-pass of 000/001. S = the last k = γ.ndim axes of one
    sample (k = 1: the feature axis of a (N, T, D) sequence); γ, β are elementwise over S.
    """
    x, gamma, beta = as_f64(x, gamma, beta)
    x_hat, _, _ = standardize(x, _layer_axes(x, gamma, beta), eps)
    return gamma * x_hat + beta


def layer_norm_vjp(cotangent, x, gamma, beta, *, eps):
    """dL/dx = r·(ĝ − mean_S ĝ − x̂·mean_S(ĝ x̂)), ĝ = γ ⊙ dL/dy; dL/dγ = Σ_batch dL/dy ⊙ x̂;
    dL/dβ = Σ_batch dL/dy (sums over the leading axes). Derived (module docstring)."""
    x, gamma, beta = as_f64(x, gamma, beta)
    axes = _layer_axes(x, gamma, beta)
    g = check_cotangent(cotangent, x.shape)
    x_hat, r, _ = standardize(x, axes, eps)
    lead = tuple(range(x.ndim - gamma.ndim))
    return (standardize_vjp(g * gamma, x_hat, r, axes),
            np.sum(g * x_hat, axis=lead), np.sum(g, axis=lead))


def _channel(v, ndim):
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def instance_norm(x, gamma, beta, *, eps):
    """y_{n,c} = γ_c (x_{n,c} − μ_{n,c})/√(σ_{n,c}² + ε) + β_c over the spatial axes.

    Derived from 001 section 'Normalization' (IN: "per-channel statistics"); x is
    (N, C, *spatial), S = the spatial positions of one sample and channel; γ, β per channel.
    """
    x, gamma, beta = as_f64(x, gamma, beta)
    check_channels(x, gamma, beta)
    x_hat, _, _ = standardize(x, tuple(range(2, x.ndim)), eps)
    return _channel(gamma, x.ndim) * x_hat + _channel(beta, x.ndim)


def instance_norm_vjp(cotangent, x, gamma, beta, *, eps):
    """dL/dx = r·(ĝ − mean_S ĝ − x̂·mean_S(ĝ x̂)), ĝ = γ_c dL/dy; dL/dγ_c = Σ_{n,S} dL/dy·x̂;
    dL/dβ_c = Σ_{n,S} dL/dy. Derived (module docstring)."""
    x, gamma, beta = as_f64(x, gamma, beta)
    check_channels(x, gamma, beta)
    g = check_cotangent(cotangent, x.shape)
    axes = tuple(range(2, x.ndim))
    x_hat, r, _ = standardize(x, axes, eps)
    outer = (0, *axes)
    return (standardize_vjp(g * _channel(gamma, x.ndim), x_hat, r, axes),
            np.sum(g * x_hat, axis=outer), np.sum(g, axis=outer))


def _grouped(x, groups):
    try:
        if isinstance(groups, (bool, np.bool_)):
            raise TypeError
        groups = operator.index(groups)
    except TypeError:
        raise ValueError(f"groups must be an int, got {groups!r}") from None
    if groups < 1 or x.shape[1] % groups:
        raise ValueError(f"groups={groups} must be >= 1 and divide the {x.shape[1]} channels")
    xg = x.reshape((x.shape[0], groups, x.shape[1] // groups) + x.shape[2:])
    return xg, tuple(range(2, xg.ndim))


def group_norm(x, gamma, beta, *, groups, eps):
    """y_{n,c} = γ_c (x_{n,c} − μ_{n,G(c)})/√(σ_{n,G(c)}² + ε) + β_c, G(c) = c // (C/groups).

    Derived from 001 section 'Normalization' (GN: "statistics from a group of multiple
    channels"); x is (N, C, *spatial); S = the C/groups channels of one group and all their
    spatial positions, per sample; γ, β per channel. groups = 1 normalises each sample over
    (C, *spatial) (LN over a feature map); groups = C is IN.
    """
    x, gamma, beta = as_f64(x, gamma, beta)
    check_channels(x, gamma, beta)
    xg, axes = _grouped(x, groups)
    x_hat = standardize(xg, axes, eps)[0].reshape(x.shape)
    return _channel(gamma, x.ndim) * x_hat + _channel(beta, x.ndim)


def group_norm_vjp(cotangent, x, gamma, beta, *, groups, eps):
    """dL/dx = r·(ĝ − mean_S ĝ − x̂·mean_S(ĝ x̂)) per group, ĝ = γ_c dL/dy (γ varies within a
    group); dL/dγ_c = Σ_{n,spatial} dL/dy·x̂; dL/dβ_c = Σ_{n,spatial} dL/dy. Derived."""
    x, gamma, beta = as_f64(x, gamma, beta)
    check_channels(x, gamma, beta)
    g = check_cotangent(cotangent, x.shape)
    xg, axes = _grouped(x, groups)
    x_hat, r, _ = standardize(xg, axes, eps)
    g_hat = (g * _channel(gamma, x.ndim)).reshape(xg.shape)
    dx = standardize_vjp(g_hat, x_hat, r, axes).reshape(x.shape)
    x_hat = x_hat.reshape(x.shape)
    outer = (0, *range(2, x.ndim))
    return dx, np.sum(g * x_hat, axis=outer), np.sum(g, axis=outer)
