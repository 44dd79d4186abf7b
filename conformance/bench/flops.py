"""Analytic FLOP counts (multiply and add counted separately: 2 per multiply-add).

One rule covers every module whose parameters include a weight matrix or kernel (FC,
convolutions, recurrent layers), read off the spec's argument roles and the shapes alone:
each ``param`` argument with two or more dimensions costs ``2 × size(weight)`` FLOPs at
every position it is applied at —

* a matrix (``ndim == 2``: FC ``W``, a recurrent layer's ``W``/``U``) once per row of the
  input, ``size(x) / x.shape[-1]`` (batch × time steps);
* a kernel (``ndim >= 3``, canonical ``(out, in/groups, *k)``) once per output position,
  ``size(y) / y.shape[1]`` (batch × output spatial, channels-first).

That is matmul 2·M·N·K, conv forward 2·N·M·(C/groups)·K^d·out_spatial and an LSTM step
2·B·4H·(I+H), as BENCHMARKING.md §7 has them; biases and elementwise gate arithmetic are
left out (they are O(1/I) of the total). Forward + VJP counts 3× the forward (the
backward ≈ 2× forward: one product for the input gradient, one for the weights'). Modules
with no such parameter get ``None``: no GFLOP/s is claimed for them.
"""

from __future__ import annotations

from math import prod
from typing import Mapping, Sequence

def gemm(n: int) -> int:
    return 2 * n ** 3


def forward_flops(spec, shapes: Mapping[str, tuple], out_shapes: Sequence[tuple],
                  variant=None) -> int | None:
    """Forward FLOPs; arguments the variant marks ``Absent`` (a form without peepholes or
    biases: zeros the op never multiplies) are not counted."""
    if getattr(spec, "flops", None) is not None:  # the spec declares its own count
        return spec.flops(shapes, dict(variant.attrs) if variant is not None else {})
    inputs = [a for a in spec.args if a.role == "input"]
    if not inputs:
        return None
    x = tuple(shapes[inputs[0].name])
    y = tuple(out_shapes[0]) if out_shapes else ()
    total = 0
    for arg in spec.args:
        w = tuple(shapes[arg.name])
        if arg.role != "param" or len(w) < 2:
            continue
        domain = variant.domains.get(arg.name) if variant is not None else None
        if type(domain).__name__ == "Absent":
            continue
        if len(w) >= 3 and len(y) >= 2 and y[1]:
            positions = prod(y) // y[1]
        elif x and x[-1]:
            positions = prod(x) // x[-1]
        else:
            continue
        total += 2 * positions * prod(w)
    return total or None


def pass_flops(forward: int | None, pass_: str) -> int | None:
    if forward is None:
        return None
    return forward * (3 if pass_ == "forward+vjp" else 1)
