"""Process-level samples: every row timed in several fresh worker processes (as pyperf
does), because most of a row's variance lives *between* processes (memory layout, thread
placement, the machine's load over seconds), not between the rounds of one process.

* :func:`schedule` — the order of the worker processes: process k of every framework,
  then process k+1 with the frameworks reversed (ABBA), so a drift of the machine's load
  hits every framework alike; with two sides (two Python environments, e.g. two framework
  versions on one machine) the sides alternate inside each step too (A B, then B A);
* :func:`merge_processes` — one pytest-benchmark document from the per-process ones:
  a row's rounds are pooled for the report's median and interval, and
  ``extra_info["process_medians"]`` and ``["process_mins"]`` keep each process's median
  and fastest round: the gate (``reports.timing_stats.process_verdict``) decides from
  the fastest rounds where present — on a shared machine other processes only ever add
  time, so a process's fastest round moves least with the load — else the medians.
"""

from __future__ import annotations

import statistics

from reports.timing_stats import median_ci, quartiles, rel_iqr


def schedule(frameworks, processes: int, sides=("a",)) -> list[tuple[str, str, int]]:
    """[(side, framework, k)] in run order: ABBA over frameworks and over sides."""
    out = []
    fws, sd = list(frameworks), list(sides)
    for k in range(max(1, processes)):
        flip = k % 2 == 1
        for fw in (fws[::-1] if flip else fws):
            out += [(s, fw, k) for s in (sd[::-1] if flip else sd)]
    return out


def merge_processes(docs: list[dict]) -> list[dict]:
    """The benchmark rows of several processes' pytest-benchmark documents (same rows in
    each), one row per ``bench_id`` with pooled rounds and ``process_medians``."""
    by_id: dict[str, list[dict]] = {}
    order: list[str] = []
    for doc in docs:
        for b in doc.get("benchmarks", []):
            bid = (b.get("extra_info") or {}).get("bench_id") or b.get("name")
            if bid not in by_id:
                order.append(bid)
            by_id.setdefault(bid, []).append(b)
    out = []
    for bid in order:
        runs = by_id[bid]
        first = dict(runs[0])
        info = dict(first.get("extra_info") or {})
        meds = [r["stats"]["median"] for r in runs if (r.get("stats") or {}).get("median")]
        info["process_medians"] = meds
        info["process_mins"] = [min(r["stats"]["data"]) if (r.get("stats") or {}).get("data")
                                else r["stats"].get("min") for r in runs if (r.get("stats") or {}).get("median")]
        info["processes"] = len(meds)
        data = [v for r in runs for v in (r.get("stats") or {}).get("data") or ()]
        st = dict(first.get("stats") or {})
        if data and len(runs) > 1:
            q1, med, q3 = quartiles(data)
            st.update(data=data, rounds=len(data), median=med, q1=q1, q3=q3, iqr=q3 - q1, min=min(data),
                      max=max(data), mean=statistics.fmean(data),
                      stddev=statistics.stdev(data))
            info["median_ci"], info["rel_iqr"] = list(median_ci(data)), rel_iqr(data)
        first["stats"], first["extra_info"] = st, info
        out.append(first)
    return out
