"""Pooling references: MaxPooling-2D and AveragePooling-2D (no padding).

Source: table "Parameter-free modules" in 000_0c41eef9689a3bf9.txt (rows "MaxPooling-2D",
"AveragePooling-2D"); the same rows appear in 001_9eba1572aa0cb554.txt ("MaxPooling2D",
"AveragePooling2D"). Input x is channels-first (N, C, H, W); kernel = (p, q); stride =
(U1, U2) (an int means both; the document uses one U for both axes); output
(N, C, (H − p)//U1 + 1, (W − q)//U2 + 1). Vectorised: windows come from
``sliding_window_view``; the backward scatter loops over the p·q kernel taps only.
"""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .reductions import max_tie_weights

__all__ = ["max_pool2d", "avg_pool2d"]

TIE_RULES = ("first", "last", "split", "all")


def _check_rule(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def _pair(name: str, value) -> tuple[int, int]:
    """An int or a pair of ints, each >= 1, as a pair."""
    items = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(items) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    try:
        if any(isinstance(v, (bool, np.bool_)) for v in items):
            raise TypeError
        pair = tuple(operator.index(v) for v in items)
    except TypeError:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}") from None
    if min(pair) < 1:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return pair


def _windows(x, kernel, stride):
    """float64 x and its pooling windows, shape (N, C, Ho, Wo, p, q), plus (p, q), (U1, U2)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"pooling input must be (N, C, H, W), got shape {x.shape}")
    (p, q) = _pair("kernel", kernel)
    (u1, u2) = _pair("stride", kernel if stride is None else stride)
    if p > x.shape[2] or q > x.shape[3]:
        raise ValueError(f"kernel {(p, q)} is larger than the input's (H, W) = {x.shape[2:]}")
    win = sliding_window_view(x, (p, q), axis=(2, 3))[:, :, ::u1, ::u2]
    return x, win, (p, q), (u1, u2)


def _scatter_taps(x_shape, per_tap, kernel, stride):
    """dL/dx from per-window-tap contributions (N, C, Ho, Wo, p, q): overlaps accumulate."""
    (p, q), (u1, u2) = kernel, stride
    ho, wo = per_tap.shape[2:4]
    dx = np.zeros(x_shape, dtype=np.float64)
    for a in range(p):
        for b in range(q):
            dx[:, :, a:a + u1 * (ho - 1) + 1:u1, b:b + u2 * (wo - 1) + 1:u2] += per_tap[..., a, b]
    return dx


def _check_cotangent(g, win):
    g = np.asarray(g, dtype=np.float64)
    if g.shape != win.shape[:4]:
        raise ValueError(f"cotangent shape {g.shape} != output shape {win.shape[:4]}")
    return g


def max_pool2d(x, kernel, stride=None, tie_rule="first"):
    """y_{i,j} = max(x_{Ui:Ui+p, Uj:Uj+q}), U the stride (here (U1, U2)); slices end-exclusive.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'MaxPooling-2D'; same
    row ('MaxPooling2D') in 001. ``stride`` defaults to ``kernel`` (non-overlapping windows).
    ``tie_rule`` only affects the backward pass; it is accepted (and checked) here too.
    """
    _check_rule("tie_rule", tie_rule, TIE_RULES)
    _, win, _, _ = _windows(x, kernel, stride)
    return np.max(win, axis=(-2, -1))


def max_pool2d_vjp(cotangent, x, kernel, stride=None, tie_rule="first"):
    """dL/dx_{i,j} = Σ_{i'} Σ_{j'} dL/dy_{i',j'} over the windows (i', j') whose argmax is (i, j).

    Cites 000, row 'MaxPooling-2D'; same row in 001. As written:
    "Σ_{i'}^H Σ_{j'}^H dL/dy_{i',j'} if argmax_{i',j'}{x_{Ui':Ui'+p, Uj':Uj'+p}} = i,j".
    Index slips corrected here: the window's column extent is written p instead of q; both
    sums run to H, whereas i' runs over the Ho = (H − p)//U1 + 1 output rows and j' over the
    Wo output columns; the argmax is meant as the input position (i, j) of the window's
    maximum (not its offset within the window), and the subscript argmax_{i',j'} is really
    the summation condition, not an argmax over windows. Overlapping windows (stride < kernel)
    accumulate, which the sum expresses. Ties (the document's argmax is not unique):
    ``tie_rule`` "first" (default; the first maximum in row-major window order, the usual
    framework choice), "last", "split" (1/k each), "all" (every maximum gets the full dL/dy).
    """
    _check_rule("tie_rule", tie_rule, TIE_RULES)
    x, win, kernel, stride = _windows(x, kernel, stride)
    g = _check_cotangent(cotangent, win)
    n, c, ho, wo, p, q = win.shape
    weights = max_tie_weights(win.reshape(n, c, ho, wo, p * q), tie_rule).reshape(win.shape)
    return (_scatter_taps(x.shape, weights * g[..., None, None], kernel, stride),)


def avg_pool2d(x, kernel, stride=None):
    """y_{i,j} = 1/(pq) Σ_p^P Σ_q^Q x_{Ui+p, Uj+q}: the mean of each p×q window.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'AveragePooling-2D';
    same row ('AveragePooling2D') in 001. The document reuses p, q as both the kernel size and
    the summation indices and leaves P, Q undefined; read as y_{i,j} = 1/(pq) Σ_{a=0}^{p−1}
    Σ_{b=0}^{q−1} x_{U1 i + a, U2 j + b}. ``stride`` defaults to ``kernel``.
    """
    _, win, _, _ = _windows(x, kernel, stride)
    return np.mean(win, axis=(-2, -1))


def avg_pool2d_vjp(cotangent, x, kernel, stride=None):
    """dL/dx_{i,j} = 1/(pq) Σ dL/dy_{i',j'} over the windows (i', j') that contain (i, j).

    Cites 000, row 'AveragePooling-2D'; same row in 001. As written:
    "1/(pq) Σ_{(i−p)/U}^P Σ_{(j−q)/U}^Q dL/dy_{(i−p)/U, (j−q)/U}" — the index notation is
    garbled (summation 'indices' are expressions, P and Q undefined, p and q used as both the
    kernel size and the tap offset). Intended meaning, used here: sum over taps a in [0, p),
    b in [0, q) with i' = (i − a)/U1 and j' = (j − b)/U2 integers inside the output grid.
    Positions no window covers (stride > kernel, or the ragged border) get 0.
    """
    x, win, (p, q), stride = _windows(x, kernel, stride)
    g = _check_cotangent(cotangent, win)
    per_tap = np.broadcast_to((g / (p * q))[..., None, None], win.shape)
    return (_scatter_taps(x.shape, per_tap, (p, q), stride),)
