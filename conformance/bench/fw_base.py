"""The protocol of the per-framework timing files (``fw_numpy.py``, ``fw_torch.py``,
``fw_tensorflow.py``, ``fw_jax.py``): one small class each, the framework imported inside
methods only.

What is timed: the native op from the adapter's op table (``adapter.ops()``, canonical
layout, so TensorFlow's NCHW↔NHWC transposes inside its pooling ops are part of its time)
on inputs already on the device in the case's dtype — the adapters' ``vjp`` entry point
is *not* timed, because it converts from and to NumPy on every call. ``forward`` runs the
op without gradient tracking; ``forward+vjp`` runs it under the framework's autodiff and
pulls the fixed cotangent back to every differentiable argument (inputs and parameters).
"""

from __future__ import annotations

import os

from .cases import BenchCase
from .harness import Prepared
from .work import Work


class Timing:
    name = "abstract"

    def __init__(self) -> None:
        from adapters import load_adapter

        self.adapter = load_adapter(self.name)

    # -- set-up, before the framework's first op ----------------------------------------
    def setup_threads(self, n: int) -> dict:
        """Pin the thread pools to ``n``; returns what was requested and what holds."""
        raise NotImplementedError

    def precision(self) -> dict:
        """Precision modes (TF32, matmul precision) and determinism flags in force."""
        return {}

    def describe(self) -> dict:
        return {"version": self.adapter.version(), "precision": self.precision(),
                "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None}

    # -- what can run ----------------------------------------------------------------------
    def skip_reason(self, bc: BenchCase) -> str | None:
        a = self.adapter
        reason = a.unavailable_reason() or a.device_reason(bc.device)
        if reason or bc.kind == "gemm":
            return reason
        if not a.supports(bc.module):
            return f"{self.name} has no implementation of {bc.module}"
        check = getattr(a, "unsupported_reason", None)
        return check(bc.module, bc.spec.variant(bc.variant).call_attrs) if check else None

    def composed(self, bc: BenchCase) -> bool:
        """Whether the timed op is built from primitives (no native op)."""
        if bc.kind == "gemm":
            return False
        try:
            return bool(self.adapter.is_composed(bc.module, bc.spec.variant(bc.variant).call_attrs))
        except TypeError:
            return bool(self.adapter.is_composed(bc.module))

    def op(self, module: str):
        return self.adapter.ops()[module]

    # -- the timed callables ---------------------------------------------------------------
    def prepare(self, bc: BenchCase, work: Work) -> Prepared:
        raise NotImplementedError

    def gemm(self, bc: BenchCase, work: Work) -> Prepared:
        raise NotImplementedError


def timing(framework: str) -> Timing:
    import importlib

    mod = importlib.import_module(f"{__package__}.fw_{framework}")
    return mod.TIMING()
