"""Each benchmark row's uncertainty, and whether it is too noisy to read as a figure.

``annotate(rows)`` adds to every row (flat rows from ``reports.benchmarks.rows``):

* ``ci_low`` / ``ci_high`` — the bootstrap interval of the median (``extra_info
  ["median_ci"]`` when the run wrote it, else recomputed from the rounds);
* ``rel_iqr`` — IQR / median;
* ``allowance`` and ``yardstick`` — the spread the machine allows in this run
  (``timing_stats.noise_allowance`` of the same framework/device/dtype's GEMM row,
  else the most stable GEMM of the run, else the floor) and the GEMM row it came from;
* ``noisy`` — the row's relative IQR exceeds the allowance (or it has under 3 rounds).
"""

from __future__ import annotations

import statistics

from .timing_stats import ALLOWANCE_FLOOR, median_ci, noise_allowance, rel_iqr


def _spread(r: dict) -> float | None:
    data = r.get("data")
    if data:
        return rel_iqr(data)
    if r.get("iqr") is not None and r.get("median"):
        return r["iqr"] / r["median"]
    return None


def annotate(rows: list[dict]) -> list[dict]:
    yard = {}
    for r in rows:
        if r.get("kind") == "gemm" and r.get("median"):
            s = _spread(r)
            if s is not None:
                key = (r.get("framework"), r.get("device"), r.get("dtype"))
                yard[key] = min(yard.get(key, (s, r.get("bench_id"))), (s, r.get("bench_id")))
    best = min(yard.values()) if yard else None
    for r in rows:
        if not r.get("median"):
            continue
        info_ci = r.get("median_ci")
        data = r.get("data")
        if info_ci and len(info_ci) == 2:
            r["ci_low"], r["ci_high"] = info_ci
        elif data and len(data) >= 2:
            r["ci_low"], r["ci_high"] = median_ci(data)
        r["rel_iqr"] = _spread(r)
        y = yard.get((r.get("framework"), r.get("device"), r.get("dtype"))) or best
        r["yardstick"] = y[1] if y else None
        r["yardstick_rel_iqr"] = y[0] if y else None
        r["allowance"] = noise_allowance(y[0] if y else None)
        few = (r.get("rounds") or len(data or ())) < 3
        r["noisy"] = bool(few or (r["rel_iqr"] is not None and r["rel_iqr"] > r["allowance"]))
    return rows


def noise_note(rows: list[dict]) -> str:
    """One sentence for the report: how many rows are noisy and what the machine allowed."""
    timed = [r for r in rows if r.get("median")]
    noisy = [r for r in timed if r.get("noisy")]
    allow = sorted({round(r["allowance"], 3) for r in timed if r.get("allowance") is not None})
    yard = [r["yardstick_rel_iqr"] for r in timed if r.get("yardstick_rel_iqr") is not None]
    yard_s = f"; GEMM yardstick spread {100 * statistics.median(yard):.1f}%" if yard else "; no GEMM yardstick"
    allow_s = ", ".join(f"{100 * a:.0f}%" for a in allow) or "n/a"
    machine = ""
    if yard and statistics.median(yard) > ALLOWANCE_FLOOR:
        machine = (f" The yardstick itself spreads more than {100 * ALLOWANCE_FLOOR:g}%: the machine was noisy "
                   "during this run, so no row here is a confident figure; rerun on a quiet machine.")
    return (f"{len(noisy)} of {len(timed)} rows noisy (IQR / median above the allowance {allow_s}{yard_s}); "
            "a noisy row's bar is drawn hollow and its median is not a confident figure." + machine)
