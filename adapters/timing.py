"""The protocol of the per-framework benchmark workers (``adapters/<framework>/bench.py``):
one small class each, the framework imported inside methods only; the harness that times
them is ``conformance.bench``.

What is timed: the native op from the adapter's op table (``adapter.ops()``, canonical
layout, so TensorFlow's NCHW↔NHWC transposes inside its pooling ops are part of its time)
on inputs already on the device in the case's dtype — the adapters' ``vjp`` entry point
is *not* timed, because it converts from and to NumPy on every call. ``forward`` runs the
op without gradient tracking; ``forward+vjp`` runs it under the framework's autodiff and
pulls the fixed cotangent back to every differentiable argument (inputs and parameters).

A :class:`Prepared` is what a worker hands over: ``call()`` runs the timed work once on
inputs already on the device, ``sync(result)`` waits for it to finish, ``compile_s`` is the
(separately measured) compilation time, ``check()`` runs after timing (e.g. TF's
retracing guard). ``bc`` is a ``conformance.bench.cases.BenchCase`` and ``work`` a
``conformance.bench.work.Work`` (not imported here: adapters import nothing of the suite).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Prepared:
    call: Callable[[], Any]
    sync: Callable[[Any], Any]
    compile_s: float | None = None
    per_call_sync: bool = False
    check: Callable[[], None] = lambda: None
    info: dict = field(default_factory=dict)


class Timing:
    name = "abstract"

    def __init__(self) -> None:
        from . import load_adapter

        self.adapter = load_adapter(self.name)

    # -- set-up, before the framework's first op ----------------------------------------
    def setup_threads(self, n: int) -> dict:
        """Pin the thread pools to ``n``; returns what was requested and what holds."""
        raise NotImplementedError

    def precision(self) -> dict:
        """Precision modes (TF32, matmul precision) and determinism flags in force, read by
        the adapter's ``runtime.py`` (the one reader of each flag)."""
        return self.adapter.runtime_flags() or {}

    def describe(self) -> dict:
        return {"version": self.adapter.version(), "precision": self.precision(),
                "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None}

    # -- what can run ----------------------------------------------------------------------
    def skip_reason(self, bc) -> str | None:
        a = self.adapter
        reason = a.unavailable_reason() or a.device_reason(bc.device)
        if reason or bc.kind == "gemm":
            return reason
        if not a.supports(bc.module):
            return f"{self.name} has no implementation of {bc.module}"
        check = getattr(a, "unsupported_reason", None)
        return check(bc.module, bc.spec.variant(bc.variant).call_attrs) if check else None

    def composed(self, bc) -> bool:
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
    def prepare(self, bc, work) -> Prepared:
        raise NotImplementedError

    def gemm(self, bc, work) -> Prepared:
        raise NotImplementedError


def _worker_module(framework: str) -> str:
    """``adapters.<framework>.bench``: the benchmark worker beside the adapter's class."""
    from . import BUILTIN

    return BUILTIN[framework].partition(":")[0] + ".bench"


def bench_frameworks() -> list[str]:
    """The built-in frameworks that have a benchmark worker, in the registry's order."""
    import importlib.util

    from . import BUILTIN

    return [fw for fw in BUILTIN if importlib.util.find_spec(_worker_module(fw)) is not None]


def timing(framework: str) -> Timing:
    """The worker of a built-in framework, or any ``"package.module:Class"`` (a third-party
    or planted worker, e.g. ``tests/planted_bench.py``)."""
    import importlib

    if ":" in framework:
        module, _, cls = framework.partition(":")
        return getattr(importlib.import_module(module), cls)()
    return importlib.import_module(_worker_module(framework)).TIMING()
