"""Batch normalisation references: training-mode BN and its running-statistics update.

Source: 000_0c41eef9689a3bf9.txt section 'Normalization' > 'BN' (forward-pass, backward-pass,
parameter-pass); the same equations are in 001_9eba1572aa0cb554.txt section 'Normalization' >
'BN', which says they follow "the definitions used in the original paper by Sergey Ioffe and
Christian Szegedy" (001 reference 15). The document normalises a vector per element i over
the M samples of a batch; for an input (N, C, *spatial) the statistics are per channel over
the batch and every spatial position, M = N·H·W (Ioffe & Szegedy §3.2: "we jointly normalize
all the activations in a mini-batch, over all locations"; derived for 4-D inputs). γ and β
are per channel. ``eps`` has no default here: every caller passes it (framework defaults
differ; see conformance/specs/normalization.py).
"""

from __future__ import annotations

import numpy as np

from ._standardize import as_f64, check_channels, check_cotangent, standardize

__all__ = ["batch_norm", "batch_norm_running_stats"]

RUNNING_VAR_RULES = ("unbiased", "biased")


def _axes(x: np.ndarray) -> tuple[int, ...]:
    return (0, *range(2, x.ndim))


def _per_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def batch_norm(x, gamma, beta, *, eps):
    """y_m = γ (x_m − μ_B)/√(σ_B² + ε) + β, μ_B = 1/M Σ_m x_m, σ_B² = 1/M Σ_m (x_m − μ_B)².

    Cites 000_0c41eef9689a3bf9.txt, section 'BN', forward-pass; same in 001 section 'BN'.
    σ_B² is the biased (1/M) batch variance, as written. x is (N, C, *spatial).
    """
    x, gamma, beta = as_f64(x, gamma, beta)
    check_channels(x, gamma, beta)
    x_hat, _, _ = standardize(x, _axes(x), eps)
    return _per_channel(gamma, x.ndim) * x_hat + _per_channel(beta, x.ndim)


def batch_norm_vjp(cotangent, x, gamma, beta, *, eps):
    """The document's backward-pass and parameter-pass, evaluated step by step:

        dL/dσ_B² = Σ_m dL/dy_m γ (x_m − μ_B)(−1/2)(σ_B² + ε)^(−3/2)
        dL/dμ_B  = Σ_m dL/dy_m γ (−1/√(σ_B² + ε)) + dL/dσ_B² · (−Σ_m 2(x_m − μ_B))/m
        dL/dx_m  = dL/dy_m γ /√(σ_B² + ε) + dL/dμ_B · 1/m + dL/dσ_B² · 2/m · (x_m − μ_B)
        dL/dγ = Σ_m dL/dy_m (x_m − μ_B)/√(σ_B² + ε),   dL/dβ = Σ_m dL/dy_m

    Cites 000_0c41eef9689a3bf9.txt, section 'BN', backward-pass and parameter-pass; same in
    001 section 'BN'. Slip: the three divisions by lower-case m (the summation index of
    x_m) must be divisions by the batch size M — the document renamed Ioffe & Szegedy's
    batch size m to M and their index i to m, but kept their "/m". Read as 1/M here (the
    finite-difference test fails with the index). Note Σ_m 2(x_m − μ_B) = 0 exactly, so the
    second term of dL/dμ_B vanishes (kept, as written). Sums run over the batch and the
    spatial axes (M = N·H·W) per channel.
    """
    x, gamma, beta = as_f64(x, gamma, beta)
    check_channels(x, gamma, beta)
    g = check_cotangent(cotangent, x.shape)
    axes = _axes(x)
    x_hat, r, big_m = standardize(x, axes, eps)
    gam = _per_channel(gamma, x.ndim)
    d = x - np.mean(x, axis=axes, keepdims=True)  # x_m − μ_B
    d_var = np.sum(g * gam * d * (-0.5) * r**3, axis=axes, keepdims=True)
    d_mu = (np.sum(g * gam * (-r), axis=axes, keepdims=True)
            + d_var * (-np.sum(2.0 * d, axis=axes, keepdims=True)) / big_m)
    dx = g * gam * r + d_mu / big_m + d_var * 2.0 / big_m * d
    return dx, np.sum(g * x_hat, axis=axes), np.sum(g, axis=axes)


def batch_norm_running_stats(x, mean, var, *, momentum, running_var="unbiased"):
    """(mean', var') = ((1 − m)·mean + m·μ_B, (1 − m)·var + m·σ̃²), per channel.

    Derived: the documents define BN's training pass only (000/001 section 'BN'); the running
    averages used at inference come from Ioffe & Szegedy (001 reference 15), Algorithm 2,
    which estimates the inference variance with the unbiased m/(m − 1)·σ_B². Here as the
    exponential moving average the frameworks implement, ``momentum`` m being the weight of
    the new batch statistic (PyTorch's convention; Keras's momentum is 1 − m).
    Rule ``running_var``: "unbiased" (default, the paper's and PyTorch's: σ̃² = M/(M − 1)·σ_B²)
    or "biased" (σ̃² = σ_B², Keras 3). M = N·H·W must be >= 2 for "unbiased".
    """
    if running_var not in RUNNING_VAR_RULES:
        raise ValueError(f"running_var must be one of {RUNNING_VAR_RULES}; got {running_var!r}")
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must lie in [0, 1], got {momentum!r}")
    x, mean, var = as_f64(x, mean, var)
    check_channels(x, mean, var)
    axes = _axes(x)
    big_m = int(np.prod([x.shape[a] for a in axes]))
    mu = np.mean(x, axis=axes)
    sigma2 = np.mean((x - _per_channel(mu, x.ndim)) ** 2, axis=axes)
    if running_var == "unbiased":
        if big_m < 2:
            raise ValueError("the unbiased variance needs M = N·H·W >= 2 elements per channel")
        sigma2 = sigma2 * big_m / (big_m - 1)
    return (1.0 - momentum) * mean + momentum * mu, (1.0 - momentum) * var + momentum * sigma2


def batch_norm_running_stats_vjp(cotangent, x, mean, var, *, momentum, running_var="unbiased"):
    """No gradients: the running statistics are buffers, not differentiated (all args const)."""
    batch_norm_running_stats(x, mean, var, momentum=momentum, running_var=running_var)
    return (None, None, None)
