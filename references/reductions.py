"""Group (reduction) references: Sum and Max over the last axis.

Source: table "Parameter-free modules" in 000_0c41eef9689a3bf9.txt (rows "Sum", "Max"); the
same rows appear in 001_9eba1572aa0cb554.txt. Inputs are batched (N, D); the output is (N,).
Max has a reference-only ``tie_rule`` because the document's backward is not a subgradient
when the maximum is tied.
"""

from __future__ import annotations

import numpy as np

from ._args import check_rule as _check_rule

__all__ = ["sum", "max"]

TIE_RULES = ("split", "first", "last", "all")


def _prepare(x, cotangent=None):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 1 or x.shape[-1] == 0:
        raise ValueError(f"expected a (N, D) input with D >= 1, got shape {x.shape}")
    if cotangent is None:
        return x
    g = np.asarray(cotangent, dtype=np.float64)
    if g.shape != x.shape[:-1]:
        raise ValueError(f"cotangent shape {g.shape} != output shape {x.shape[:-1]}")
    return x, g


def sum(x):  # noqa: A001 - the module is called "sum"
    """y = Σ_i x_i over the last axis.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Sum'; same row in 001.
    """
    return np.sum(_prepare(x), axis=-1)


def sum_vjp(cotangent, x):
    """dL/dx = dL/dy 1^T: every element receives its row's dL/dy.

    Cites 000, table 'Parameter-free modules', row 'Sum'; same row in 001.
    """
    x, g = _prepare(x, cotangent)
    return (np.broadcast_to(g[..., None], x.shape).copy(),)


def max(x, tie_rule="split"):  # noqa: A001 - the module is called "max"
    """y = max{x_i} over the last axis.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Max'; same row in 001.
    ``tie_rule`` only affects the backward pass; it is accepted (and checked) here too.
    """
    _check_rule("tie_rule", tie_rule, TIE_RULES)
    return np.max(_prepare(x), axis=-1)


def max_tie_weights(x: np.ndarray, tie_rule: str, axis: int = -1) -> np.ndarray:
    """Weights in [0, 1] over ``axis`` saying how dL/dy is shared among maximal elements.

    Ties are exact float equality with the maximum. "split": 1/k to each of the k maxima;
    "first"/"last": 1 to the first/last maximum in index order; "all": 1 to every maximum.
    """
    _check_rule("tie_rule", tie_rule, TIE_RULES)
    x = np.moveaxis(x, axis, -1)
    is_max = x == np.max(x, axis=-1, keepdims=True)
    if tie_rule == "all":
        w = is_max.astype(np.float64)
    elif tie_rule == "split":
        w = is_max / np.sum(is_max, axis=-1, keepdims=True)
    else:
        n = x.shape[-1]
        idx = np.argmax(is_max, axis=-1) if tie_rule == "first" else (
            n - 1 - np.argmax(is_max[..., ::-1], axis=-1))
        w = (np.arange(n) == idx[..., None]).astype(np.float64)
    return np.moveaxis(w, -1, axis)


def max_vjp(cotangent, x, tie_rule="split"):
    """dL/dx_i = dL/dy if i was maximal, 0 otherwise (as written), with ties resolved by rule.

    Cites 000, table 'Parameter-free modules', row 'Max'; same row in 001.

    Ambiguity: "if i was maximal" gives *every* tied maximum the full dL/dy, so for a tie of
    k elements the gradient sums to k·dL/dy: not a subgradient of max and not what any
    framework returns. The reference's default ``tie_rule="split"`` shares dL/dy evenly
    (1/k each, a valid subgradient and the symmetric choice); "first" and "last" give it all
    to one element; "all" reproduces the document as written. Without ties all rules agree
    with the document.
    """
    x, g = _prepare(x, cotangent)
    return (max_tie_weights(x, tie_rule) * g[..., None],)
