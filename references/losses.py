"""Loss references: Cross-Entropy, Squared Error, and Softmax + Cross-Entropy.

Source: table "Parameter-free modules" in 000_0c41eef9689a3bf9.txt (rows "Cross-Entropy",
"Squared Error", "Softmax"); the same rows appear in 001_9eba1572aa0cb554.txt. Inputs are
batched (N, D), the loss is per row, output (N,); the cotangent is dL/dL_n, shape (N,). The
second argument (target / distribution) is constant: its vjp entry is None.
"""

from __future__ import annotations

import numpy as np

from .activations import softmax

__all__ = ["cross_entropy", "squared_error", "softmax_cross_entropy"]


def _prepare(x, other, other_name, cotangent=None):
    x, other = np.asarray(x, dtype=np.float64), np.asarray(other, dtype=np.float64)
    if x.ndim < 1 or x.shape[-1] == 0 or x.shape != other.shape:
        raise ValueError(f"expected two (N, D) arrays of one shape with D >= 1, got x {x.shape}"
                         f" and {other_name} {other.shape}")
    if cotangent is None:
        return x, other
    g = np.asarray(cotangent, dtype=np.float64)
    if g.shape != x.shape[:-1]:
        raise ValueError(f"cotangent shape {g.shape} != output shape {x.shape[:-1]}")
    return x, other, g[..., None]


def cross_entropy(x, p):
    """L = −Σ_i p_i log x_i, per row; x holds positive probabilities, p is a constant target.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Cross-Entropy'; same
    row in 001. x must be strictly positive (ValueError otherwise: log x_i is undefined); neither
    x nor p is required to sum to 1, the formula does not need it.
    """
    x, p = _prepare(x, p, "p")
    if not np.all(x > 0):
        raise ValueError("cross_entropy needs strictly positive x (probabilities)")
    return -np.sum(p * np.log(x), axis=-1)


def cross_entropy_vjp(cotangent, x, p):
    """dL/dx_i = −p_i / x_i, scaled by the row's cotangent dL/dL_n; p is const (None).

    Cites 000, row 'Cross-Entropy'; same row in 001 (the document writes the loss as the end of
    the graph, i.e. a cotangent of 1).
    """
    x, p, g = _prepare(x, p, "p", cotangent)
    if not np.all(x > 0):
        raise ValueError("cross_entropy needs strictly positive x (probabilities)")
    return -p / x * g, None


def squared_error(x, t):
    """L = ||t − x||² = Σ_i (t_i − x_i)², per row; t is a constant target.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Squared Error'; same
    row in 001. No 1/2 or 1/D factor (unlike e.g. a framework's mean-squared-error).
    """
    x, t = _prepare(x, t, "t")
    return np.sum((t - x) ** 2, axis=-1)


def squared_error_vjp(cotangent, x, t):
    """dL/dx = −2 (t − x)^T, scaled by the row's cotangent; t is const (None).

    Cites 000, row 'Squared Error'; same row in 001.
    """
    x, t, g = _prepare(x, t, "t", cotangent)
    return -2.0 * (t - x) * g, None


def _log_softmax(z):
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax_cross_entropy(z, p):
    """L = −Σ_i p_i log softmax(z)_i, per row (z: logits, p: constant distributions).

    Not a row of its own: the composition of 000_0c41eef9689a3bf9.txt, table 'Parameter-free
    modules', rows 'Softmax' then 'Cross-Entropy' (same rows in 001). log softmax is computed
    as z − max z − log Σ e^{z − max z}, so no probability underflows to log 0.
    """
    z, p = _prepare(z, p, "p")
    return -np.sum(p * _log_softmax(z), axis=-1)


def softmax_cross_entropy_vjp(cotangent, z, p):
    """dL/dz = (softmax(z) Σ_i p_i − p) · dL/dL_n; p is const (None).

    Derived by chaining the document's rows: Cross-Entropy gives dL/dy_i = −p_i / y_i with
    y = softmax(z); Softmax then has s_i = dL/dy_i · y_i = −p_i, so dL/dz = s − y Σ_i s_i
    = −p + y Σ_i p_i. (Cites 000, rows 'Softmax' and 'Cross-Entropy'; same rows in 001.) The
    familiar y − p only holds when the row of p sums to 1; the reference does not assume it.
    """
    z, p, g = _prepare(z, p, "p", cotangent)
    y = softmax(z)
    return (y * np.sum(p, axis=-1, keepdims=True) - p) * g, None
