"""Benchmark workers with a planted slowdown, loaded through the worker protocol
(``run_bench(..., timing="tests.planted_bench:Class")`` or ``{framework: Class}``, plugin
option ``--cb-timing``; the instruction counter takes the same class).

Each wraps one framework's own worker and, in one module's timed ``forward+vjp`` call
only, does **more work**, not a wait: the same op and VJP again on a slice of the first
argument's leading axis (the batch, the rows, the time steps), ``ceil(FRACTION · n)`` of
its ``n`` entries, with the matching slice of every cotangent of that leading size. The
extra call costs its share of the op's work plus the call's fixed overhead, so the
planted call does *at least* ``FRACTION`` more work, in time and in instructions alike
(at the instruction counter's shapes the leading axis is 10 or 40: 10 % and 20 % are whole
entries). Rows keep the framework's ids, so ``compare`` matches them with an unplanted run's.

``PLANTED_BENCH_MODULE`` (default softmax: its work is linear in the rows, so the slice
is its share; a convolution's weight gradient is not) and ``PLANTED_BENCH_FRACTION`` (default 0.2)
choose the op and the extra work.
"""

from __future__ import annotations

import dataclasses
import math
import os

from adapters.numpy.bench import NumpyTiming
from adapters.torch.bench import TorchTiming  # imports no framework: torch is imported inside its methods


def sliced(work, fraction: float):
    """``work`` with the first argument cut to ``ceil(fraction · n)`` of its leading ``n``
    entries (and every cotangent whose leading size is ``n``)."""
    n = work.args[0].shape[0]
    k = max(1, math.ceil(fraction * n - 1e-9))
    args = (work.args[0][:k], *work.args[1:])
    cts = tuple(c[:k] if c.ndim and c.shape[0] == n else c for c in work.cotangents)
    return dataclasses.replace(work, args=args, cotangents=cts), k / n


class _Planted:
    MODULE = os.environ.get("PLANTED_BENCH_MODULE", "softmax")
    FRACTION = float(os.environ.get("PLANTED_BENCH_FRACTION", "0.2"))

    def prepare(self, bc, work):
        prepared = super().prepare(bc, work)
        if bc.module != self.MODULE or bc.pass_ != "forward+vjp":
            return prepared
        small, share = sliced(work, self.FRACTION)
        extra = super().prepare(bc, small)
        inner, inner_sync = prepared.call, prepared.sync

        def call():
            return inner(), extra.call()

        def sync(result):
            inner_sync(result[0])
            extra.sync(result[1])
        prepared.call, prepared.sync = call, sync
        prepared.info["planted_extra_share"] = share
        return prepared


class SlowNumpy(_Planted, NumpyTiming):
    """The NumPy worker with the planted extra work (tests without a framework)."""


class SlowTorch(_Planted, TorchTiming):
    """The PyTorch worker with the planted extra work."""
