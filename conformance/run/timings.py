"""Per-case timings: what each case cost, and how much of it was the framework compiling.

Every record carries ``duration_s`` (the case's wall time in its worker: Hypothesis, the
framework, the references, shrinking) and ``timing``, measured around the adapter's
calls into the framework (``vjp``, ``derivatives``):

    framework_s  time inside those calls, all of them
    calls        how many calls (examples × reruns)
    first_s      the first call of each distinct input signature (shapes, dtype, device,
                 mode): where a framework traces and compiles, that happens here
    steady_s     the median of the later calls of the same signatures (null: no repeat)
    compile_s    first_s minus one steady call per signature (never negative; null when no
                 signature was called twice): the cost of the first example of a shape
                 beyond what a warm call of it costs

``duration_s`` and ``timing`` are the only fields that differ between two runs of the
same selection and seed (cold or warm caches, sharded or not); ``without_timings`` drops
them for comparisons.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

import numpy as np

TIMING_FIELDS = ("duration_s", "timing")


def without_timings(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in TIMING_FIELDS} for r in records]


# The adapter protocol's calls into the framework (adapters/base.py): each takes
# (module, args, names, wrt, ...) and the dtype/device/mode keywords.
TIMED_CALLS = ("vjp", "derivatives")


class TimedAdapter:
    """The adapter, with its calls into the framework timed per input signature;
    everything else is the adapter's own (attributes and methods pass through, and a
    method's ``self`` is the adapter, so its caches of compiled programs are shared
    across cases)."""

    def __init__(self, adapter):
        self._adapter = adapter
        self._calls: dict[tuple, list[float]] = {}

    def __getattr__(self, name):
        attr = getattr(self._adapter, name)
        if name not in TIMED_CALLS or not callable(attr):
            return attr

        def call(module, args, names, wrt, *rest, **kw):
            key = (name, module, tuple(np.shape(a) for a in args), tuple(names), tuple(wrt),
                   kw.get("dtype"), kw.get("device"), kw.get("mode"))
            t0 = time.perf_counter()
            try:
                return attr(module, args, names, wrt, *rest, **kw)
            finally:
                self._calls.setdefault(key, []).append(time.perf_counter() - t0)
        return call

    def summary(self) -> dict:
        if not self._calls:
            return {}
        first = [ts[0] for ts in self._calls.values()]
        later = [t for ts in self._calls.values() for t in ts[1:]]
        compile_s = None
        if later:
            compile_s = sum(max(0.0, ts[0] - statistics.median(ts[1:]))
                            for ts in self._calls.values() if len(ts) > 1)
        total = sum(sum(ts) for ts in self._calls.values())
        return {"framework_s": _r(total), "calls": sum(len(ts) for ts in self._calls.values()),
                "first_s": _r(sum(first)), "steady_s": _r(statistics.median(later)) if later else None,
                "compile_s": _r(compile_s) if compile_s is not None else None}


def _r(x: float) -> float:
    return round(float(x), 6)


@contextmanager
def timed(adapter):
    """``with timed(adapter) as (proxy, stamp): records = stamp(run_case(..., proxy, ...))``."""
    proxy = TimedAdapter(adapter)
    t0 = time.perf_counter()

    def stamp(records):
        duration = round(time.perf_counter() - t0, 6)
        info = proxy.summary()
        for r in records:
            r.duration_s, r.timing = duration, dict(info)
        return records

    yield proxy, stamp


def case_durations(records: list[dict]) -> dict[str, float]:
    """case id -> duration_s (one value per case; null durations left out)."""
    out: dict[str, float] = {}
    for r in records:
        d = r.get("duration_s")
        if isinstance(d, (int, float)):
            out[r["case_id"]] = max(out.get(r["case_id"], 0.0), float(d))
    return out


def slowest(records: list[dict], n: int = 10) -> list[dict]:
    """The n slowest cases: id, framework, duration and (where measured) compile time."""
    rows = {}
    for r in records:
        d = r.get("duration_s")
        if not isinstance(d, (int, float)) or r["case_id"] in rows:
            continue
        t = r.get("timing") or {}
        rows[r["case_id"]] = {"case_id": r["case_id"], "framework": r.get("framework"),
                              "duration_s": float(d), "framework_s": t.get("framework_s"),
                              "compile_s": t.get("compile_s"), "calls": t.get("calls")}
    return sorted(rows.values(), key=lambda x: (-x["duration_s"], x["case_id"]))[:n]


def per_framework(records: list[dict]) -> dict[str, dict]:
    """framework -> {"cases", "duration_s", "compile_s"}: where the run's time went."""
    out: dict[str, dict] = {}
    seen = set()
    for r in records:
        if r["case_id"] in seen or not isinstance(r.get("duration_s"), (int, float)):
            continue
        seen.add(r["case_id"])
        row = out.setdefault(r.get("framework"), {"cases": 0, "duration_s": 0.0, "compile_s": 0.0})
        row["cases"] += 1
        row["duration_s"] += float(r["duration_s"])
        row["compile_s"] += float((r.get("timing") or {}).get("compile_s") or 0.0)
    return {k: {**v, "duration_s": round(v["duration_s"], 3), "compile_s": round(v["compile_s"], 3)}
            for k, v in sorted(out.items(), key=lambda kv: -kv[1]["duration_s"])}


def format_slowest(records: list[dict], n: int = 10) -> list[str]:
    rows = slowest(records, n)
    if not rows:
        return []
    lines = [f"slowest {len(rows)} cases (wall s; compile s = first call of each shape beyond a warm call):"]
    for row in rows:
        comp = f"  compile {row['compile_s']:.2f}" if row["compile_s"] is not None else ""
        lines.append(f"  {row['duration_s']:8.2f}  {row['case_id']}{comp}")
    totals = per_framework(records)
    lines.append("per framework: " + ", ".join(
        f"{fw} {v['duration_s']:.1f} s / {v['cases']} cases" for fw, v in totals.items()))
    return lines
