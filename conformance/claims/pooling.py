"""Claims of the pooling rows of the table 'Parameter-free modules' (000/001)."""

from __future__ import annotations

import numpy as np

from . import Claim

SHORT = "000_0c41eef9689a3bf9.txt"


def _max_pool_as_written(cotangent, x, kernel, stride=None):
    """The backward as written: the argmax of x_{Ui':Ui'+p, Uj':Uj'+p} (p rows *and* p
    columns) gets ∂L/∂y_{i',j'}. Written for the small arrays of a counterexample search
    (a loop over output positions is fine here)."""
    x = np.asarray(x, dtype=np.float64)
    p, q = kernel
    u1, u2 = stride if stride is not None else kernel
    g = np.asarray(cotangent, dtype=np.float64)
    out = np.zeros_like(x)
    n, c, ho, wo = g.shape
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    window = x[b, ch, u1 * i:u1 * i + p, u2 * j:u2 * j + p]
                    a, bb = np.unravel_index(np.argmax(window), window.shape)
                    out[b, ch, u1 * i + a, u2 * j + bb] += g[b, ch, i, j]
    return (out,)


CLAIMS = (
    Claim(
        id="max-pool-window-width",
        seed=SHORT, where="table 'Parameter-free modules', row 'MaxPooling-2D', backward-pass (same row in 001)",
        as_written="∂L/∂x_{i,j} = Σ_{i'}^H Σ_{j'}^H ∂L/∂y_{i',j'} if argmax_{i',j'}{x_{Ui':Ui'+p, Uj':Uj'+p}} = i,j",
        problem=("the window is written p×p (x_{Uj':Uj'+p}) while the forward pools p×q windows "
                 "(x_{Uj:Uj+q}); for p ≠ q the gradient is routed to the maximum of the wrong window "
                 "(the sums' upper limit H is also a slip: i', j' run over the output grid)"),
        corrected_text="∂L/∂x_{i,j} = Σ_{(i',j')} ∂L/∂y_{i',j'} over the output positions whose p×q window x_{Ui':Ui'+p, Uj':Uj'+q} has its maximum at (i, j)",
        as_written_vjp=_max_pool_as_written, module="max_pool2d", variant="k=2x3,s=1x2",
        check="grad:x",
    ),
)
