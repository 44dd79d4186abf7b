"""The regression gate: ``python -m conformance compare OLD NEW [--max-slowdown 10%]``.

OLD and NEW are results.json files, pytest-benchmark JSON files, or directories holding
``results.json`` and optionally ``bench.json``. Checks are matched by (case id, check)
and timings by ``bench_id``. Regressions (exit 1): a check that fails or errors in NEW
but did not in OLD (or did not exist), and a timing whose NEW median exceeds the OLD
median by more than the allowed slowdown. Reported without failing the gate: fixed
checks, verdict changes, checks that became skips, cases that appeared or disappeared,
timings that got faster or have no counterpart.

Timings (``--metric time``, the default) are decided from process-level samples where the
runs have them (``bench --processes K``: one median per fresh worker process): a row is
"slower" when the ratio of its mean log process samples (each process's fastest round,
else its median) exceeds ``1 + max_slowdown`` and
also exceeds what identical code moves on this machine today — ``Z`` standard errors of
the process spread plus the A/A drift of the yardsticks (or of an explicit A/A pair,
``calibrate``); a ratio beyond the threshold inside that band is "inconclusive" (listed,
not a regression). See ``reports.timing_stats.process_verdict``. Rows timed in one process
per run fall back to the rank test over their rounds (``reports.timing_stats.verdict``),
rows without rounds to the medians. ``--metric instructions`` decides from the
instructions per call counted by ``bench --instructions``
(``reports.timing_stats.instruction_verdict``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .benchmarks import rows as bench_rows
from .compare_findings import compare_findings, format_findings
from .inputs import InputError, load, resolve
from .svg import seconds
from .timing_stats import (ALLOWANCE_FLOOR, ALPHA, ALPHA_NOISY, MIN_PROCESSES, Z, drift, instruction_verdict,
                           machine_drift, machine_spread, process_verdict, verdict)

BAD = ("fail", "error")


def parse_slowdown(text: str) -> float:
    """'10%' -> 0.10; '0.1' -> 0.10 (a bare number is a fraction)."""
    t = str(text).strip()
    try:
        value = float(t[:-1]) / 100 if t.endswith("%") else float(t)
    except ValueError:
        raise InputError(f"--max-slowdown must look like 10% or 0.1, not {text!r}") from None
    if not value >= 0:
        raise InputError(f"--max-slowdown must be non-negative, not {text!r}")
    return value


@dataclass
class Comparison:
    max_slowdown: float
    metric: str = "time"
    new_failures: list = field(default_factory=list)
    fixed: list = field(default_factory=list)
    verdict_changes: list = field(default_factory=list)
    new_skips: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    added: list = field(default_factory=list)
    slower: list = field(default_factory=list)
    faster: list = field(default_factory=list)
    inconclusive: list = field(default_factory=list)
    timing_unmatched: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    findings: dict = field(default_factory=dict)  # reports.compare_findings: new, fixed, changed

    @property
    def regressed(self) -> bool:
        return bool(self.new_failures or self.slower or self.findings.get("new"))


def _records(doc) -> dict:
    return {(r["case_id"], r["check"]): r for r in doc.get("cases", [])}


def _medians(bench) -> dict:
    return {r["bench_id"]: r for r in bench_rows(bench or {}) if r.get("median")}


def compare_docs(old: dict, new: dict, old_bench: dict | None, new_bench: dict | None,
                 max_slowdown: float = 0.10, metric: str = "time", calibration=None) -> Comparison:
    """``calibration``: [(old process medians, new process medians)] of rows that did not
    change between two runs (an A/A pair, :func:`calibration_pairs`): how far identical
    code moves on this machine, on top of the yardsticks."""
    c = Comparison(max_slowdown, metric)
    c.findings = compare_findings(old, new) if old.get("cases") and new.get("cases") else {}
    a, b = _records(old), _records(new)
    for key, r in sorted(b.items()):
        o = a.get(key)
        if r["status"] in BAD and (o is None or o["status"] not in BAD):
            c.new_failures.append((key, o["status"] if o else "absent", r))
        elif o is not None and o["status"] in BAD and r["status"] == "pass":
            c.fixed.append((key, o["status"], r))
        elif o is not None and r["status"] == "skip" and o["status"] == "pass":
            c.new_skips.append((key, r))
        elif o is not None and o.get("verdict") != r.get("verdict") and r["status"] not in BAD:
            c.verdict_changes.append((key, o.get("verdict"), r.get("verdict")))
    old_cases, new_cases = {k[0] for k in a}, {k[0] for k in b}
    c.missing, c.added = sorted(old_cases - new_cases), sorted(new_cases - old_cases)
    if old_bench is not None and new_bench is not None and metric == "instructions":
        _compare_instructions(c, old_bench, new_bench, max_slowdown)
    elif old_bench is not None and new_bench is not None:
        ma, mb = _medians(old_bench), _medians(new_bench)
        common = sorted(set(ma) & set(mb))
        procs = {bid for bid in common if min(_processes(ma[bid]), _processes(mb[bid])) >= MIN_PROCESSES}
        single = {bid for bid in common if bid not in procs and max(_processes(ma[bid]), _processes(mb[bid]))}
        pairs = [(_samples(ma[b]), _samples(mb[b])) for b in sorted(procs)]
        machine_sd = machine_spread(pairs)
        yard = [(_samples(ma[b]), _samples(mb[b])) for b in sorted(procs)
                if ma[b].get("kind") == "gemm"]
        drift_log = max(machine_drift(pairs, yard), drift(calibration or []))
        if procs:
            kind = "fastest rounds" if all(_samples(ma[b]) is not ma[b]["process_medians"] for b in procs) else "medians"
            c.notes.append(f"decided from each process's {kind} ({_span(ma, mb, procs)} processes per run): machine "
                           f"spread between processes {100 * machine_sd:.1f}%, A/A drift "
                           f"{100 * (math.exp(drift_log) - 1):.1f}% "
                           f"(yardsticks and the shift all rows share{'' if yard else '; no yardstick'}"
                           f"{' + calibration pair' if calibration else ''}), band Z = {Z:g}")
        for bid in common:
            ratio = mb[bid]["median"] / ma[bid]["median"]
            row = (bid, ma[bid], mb[bid], ratio)
            da, db = ma[bid].get("data"), mb[bid].get("data")
            if bid in procs:
                v = process_verdict(_samples(ma[bid]), _samples(mb[bid]), max_slowdown,
                                    machine_sd=machine_sd, drift_log=drift_log)
                row = (bid, ma[bid], mb[bid], v["ratio"], v)
                {"slower": c.slower, "faster": c.faster, "inconclusive": c.inconclusive}.get(
                    v["verdict"], []).append(row)
            elif bid in single:  # one process on a side: its spread is unknown, so is the band
                if not 1 / (1 + max_slowdown) <= ratio <= 1 + max_slowdown:
                    c.inconclusive.append(row)
            elif da and db:
                allow = max(ma[bid].get("allowance") or 0, mb[bid].get("allowance") or 0)
                v = verdict(da, db, max_slowdown, allowance=allow or ALLOWANCE_FLOOR)
                row = (bid, ma[bid], mb[bid], ratio, v["p"], v["noisy"])
                {"slower": c.slower, "faster": c.faster, "inconclusive": c.inconclusive}.get(
                    v["verdict"], []).append(row)
            elif ratio > 1 + max_slowdown:
                c.slower.append(row)
            elif ratio < 1 / (1 + max_slowdown):
                c.faster.append(row)
        if single:
            c.notes.append(f"{len(single)} timing rows were timed in one process in a run: a ratio beyond the "
                           "threshold is inconclusive (bench --processes 5 for process-level samples)")
        if len(procs) + len(single) < len(common):
            c.notes.append(f"{len(common) - len(procs) - len(single)} timing rows carry no process samples (older "
                           "files): decided from the rounds of one process")
        c.timing_unmatched = sorted(set(ma) ^ set(mb))
        c.notes += _yardstick_moves(ma, mb, max_slowdown)
    elif (old_bench is None) != (new_bench is None):
        c.notes.append(f"timings only in {'NEW' if old_bench is None else 'OLD'}: not compared")
    return c


def _processes(row: dict) -> int:
    return len(row.get("process_medians") or ())


def _samples(row: dict) -> list:
    """A row's process-level samples: each process's fastest round (other processes only
    ever add time, so it moves least with the machine's load), else its median."""
    mins = row.get("process_mins") or []
    return mins if len(mins) == _processes(row) and all(mins) else row["process_medians"]


def _span(ma, mb, ids) -> str:
    ns = sorted({_processes(ma[b]) for b in ids} | {_processes(mb[b]) for b in ids})
    return str(ns[0]) if len(ns) == 1 else f"{ns[0]}–{ns[-1]}"


def calibration_pairs(a_bench: dict, b_bench: dict) -> list:
    """An A/A pair of bench documents (same code, two runs): the rows' process medians."""
    ma, mb = _medians(a_bench), _medians(b_bench)
    return [(_samples(ma[b]), _samples(mb[b])) for b in sorted(set(ma) & set(mb))
            if _processes(ma[b]) >= 1 and _processes(mb[b]) >= 1]


def _counts(bench: dict) -> dict:
    rows = ((bench or {}).get("conformance") or {}).get("instructions") or {}
    return {bid: r for bid, r in rows.items() if isinstance(r, dict) and r.get("per_call")}


def _compare_instructions(c: Comparison, old_bench: dict, new_bench: dict, max_slowdown: float) -> None:
    ca, cb = _counts(old_bench), _counts(new_bench)
    if not ca or not cb:
        c.notes.append(f"no instruction counts in {'OLD' if not ca else 'NEW'} (bench --instructions): "
                       "the instruction gate compared nothing")
    for bid in sorted(set(ca) & set(cb)):
        v = instruction_verdict(ca[bid], cb[bid], max_slowdown)
        row = (bid, ca[bid], cb[bid], v["ratio"], v)
        {"slower": c.slower, "faster": c.faster, "inconclusive": c.inconclusive}.get(v["verdict"], []).append(row)
    c.timing_unmatched = sorted(set(ca) ^ set(cb))


def _yardstick_moves(ma: dict, mb: dict, max_slowdown: float) -> list[str]:
    """A note per GEMM yardstick whose median moved by more than half the threshold: the
    machine (load, frequency) changed between the runs, so that framework's verdicts may
    be the machine's."""
    out = []
    for bid in sorted(set(ma) & set(mb)):
        if ma[bid].get("kind") == "gemm":
            ratio = mb[bid]["median"] / ma[bid]["median"]
            if abs(ratio - 1) > max_slowdown / 2:
                out.append(f"the yardstick {bid} moved {100 * (ratio - 1):+.0f}% between the runs: the "
                           "machine changed; that framework's timing verdicts may be the machine's")
    return out


def compare_paths(old, new, max_slowdown: float = 0.10, metric: str = "time", calibrate=None) -> Comparison:
    """``calibrate``: two paths of an A/A pair (same code) whose rows' movement widens the
    band of identical code's movement (``compare_docs``'s ``calibration``)."""
    docs = []
    for path in (old, new):
        results, bench = resolve(path)
        doc, bench_doc = load(results, bench)
        docs.append((doc if results is not None else {"cases": []}, bench_doc, results is not None))
    (od, ob, o_has), (nd, nb, n_has) = docs
    calibration = None
    if calibrate:
        ca, cb = (load(*resolve(p))[1] for p in calibrate)
        calibration = calibration_pairs(ca or {}, cb or {})
    c = compare_docs(od, nd, ob, nb, max_slowdown, metric, calibration)
    if o_has != n_has:
        c.notes.append(f"results.json only in {'NEW' if n_has else 'OLD'}: checks not compared")
    return c


def _bench_line(row) -> str:
    bid, o, n, ratio, *p = row
    if p and isinstance(p[0], dict) and "sd" in p[0]:
        v = p[0]
        return (f"  {bid}: {seconds(o['median'])} -> {seconds(n['median'])} ({100 * (ratio - 1):+.0f}% over "
                f"{v['n'][0]} and {v['n'][1]} processes; identical code moves up to "
                f"±{100 * v['band']:.0f}% here: spread {100 * v['sd']:.1f}%, drift {100 * v['drift']:.1f}%)")
    if p and isinstance(p[0], dict):
        v = p[0]
        return (f"  {bid}: {o['per_call']:,.0f} -> {n['per_call']:,.0f} instructions per call "
                f"({100 * (ratio - 1):+.1f}%; identical code's counts move up to ±{100 * v['band']:.1f}%)")

    def spread(r):
        if r.get("ci_low") is not None and r.get("ci_high") is not None:
            return f" [95% CI {seconds(r['ci_low'])} – {seconds(r['ci_high'])}]" + (" noisy" if r.get("noisy") else "")
        return f" ± {seconds(r['iqr'] / 2)}" if r.get("iqr") else ""
    test = (f", rank test p = {p[0]:.2g}" + (f" (noisy row: needs p < {ALPHA_NOISY:g})" if p[1] else "")
            if p and p[0] is not None else ", from medians (no rounds)")
    return (f"  {bid}: {seconds(o['median'])}{spread(o)} -> {seconds(n['median'])}{spread(n)} "
            f"({100 * (ratio - 1):+.0f}%){test}")


def format_comparison(c: Comparison, old: str = "OLD", new: str = "NEW") -> str:
    out = [f"compare {old} -> {new}", *format_findings(c.findings)]

    def block(title, items, fmt):
        if items:
            out.append(f"{title} ({len(items)}):")
            out.extend(fmt(i) for i in items)

    block("new failures", c.new_failures,
          lambda i: f"  {i[0][0]} {i[0][1]}: {i[1]} -> {i[2]['status']}  {(i[2].get('reason') or '')[:200]}")
    what = ("instructions per call up" if c.metric == "instructions" else "median slower")
    block(f"timing regressions ({what} by more than {100 * c.max_slowdown:g}%)"
          + ("" if c.metric == "instructions" else ", beyond what identical code moves on this machine"),
          c.slower, _bench_line)
    block("fixed", c.fixed, lambda i: f"  {i[0][0]} {i[0][1]}: {i[1]} -> pass")
    block("verdict changes", c.verdict_changes, lambda i: f"  {i[0][0]} {i[0][1]}: {i[1]} -> {i[2]}")
    block("now skipped", c.new_skips, lambda i: f"  {i[0][0]} {i[0][1]}: {i[1].get('reason', '')[:160]}")
    block(f"faster by more than {100 * c.max_slowdown:g}%", c.faster, _bench_line)
    block(f"inconclusive (ratio beyond {100 * c.max_slowdown:g}% but within what identical code moves on "
          "this machine: not a regression)",
          c.inconclusive, _bench_line)
    if c.missing:
        out.append(f"cases only in {old}: {len(c.missing)} (e.g. {', '.join(c.missing[:5])})")
    if c.added:
        out.append(f"cases only in {new}: {len(c.added)} (e.g. {', '.join(c.added[:5])})")
    if c.timing_unmatched:
        out.append(f"timings without a counterpart: {len(c.timing_unmatched)}")
    out.extend(f"note: {n}" for n in c.notes)
    out.append("result: REGRESSED" if c.regressed else "result: no regressions")
    return "\n".join(out)
