"""Element-wise references: Add, Multiply, Switch, Drop-out.

Source: table "Parameter-free modules" in 000_0c41eef9689a3bf9.txt (rows "Add", "Multiply",
"Switch", "Drop-out"); the same rows appear in 001_9eba1572aa0cb554.txt. All arguments of a
module have the same shape (no broadcasting); everything is computed in float64.
"""

from __future__ import annotations

import numpy as np

from ._args import as_float64 as _f64

__all__ = ["add", "multiply", "switch", "dropout"]


def _same_shape(**arrays) -> None:
    shapes = {name: np.shape(a) for name, a in arrays.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"arguments must have the same shape, got {shapes}")


def _check_binary_mask(name: str, mask: np.ndarray) -> None:
    if not np.all((mask == 0) | (mask == 1)):
        raise ValueError(f"{name} must be a 0/1 mask")


def add(a, b):
    """y = a ⊕ b (element-wise sum).

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Add'; same row in 001.
    """
    a, b = _f64(a, b)
    _same_shape(a=a, b=b)
    return a + b


def add_vjp(cotangent, a, b):
    """dL/da = dL/dy, and (by symmetry, not written in the document) dL/db = dL/dy.

    Cites 000, table 'Parameter-free modules', row 'Add'; same row in 001. The document only
    writes the a-gradient; the b-gradient is the same formula with a and b swapped.
    """
    g, a, b = _f64(cotangent, a, b)
    _same_shape(cotangent=g, a=a, b=b)
    return g.copy(), g.copy()


def multiply(a, b):
    """y = a ⊙ b (Hadamard product).

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Multiply'; same row
    in 001.
    """
    a, b = _f64(a, b)
    _same_shape(a=a, b=b)
    return a * b


def multiply_vjp(cotangent, a, b):
    """dL/da = dL/dy ⊙ b, and (by symmetry, not written in the document) dL/db = dL/dy ⊙ a.

    Cites 000, table 'Parameter-free modules', row 'Multiply'; same row in 001. The document
    writes only dL/da, and multiplies the row vector dL/dy by the column vector b without the
    transpose it uses in the 'Switch' row (s^T); both mean the element-wise product.
    """
    g, a, b = _f64(cotangent, a, b)
    _same_shape(cotangent=g, a=a, b=b)
    return g * b, g * a


def switch(x, s):
    """y = s ⊙ x, with s a constant (0/1 switch) mask.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Switch'; same row in
    001. The formula holds for any constant s, so s is not checked to be binary.
    """
    x, s = _f64(x, s)
    _same_shape(x=x, s=s)
    return s * x


def switch_vjp(cotangent, x, s):
    """dL/dx = dL/dy ⊙ s^T (the transpose is only the numerator-layout row vector); s is const.

    Cites 000, table 'Parameter-free modules', row 'Switch'; same row in 001.
    """
    g, x, s = _f64(cotangent, x, s)
    _same_shape(cotangent=g, x=x, s=s)
    return g * s, None


def _check_rate(rate) -> float:
    rate = float(rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must satisfy 0 <= rate < 1, got {rate}")
    return rate


def dropout(x, mask, rate=0.5):
    """y = 1/(1-q) D ⊙ x, where D is the drop-out switch vector (``mask``) and q is ``rate``.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Drop-out'; same row
    in 001 (footnote 7: Srivastava et al. 2014). The document writes "swith vector" (typo) and
    reuses the letter q, which the pooling rows use for the kernel width. Here the mask is an
    explicit constant 0/1 argument (checked), so the module is deterministic; ``rate`` must be
    in [0, 1). The default rate 0.5 is the paper's hidden-unit value; callers should pass it.
    """
    x, mask = _f64(x, mask)
    _same_shape(x=x, mask=mask)
    _check_binary_mask("mask", mask)
    return mask * x / (1.0 - _check_rate(rate))


def dropout_vjp(cotangent, x, mask, rate=0.5):
    """dL/dx = 1/(1-q) dL/dy ⊙ D^T; the mask D is const (None).

    Cites 000, table 'Parameter-free modules', row 'Drop-out'; same row in 001.
    """
    g, x, mask = _f64(cotangent, x, mask)
    _same_shape(cotangent=g, x=x, mask=mask)
    _check_binary_mask("mask", mask)
    return g * mask / (1.0 - _check_rate(rate)), None
