"""Claims of the table 'Parameter-free modules' (000/001) that are wrong as written."""

from __future__ import annotations

import numpy as np

from references.reductions import max_vjp

from . import Claim

SHORT = "000_0c41eef9689a3bf9.txt"


def _max_as_written(cotangent, x):
    """'dL/dx_i = dL/dy if i was maximal': every maximal element gets the full dL/dy."""
    return max_vjp(cotangent, x, tie_rule="all")


CLAIMS = (
    Claim(
        id="max-ties-full-gradient",
        seed=SHORT, where="table 'Parameter-free modules', row 'Max', backward-pass (same row in 001)",
        as_written="∂L/∂x_i = ∂L/∂y if i was maximal, 0 otherwise",
        problem=("with k tied maxima every one receives the full ∂L/∂y, so the gradient sums to "
                 "k·∂L/∂y; but max(x + t·1) = max(x) + t, so the derivative along the all-ones "
                 "direction is exactly ∂L/∂y: the formula is not a (sub)gradient at ties"),
        corrected_text="share ∂L/∂y among the k maximal elements (1/k each; any convex weights are a subgradient)",
        as_written_vjp=_max_as_written, module="max", variant="ties", check="grad:x",
        direction=lambda args: {"x": np.ones_like(args["x"])},
    ),
)
