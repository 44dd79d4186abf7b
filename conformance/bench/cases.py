"""What one benchmark is, and the list a selection expands to.

Ids mirror the conformance case ids, with the timed pass after a colon:
``softmax-torch-float32-cpu:forward``, ``max_pool2d[k=2,s=2]-jax-float32-cpu-compiled:
forward+vjp``; scaling points add their dims (``softmax@D=4096,N=64-...``) and the GEMM
ceiling is ``gemm@1024-torch-float32-cpu:forward``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.specs import BY_NAME
from conformance.bench.shapes import SCALING, bench_dims, bench_variant, bench_variants, scaling_dims, scaling_passes

PASSES = ("forward", "forward+vjp")
GEMM_N = 1024


@dataclass(frozen=True)
class BenchCase:
    kind: str  # "module", "scaling" or "gemm"
    module: str
    variant: str
    framework: str
    device: str
    dtype: str
    mode: str
    pass_: str
    dims: dict = field(default_factory=dict, hash=False, compare=False)
    shape_source: str = ""
    tag: str = ""  # scaling points: the dims that vary along the series, e.g. "H=16,W=16"

    @property
    def module_id(self) -> str:
        return self.module + (f"[{self.variant}]" if self.variant else "")

    @property
    def id(self) -> str:
        head = self.module_id
        if self.kind == "scaling":
            head += "@" + self.tag
        elif self.kind == "gemm":
            head = f"gemm@{self.dims['n']}"
        tail = "-compiled" if self.mode == "compiled" else ""
        return f"{head}-{self.framework}-{self.dtype}-{self.device}{tail}:{self.pass_}"

    @property
    def spec(self):
        return BY_NAME[self.module]


def expand(*, modules, framework, devices, dtypes, modes, passes=PASSES, scaling=True,
           gemm=True) -> list[BenchCase]:
    """Module × device × dtype × mode × pass, then the scaling series, then the GEMMs.
    A mode the framework's adapter does not have (``Adapter.modes``: the references have
    no compiled mode) generates no rows."""
    from adapters import load_adapter

    have = type(load_adapter(framework)).modes
    modes = [m for m in modes if m in have]
    out: list[BenchCase] = []
    for name in modules:
        spec = BY_NAME[name]
        for variant in bench_variants(spec):
            dims, source = bench_dims(spec, variant)
            for dev in devices:
                for dt in dtypes:
                    if dt not in spec.dtypes:
                        continue
                    for mode in modes:
                        for p in passes:
                            out.append(BenchCase("module", name, variant.name, framework, dev, dt,
                                                 mode, p, dims, source))
    if scaling:  # the first module of SCALING's order that is selected
        for name in [m for m in SCALING if m in modules]:
            spec = BY_NAME[name]
            series = scaling_dims(spec, bench_variant(spec))
            if not series:
                continue
            varying = sorted(k for k in series[0] if len({d[k] for d in series}) > 1)
            for variant in bench_variants(spec):
                series = scaling_dims(spec, variant)
                for dev in devices:
                    for dt in dtypes:
                        out += [BenchCase("scaling", name, variant.name, framework, dev, dt,
                                          "eager", p, d, "scaling",
                                          ",".join(f"{k}={d[k]}" for k in varying))
                                for p in scaling_passes(spec) for d in series]
            break  # one module's scaling plot
    if gemm:
        out += [BenchCase("gemm", "gemm", "", framework, dev, dt, "eager", "forward",
                          {"n": GEMM_N}, "gemm") for dev in devices for dt in dtypes]
    return out
