"""The arrays of one benchmark, built once per (module, variant, dims, dtype) in NumPy and
handed to every framework file: inputs from the spec's value domains (seed 0), a fixed
cotangent, output shapes (from the float64 reference) and the FLOP count."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import prod

import numpy as np

from conformance.draw.strategies import make_cotangent, make_inputs
from conformance.bench.cases import BenchCase
from conformance.bench.flops import forward_flops, gemm, pass_flops


@dataclass(frozen=True)
class Work:
    args: tuple  # NumPy arrays in canonical order, in the case's dtype
    names: tuple
    differentiable: tuple  # bool per arg
    cotangents: tuple  # one per output
    multiple: bool  # the module returns a tuple
    attrs: dict  # the variant's attrs (what adapters' ops and the NumPy reference take)
    shapes: dict
    flops: int | None  # forward FLOPs

    @property
    def elements(self) -> int:
        return sum(int(np.size(a)) for a in self.args)


@lru_cache(maxsize=16)
def _build(module: str, variant: str, dims: tuple, dtype: str) -> Work:
    from references import REFERENCES

    from conformance.specs import BY_NAME

    spec = BY_NAME[module]
    var = spec.variant(variant)
    inputs, rng = make_inputs(spec, var, {"dims": dict(dims), "seed": 0}, dtype)
    probe = REFERENCES[module].forward(*(v.astype(np.float64) for v in inputs.values()), **var.attrs)
    multiple = isinstance(probe, tuple)
    outs = probe if multiple else (probe,)
    cts = tuple(make_cotangent(np.shape(o), rng, dtype) for o in outs)
    shapes = {k: tuple(v.shape) for k, v in inputs.items()}
    return Work(args=tuple(inputs[a.name] for a in spec.args), names=tuple(a.name for a in spec.args),
                differentiable=tuple(a.differentiable for a in spec.args), cotangents=cts,
                multiple=multiple, attrs=dict(var.attrs), shapes=shapes,
                flops=forward_flops(spec, shapes, [np.shape(o) for o in outs], var))


def work_for(bc: BenchCase) -> Work:
    if bc.kind == "gemm":
        n = bc.dims["n"]
        rng = np.random.default_rng(0)
        a, b = (rng.uniform(-1, 1, (n, n)).astype(bc.dtype) for _ in range(2))
        return Work((a, b), ("a", "b"), (False, False), (), False, {},
                    {"a": (n, n), "b": (n, n)}, gemm(n))
    return _build(bc.module, bc.variant, tuple(sorted(bc.dims.items())), bc.dtype)


def extra_info(bc: BenchCase, work: Work) -> dict:
    return {"bench_id": bc.id, "kind": bc.kind, "module": bc.module, "module_id": bc.module_id,
            "variant": bc.variant, "framework": bc.framework, "device": bc.device,
            "dtype": bc.dtype, "mode": bc.mode, "pass": bc.pass_, "dims": dict(bc.dims),
            "shape_source": bc.shape_source, "shapes": {k: list(v) for k, v in work.shapes.items()},
            "elements": work.elements, "forward_flops": work.flops,
            "flops": pass_flops(work.flops, bc.pass_),
            "output_elements": sum(int(prod(c.shape)) for c in work.cotangents)}
