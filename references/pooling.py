"""Pooling references: max and average pooling over 1, 2 or 3 spatial axes, with padding.

Source: table "Parameter-free modules" in 000_0c41eef9689a3bf9.txt (rows "MaxPooling-2D",
"AveragePooling-2D"); the same rows appear in 001_9eba1572aa0cb554.txt ("MaxPooling2D",
"AveragePooling2D"). The 1-d and 3-d modules are derived: the same rows with one or three
spatial axes (the documents give 2-D only). Padding is derived from the output-size formula
of 001, section 'Conv-2D' (see ``references._windows``): max pooling pads with −inf (padding
never wins), average pooling with zeros. Input x is channels-first (N, C, *spatial); kernel,
stride and padding are an int (every axis) or one int per axis; stride defaults to kernel.

The average's divisor where a window overlaps the padding is a convention the documents do
not settle (they have no padding): rule ``divisor`` "include_pad" (default: the kernel size
p·q, as the row's 1/(pq) reads) or "exclude_pad" (the number of input elements the window
holds). Without padding both rules agree.
"""

from __future__ import annotations

import numpy as np

from ._windows import check_rule, valid_counts, windows

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d"]

TIE_RULES = ("first", "last", "split", "all")
DIVISOR_RULES = ("include_pad", "exclude_pad")


def _window_max(w):
    """Each window's maximum, reduced tap by tap (exact: max never rounds)."""
    taps = w.taps()
    _, first = next(taps)
    out = first.copy()
    for _, view in taps:
        np.maximum(out, view, out=out)
    return out


def _max_pool(nd, x, kernel, stride, padding, tie_rule):
    check_rule("tie_rule", tie_rule, TIE_RULES)
    return _window_max(windows(x, nd, kernel, stride, padding, -np.inf))


def _max_weights(w, top, tie_rule):
    """tap -> the (N, C, *out) share of dL/dy each window gives that tap, by ``tie_rule``
    over the taps in row-major window order (the rules of ``max_tie_weights``)."""
    hits = {tap: view == top for tap, view in w.taps()}
    if tie_rule == "all":
        return {t: h.astype(np.float64) for t, h in hits.items()}
    if tie_rule == "split":
        count = sum(h.astype(np.int64) for h in hits.values())
        return {t: h / count for t, h in hits.items()}
    order = list(hits) if tie_rule == "first" else list(reversed(hits))
    taken = np.zeros(top.shape, dtype=bool)
    weights = {}
    for t in order:
        weights[t] = (hits[t] & ~taken).astype(np.float64)
        taken |= hits[t]
    return weights


def _max_pool_vjp(nd, cotangent, x, kernel, stride, padding, tie_rule):
    check_rule("tie_rule", tie_rule, TIE_RULES)
    w = windows(x, nd, kernel, stride, padding, -np.inf)
    g = w.check_cotangent(cotangent)
    weights = _max_weights(w, _window_max(w), tie_rule)
    return (w.scatter(lambda tap: weights[tap] * g),)


def _divisor(w, divisor):
    check_rule("divisor", divisor, DIVISOR_RULES)
    return float(np.prod(w.kernel)) if divisor == "include_pad" else valid_counts(w)


def _avg_pool(nd, x, kernel, stride, padding, divisor):
    w = windows(x, nd, kernel, stride, padding, 0.0)
    taps = w.taps()
    _, first = next(taps)
    total = first.copy()
    for _, view in taps:  # tap by tap, in row-major window order
        total += view
    return total / _divisor(w, divisor)


def _avg_pool_vjp(nd, cotangent, x, kernel, stride, padding, divisor):
    w = windows(x, nd, kernel, stride, padding, 0.0)
    g = w.check_cotangent(cotangent)
    share = g / _divisor(w, divisor)
    return (w.scatter(lambda tap: share),)


# -- 2-D: the documented rows -------------------------------------------------------------------
def max_pool2d(x, kernel, stride=None, padding=0, tie_rule="first"):
    """y_{i,j} = max(x_{Ui:Ui+p, Uj:Uj+q}), U the stride (here (U1, U2)); slices end-exclusive.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'MaxPooling-2D'; same
    row ('MaxPooling2D') in 001. ``stride`` defaults to ``kernel`` (non-overlapping windows);
    ``padding`` (derived, see the module docstring) pads with −inf. ``tie_rule`` only affects
    the backward pass; it is accepted (and checked) here too.
    """
    return _max_pool(2, x, kernel, stride, padding, tie_rule)


def max_pool2d_vjp(cotangent, x, kernel, stride=None, padding=0, tie_rule="first"):
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
    Padding (−inf) never holds a window's maximum, so it receives nothing.
    """
    return _max_pool_vjp(2, cotangent, x, kernel, stride, padding, tie_rule)


def avg_pool2d(x, kernel, stride=None, padding=0, divisor="include_pad"):
    """y_{i,j} = 1/(pq) Σ_p^P Σ_q^Q x_{Ui+p, Uj+q}: the mean of each p×q window.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'AveragePooling-2D';
    same row ('AveragePooling2D') in 001. The document reuses p, q as both the kernel size and
    the summation indices and leaves P, Q undefined; read as y_{i,j} = 1/(pq) Σ_{a=0}^{p−1}
    Σ_{b=0}^{q−1} x_{U1 i + a, U2 j + b}. ``stride`` defaults to ``kernel``. With ``padding``
    (zeros; derived) the divisor is the rule ``divisor`` (module docstring).
    """
    return _avg_pool(2, x, kernel, stride, padding, divisor)


def avg_pool2d_vjp(cotangent, x, kernel, stride=None, padding=0, divisor="include_pad"):
    """dL/dx_{i,j} = 1/(pq) Σ dL/dy_{i',j'} over the windows (i', j') that contain (i, j).

    Cites 000, row 'AveragePooling-2D'; same row in 001. As written:
    "1/(pq) Σ_{(i−p)/U}^P Σ_{(j−q)/U}^Q dL/dy_{(i−p)/U, (j−q)/U}" — the index notation is
    garbled (summation 'indices' are expressions, P and Q undefined, p and q used as both the
    kernel size and the tap offset). Intended meaning, used here: sum over taps a in [0, p),
    b in [0, q) with i' = (i − a)/U1 and j' = (j − b)/U2 integers inside the output grid.
    Positions no window covers (stride > kernel, or the ragged border) get 0. With padding,
    1/(pq) becomes 1/divisor_{i',j'} (rule ``divisor``).
    """
    return _avg_pool_vjp(2, cotangent, x, kernel, stride, padding, divisor)


# -- 1-D and 3-D: derived (the 2-D rows with one / three spatial axes) ----------------------------
def max_pool1d(x, kernel, stride=None, padding=0, tie_rule="first"):
    """y_i = max(x_{Ui:Ui+p}) on (N, C, L). Derived: 000/001 row 'MaxPooling-2D' with one
    spatial axis; backward and ``tie_rule`` as in :func:`max_pool2d_vjp`."""
    return _max_pool(1, x, kernel, stride, padding, tie_rule)


def max_pool1d_vjp(cotangent, x, kernel, stride=None, padding=0, tie_rule="first"):
    """dL/dx_i = Σ_{i'} dL/dy_{i'} over windows i' whose (tie-ruled) argmax is i. Derived
    from 000/001 row 'MaxPooling-2D' (see :func:`max_pool2d_vjp` for its slips)."""
    return _max_pool_vjp(1, cotangent, x, kernel, stride, padding, tie_rule)


def max_pool3d(x, kernel, stride=None, padding=0, tie_rule="first"):
    """y_{d,i,j} = max(x_{Ud:Ud+r, Ui:Ui+p, Uj:Uj+q}) on (N, C, D, H, W). Derived: 000/001 row
    'MaxPooling-2D' with three spatial axes; ties in row-major (d, i, j) window order."""
    return _max_pool(3, x, kernel, stride, padding, tie_rule)


def max_pool3d_vjp(cotangent, x, kernel, stride=None, padding=0, tie_rule="first"):
    """dL/dx_{d,i,j} = Σ dL/dy over windows whose (tie-ruled) argmax is (d, i, j). Derived
    from 000/001 row 'MaxPooling-2D' (see :func:`max_pool2d_vjp`)."""
    return _max_pool_vjp(3, cotangent, x, kernel, stride, padding, tie_rule)


def avg_pool1d(x, kernel, stride=None, padding=0, divisor="include_pad"):
    """y_i = 1/p Σ_{a<p} x_{Ui+a} on (N, C, L). Derived: 000/001 row 'AveragePooling-2D' with
    one spatial axis; ``divisor`` as in :func:`avg_pool2d`."""
    return _avg_pool(1, x, kernel, stride, padding, divisor)


def avg_pool1d_vjp(cotangent, x, kernel, stride=None, padding=0, divisor="include_pad"):
    """dL/dx_i = Σ dL/dy_{i'} / divisor_{i'} over the windows i' containing i. Derived from
    000/001 row 'AveragePooling-2D' (see :func:`avg_pool2d_vjp`)."""
    return _avg_pool_vjp(1, cotangent, x, kernel, stride, padding, divisor)


def avg_pool3d(x, kernel, stride=None, padding=0, divisor="include_pad"):
    """y_{d,i,j} = 1/(rpq) Σ x over the r×p×q window on (N, C, D, H, W). Derived: 000/001 row
    'AveragePooling-2D' with three spatial axes; ``divisor`` as in :func:`avg_pool2d`."""
    return _avg_pool(3, x, kernel, stride, padding, divisor)


def avg_pool3d_vjp(cotangent, x, kernel, stride=None, padding=0, divisor="include_pad"):
    """dL/dx = Σ dL/dy_w / divisor_w over the windows w containing the position. Derived
    from 000/001 row 'AveragePooling-2D' (see :func:`avg_pool2d_vjp`)."""
    return _avg_pool_vjp(3, cotangent, x, kernel, stride, padding, divisor)
