"""The timing harness between a framework's prepared callable and pytest-benchmark.

A :class:`Prepared` (``adapters.timing``) is what a framework's benchmark worker
(``adapters/<framework>/bench.py``) hands over: the timed call, its sync, the compile time.

Synchronisation (BENCHMARKING.md §2): the clock must not stop before the device is done,
but a sync per call inflates small-op timings on a GPU. pytest-benchmark's
``pedantic(iterations=I)`` calls the target I times between starting and stopping its
clock, so :class:`BlockSync` syncs after every I-th call: once per timed block, always
just before the clock stops. Frameworks whose consecutive calls are not ordered on one
stream (JAX's CPU client may overlap independent dispatches) set ``per_call_sync`` and
are synchronised after every call instead.

Garbage collection: the rounds run with the collector off, after a full
collection (what ``timeit`` and ``torch.utils.benchmark.Timer`` do): a cyclic collection
inside a round charges the whole heap's traversal — a suite process holds the spec table,
Hypothesis and pytest — to one round of the timed op. Every row records the collections
that happened while its rounds ran (``gc_collections``: 0 when the control holds).

Uncertainty: each row's per-round times give a bootstrap interval of its median and its
relative IQR (``reports.timing_stats``), in ``extra_info`` as ``median_ci`` and
``rel_iqr``; the report flags a row whose spread exceeds what the run's GEMM yardstick
shows the machine allows.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass

from adapters.timing import Prepared
from reports.timing_stats import median_ci, rel_iqr


class BlockSync:
    """``target()`` for pytest-benchmark: call, and sync after every ``every``-th call."""

    def __init__(self, prepared: Prepared, every: int) -> None:
        self.prepared, self.every, self.calls, self.syncs = prepared, max(1, every), 0, 0

    def __call__(self):
        result = self.prepared.call()
        self.calls += 1
        if self.calls % self.every == 0:
            self.prepared.sync(result)
            self.syncs += 1
        return result


@dataclass(frozen=True)
class Budget:
    """How long to spend: one round lasts about ``round_s``; rounds are as many as fit in
    ``total_s``, clamped to [min_rounds, max_rounds]."""

    round_s: float = 0.005
    total_s: float = 0.3
    # 15 rounds: enough for the compare gate's rank test to tell a 20% slowdown from a
    # 10% threshold at a 5% spread (tests/test_timing_gate.py).
    min_rounds: int = 15
    max_rounds: int = 40
    warmup_rounds: int = 1


QUICK = Budget()
THOROUGH = Budget(round_s=0.01, total_s=2.0, min_rounds=15, max_rounds=200, warmup_rounds=3)


def per_call_seconds(prepared: Prepared, min_s: float = 0.02, max_calls: int = 1000) -> float:
    """The cheapest of a few synced single calls (at least ``min_s`` of them, or one
    call when a call takes longer), after one warm-up call."""
    prepared.sync(prepared.call())
    best, spent, n = float("inf"), 0.0, 0
    while spent < min_s and n < max_calls:
        t0 = time.perf_counter()
        prepared.sync(prepared.call())
        dt = time.perf_counter() - t0
        best, spent, n = min(best, dt), spent + dt, n + 1
    return best


def plan(per_call: float, budget: Budget) -> tuple[int, int]:
    """(rounds, iterations) for a call lasting ``per_call`` seconds."""
    iterations = max(1, min(100_000, round(budget.round_s / max(per_call, 1e-9))))
    rounds = int(budget.total_s / max(per_call * iterations, 1e-9))
    return max(budget.min_rounds, min(budget.max_rounds, rounds)), iterations


@contextmanager
def collector_off(counter: dict):
    """A full collection, then the collector off; counts collections that still happen
    (a test or a framework turning it back on) into ``counter["collections"]``."""
    def seen(phase, _info):
        if phase == "start":
            counter["collections"] = counter.get("collections", 0) + 1
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.callbacks.append(seen)
    try:
        yield
    finally:
        gc.callbacks.remove(seen)
        if was:
            gc.enable()


def round_times(benchmark) -> list[float] | None:
    """pytest-benchmark's per-round, per-call times after ``pedantic`` (None if absent)."""
    stats = getattr(getattr(benchmark, "stats", None), "stats", None)
    data = getattr(stats, "data", None)
    return [float(v) for v in data] if data else None


def uncertainty(data: list[float] | None) -> dict:
    if not data:
        return {}
    lo, hi = median_ci(data)
    return {"median_ci": [lo, hi], "ci_level": 0.95, "rel_iqr": rel_iqr(data)}


def measure(benchmark, prepared: Prepared, budget: Budget = QUICK) -> dict:
    """Time ``prepared`` with ``benchmark.pedantic``; returns what was done (for extra_info)."""
    per_call = per_call_seconds(prepared)
    rounds, iterations = plan(per_call, budget)
    every = 1 if prepared.per_call_sync else iterations
    target = BlockSync(prepared, every)
    # At least one warm-up round always (allocator caches, lazy kernels); more only for
    # short rounds.
    warmup = budget.warmup_rounds if per_call * iterations < 0.05 else 1
    gc_seen: dict = {}
    with collector_off(gc_seen):
        benchmark.pedantic(target, rounds=rounds, warmup_rounds=warmup, iterations=iterations)
    prepared.check()
    return {"rounds": rounds, "iterations": iterations, "warmup_rounds": warmup, "calibration_s": per_call,
            "sync": "every call" if every == 1 else f"once per block of {iterations} calls",
            "syncs": target.syncs, "calls": target.calls, "gc": "off during rounds (collected before)",
            "gc_collections": gc_seen.get("collections", 0), **uncertainty(round_times(benchmark))}
