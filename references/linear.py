"""FC (fully connected) reference: y = W x + b, batched.

Source: section 'Linear modules', subsection 'FC' of 000_0c41eef9689a3bf9.txt and of
001_9eba1572aa0cb554.txt (forward-pass, backward-pass, parameter-pass). The document is
written for one column vector x; here x holds N samples as rows, x (N, I), W (O, I),
b (O,), y (N, O) = x Wᵀ + b — row n is the document's W x_n + b.
"""

from __future__ import annotations

import numpy as np

__all__ = ["linear"]


def _check(x, w, b):
    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
    if x.ndim != 2 or w.ndim != 2 or b.ndim != 1:
        raise ValueError(f"linear takes x (N, I), W (O, I), b (O,); got shapes "
                         f"{x.shape}, {w.shape}, {b.shape}")
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"W has {w.shape[1]} input features, x has {x.shape[1]}")
    if b.shape[0] != w.shape[0]:
        raise ValueError(f"b has {b.shape[0]} entries, W has {w.shape[0]} outputs")
    return x, w, b


def linear(x, w, b, bias=True):
    """y = W x + b (000/001, 'FC', forward-pass), for each row x_n of x: y = x Wᵀ + b.

    ``bias=False``: the module has no bias; ``b`` is accepted (the spec's arguments are
    fixed) and ignored, and its gradient is 0.
    """
    x, w, b = _check(x, w, b)
    y = x @ w.T
    return y + b if bias else y


def linear_vjp(cotangent, x, w, b, bias=True):
    """dL/dx = dL/dy W; dL/dW = (dL/dy)ᵀ x summed over the batch; dL/db = Σ_n dL/dy_n.

    Cites 000/001, 'FC', backward-pass "dL/dx = dL/dy W" (numerator layout: dL/dy is the
    1×O row, the product the 1×I row; batched: G (N, O) @ W). Parameter-pass, as written:
    "dL/dW = dL/dy (I ⊗ x) = x dL/dy" and "dL/db = dL/dy". Layout: the last form, x dL/dy
    (I×1 times 1×O), is I×O — the transpose of W's shape; that is what the numerator
    layout the document declares ("partial derivatives adopt numerator layout") gives for
    a scalar-by-matrix derivative, so it is consistent with the document's own convention
    rather than an error. The middle form dL/dy (I ⊗ x) does not conform as written
    (1×O times (O·I)×O); with xᵀ, dL/dy (I_O ⊗ xᵀ) is the 1×(O·I) row of vec(W)'s
    gradient, i.e. W's shape flattened row-major — so the two sides of the written equality
    have transposed layouts. The reference returns the gradient in W's shape (as every
    framework does): dL/dW_{o,i} = Σ_n dL/dy_{n,o} x_{n,i}, i.e. Gᵀ x = (x dL/dy)ᵀ.
    The batch sums (dL/dW, dL/db) are not in the single-sample document.
    """
    x, w, b = _check(x, w, b)
    g = np.asarray(cotangent, dtype=np.float64)
    if g.shape != (x.shape[0], w.shape[0]):
        raise ValueError(f"cotangent shape {g.shape} != output shape {(x.shape[0], w.shape[0])}")
    db = g.sum(axis=0) if bias else np.zeros_like(b)
    return g @ w, g.T @ x, db
