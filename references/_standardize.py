"""Standardisation over a set of axes, forward and backward (a helper of the normalisation
references; the leading underscore keeps it out of ``REFERENCES``).

Forward, over the normalised set S of M elements (the axes ``axes``):
    μ = 1/M Σ_S x,  σ² = 1/M Σ_S (x − μ)²  (biased),  r = (σ² + ε)^(−1/2),  x̂ = (x − μ)·r.
Backward, given ĝ = dL/dx̂ (derived; it is the BN backward-pass of 000/001 section 'BN'
with the three steps substituted into each other, see ``references.batch_norm``):
    dL/dx = r·(ĝ − mean_S(ĝ) − x̂·mean_S(ĝ·x̂)).
Derivation: ∂x̂_m/∂x_k = r(δ_mk − 1/M) − (x_m − μ)·r³·(x_k − μ)/M, and r²(x_m − μ)(x_k − μ)
= x̂_m x̂_k. ε enters only through r, so the formula holds for every ε ≥ 0.
"""

from __future__ import annotations

import numpy as np


def standardize(x: np.ndarray, axes: tuple[int, ...], eps: float):
    """(x̂, r, M): the standardised x and r = 1/√(σ² + ε) (kept dims) over ``axes``."""
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps!r}")
    m = int(np.prod([x.shape[a] for a in axes]))
    if m < 1:
        raise ValueError(f"nothing to normalise over: shape {x.shape}, axes {axes}")
    mu = np.mean(x, axis=axes, keepdims=True)
    d = x - mu
    var = np.mean(d * d, axis=axes, keepdims=True)
    if np.any(var + eps == 0):
        raise ValueError("a normalised set is constant and eps = 0: 1/√(σ² + ε) is infinite")
    r = 1.0 / np.sqrt(var + eps)
    return d * r, r, m


def standardize_vjp(g_hat: np.ndarray, x_hat: np.ndarray, r: np.ndarray,
                    axes: tuple[int, ...]) -> np.ndarray:
    """dL/dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) over ``axes``."""
    mean_g = np.mean(g_hat, axis=axes, keepdims=True)
    mean_gx = np.mean(g_hat * x_hat, axis=axes, keepdims=True)
    return r * (g_hat - mean_g - x_hat * mean_gx)


def as_f64(*arrays):
    return tuple(np.asarray(a, dtype=np.float64) for a in arrays)


def check_cotangent(g, shape) -> np.ndarray:
    g = np.asarray(g, dtype=np.float64)
    if g.shape != tuple(shape):
        raise ValueError(f"cotangent shape {g.shape} != output shape {tuple(shape)}")
    return g


def check_channels(x: np.ndarray, *params: np.ndarray) -> None:
    """x is (N, C, *spatial) and every param is (C,)."""
    if x.ndim < 2:
        raise ValueError(f"expected x of shape (N, C, ...), got {x.shape}")
    for p in params:
        if p.shape != (x.shape[1],):
            raise ValueError(f"per-channel parameter of shape {p.shape}, expected ({x.shape[1]},)")
