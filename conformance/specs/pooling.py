"""Specs of the pooling modules (000/001, table 'Parameter-free modules', pooling rows).

The 2-D rows are documented; the 1-D and 3-D modules and padding are derived (the same rows
with one / three spatial axes; padding from 001's output-size formula, section 'Conv-2D').
Attributes: kernel, stride, padding (ints per spatial axis; padding symmetric, ≤ kernel/2 —
PyTorch's limit — so no window is padding only). Padded average pooling carries the rule
``divisor``: include_pad (PyTorch's count_include_pad=True default, flax's avg_pool) or
exclude_pad (TensorFlow's 'SAME'); the measurement says which each framework follows.

Error model. Max pooling selects an input exactly (forward 0 ulps); its gradient sums the
cotangents (|g| <= 1) of the at most K = Π⌈k/s⌉ windows (<= 9 here) whose maximum an
element is: <= K − 1 roundings of partial sums of about the size of the result, 4 ulps of
(|dx_i| + max|dx|). Average pooling sums at most 27 taps then divides: each rounding errs
by ½u of a partial sum (<= 3·27), divided by 27 again — <= ½u·3·(n − 1)/n + division, well
within 16 ulps of max|y| unless every window cancels; the gradient adds <= K terms g/n.
"""

from __future__ import annotations

from conformance.model.domains import Distinct, SmallIntegers, Uniform
from conformance.model.spec import REDUCTION, Arg, Citation, ModuleSpec, Tolerance, Variant
from conformance.specs.common import IMG, LONG, POOL_TIES, SHORT, TABLE, images, rows

SEQ, VOL = ("N", "C", "L"), ("N", "C", "D", "H", "W")
DIVISOR = {"divisor": ("include_pad", "exclude_pad")}
PADDING = Citation(LONG, "section 'Conv-2D', output-size formula H_out = (H_in + 2·padding − "
                         "dilation·(kernel_size − 1) − 1)/stride + 1 (padding; derived for pooling)")
MAX_TOL, AVG_TOL = Tolerance(0, 4), Tolerance(16, 32)


def derived(row: str, axes: str) -> tuple[Citation, ...]:
    where = f"{TABLE}, row '{row}' (derived: {axes})"
    return (Citation(SHORT, where), Citation(LONG, where), PADDING)


def _k(attrs, n):
    k = attrs["kernel"]
    return (k,) * n if isinstance(k, int) else tuple(k)


def sequences(attrs):
    (k,) = _k(attrs, 1)
    return {"N": (1, 2), "C": (1, 3), "L": (k, k + 7)}


def volumes(attrs):
    a, b, c = _k(attrs, 3)
    return {"N": (1, 2), "C": (1, 2), "D": (a, a + 2), "H": (b, b + 2), "W": (c, c + 2)}


def V(name, kernel, stride, padding=0, domains=None, rules=None, note=""):
    attrs = {"kernel": kernel, "stride": stride}
    if padding:
        attrs["padding"] = padding
    return Variant(name, attrs, domains or {}, rules or {}, note)


TIES = {"x": SmallIntegers()}
MAX_2D = "y_{i,j} = max(x_{Ui:Ui+p, Uj:Uj+q}); dL/dx_{i,j} = Σ dL/dy_{i',j'} over windows whose argmax is (i, j)"
AVG_2D = "y_{i,j} = 1/(pq) Σ_p Σ_q x_{Ui+p, Uj+q}"

SPECS: tuple[ModuleSpec, ...] = (
    ModuleSpec("max_pool2d", "pooling", (Arg("x", IMG, Distinct()),), images,
               rows("MaxPooling-2D") + (PADDING,), MAX_2D + "; padding with −inf",
               variants=(V("k=2,s=2", (2, 2), (2, 2)),
                         V("k=3,s=1", (3, 3), (1, 1)),
                         V("k=2x3,s=1x2", (2, 3), (1, 2)),
                         V("ties,k=2,s=2", (2, 2), (2, 2), domains=TIES, rules=POOL_TIES),
                         V("ties,k=2,s=1", (2, 2), (1, 1), domains=TIES, rules=POOL_TIES),
                         V("k=3,s=1,p=1", (3, 3), (1, 1), (1, 1)),
                         V("k=2x3,s=3x2,p=1", (2, 3), (3, 2), (1, 1),
                           note="rows: stride > kernel (uncovered rows get 0); columns overlap")),
               tolerance=MAX_TOL, arithmetic=REDUCTION),
    ModuleSpec("avg_pool2d", "pooling", (Arg("x", IMG, Uniform()),), images,
               rows("AveragePooling-2D") + (PADDING,), AVG_2D + "; zero padding, divisor by rule",
               variants=(V("k=2,s=2", (2, 2), (2, 2)),
                         V("k=3,s=1", (3, 3), (1, 1)),
                         V("k=2x3,s=3x1", (2, 3), (3, 1)),
                         V("k=3,s=1,p=1", (3, 3), (1, 1), (1, 1), rules=DIVISOR),
                         V("k=3,s=2,p=1", (3, 3), (2, 2), (1, 1), rules=DIVISOR)),
               tolerance=AVG_TOL, arithmetic=REDUCTION),
    ModuleSpec("max_pool1d", "pooling", (Arg("x", SEQ, Distinct()),), sequences,
               derived("MaxPooling-2D", "one spatial axis"),
               "y_i = max(x_{Ui:Ui+p}); dL/dx_i = Σ dL/dy_{i'} over windows whose argmax is i",
               variants=(V("k=3,s=1,p=1", 3, 1, 1), V("k=2,s=3,p=1", 2, 3, 1),
                         V("ties,k=3,s=2", 3, 2, domains=TIES, rules=POOL_TIES)),
               tolerance=MAX_TOL, arithmetic=REDUCTION),
    ModuleSpec("avg_pool1d", "pooling", (Arg("x", SEQ, Uniform()),), sequences,
               derived("AveragePooling-2D", "one spatial axis"), "y_i = 1/p Σ_{a<p} x_{Ui+a}",
               variants=(V("k=2,s=3", 2, 3),
                         V("k=3,s=1,p=1", 3, 1, 1, rules=DIVISOR),
                         V("k=4,s=3,p=2", 4, 3, 2, rules=DIVISOR)),
               tolerance=AVG_TOL, arithmetic=REDUCTION),
    ModuleSpec("max_pool3d", "pooling", (Arg("x", VOL, Distinct()),), volumes,
               derived("MaxPooling-2D", "three spatial axes"),
               "y_{d,i,j} = max(x_{Ud:Ud+r, Ui:Ui+p, Uj:Uj+q}); gradient to each window's argmax",
               variants=(V("k=2,s=2", 2, 2), V("k=3,s=2,p=1", 3, 2, 1),
                         V("ties,k=2,s=1", 2, 1, domains=TIES, rules=POOL_TIES)),
               tolerance=MAX_TOL, arithmetic=REDUCTION),
    ModuleSpec("avg_pool3d", "pooling", (Arg("x", VOL, Uniform()),), volumes,
               derived("AveragePooling-2D", "three spatial axes"),
               "y_{d,i,j} = 1/(rpq) Σ over the r×p×q window",
               variants=(V("k=3,s=1,p=1", 3, 1, 1, rules=DIVISOR),
                         V("k=3,s=2,p=1", 3, 2, 1, rules=DIVISOR)),
               tolerance=AVG_TOL, arithmetic=REDUCTION),
)
