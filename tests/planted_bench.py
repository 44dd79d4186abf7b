"""Benchmark workers with a planted slowdown, loaded through the worker protocol
(``run_bench(..., timing="tests.planted_bench:Class")``, plugin option ``--cb-timing``).

Each wraps one framework's own worker and, in one module's timed call only, waits an
extra ``FRACTION`` of that call's own median (measured once, at preparation, over 21
calls). The wait is a spin on ``time.perf_counter`` rather than ``time.sleep``, whose
wake-up overshoots by tens of microseconds: the planted slowdown is the fraction asked.
Rows keep the framework's ids, so ``compare`` matches them with an unplanted run's.
"""

from __future__ import annotations

import os
import statistics
import time

from adapters.numpy.bench import NumpyTiming
from adapters.torch.bench import TorchTiming  # imports no framework: torch is imported inside its methods


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class _Planted:
    MODULE = os.environ.get("PLANTED_BENCH_MODULE", "lstm")
    FRACTION = float(os.environ.get("PLANTED_BENCH_FRACTION", "0.2"))

    def prepare(self, bc, work):
        prepared = super().prepare(bc, work)
        if bc.module != self.MODULE or bc.pass_ != "forward+vjp":
            return prepared
        inner = prepared.call
        times = []
        prepared.sync(inner())
        for _ in range(21):
            t0 = time.perf_counter()
            prepared.sync(inner())
            times.append(time.perf_counter() - t0)
        extra = self.FRACTION * statistics.median(times)

        def call():
            out = inner()
            _spin(extra)
            return out
        prepared.call = call
        prepared.info["planted_extra_s"] = extra
        return prepared


class SlowNumpy(_Planted, NumpyTiming):
    """The NumPy worker with the planted wait (tests without a framework)."""


class SlowTorch(_Planted, TorchTiming):
    """The PyTorch worker with the planted wait (the measurements of issue 19)."""
