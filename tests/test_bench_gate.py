"""The timing gate's decision from process-level samples, on synthetic timings (no real
timing, no framework): identical code run in fresh processes is never "slower", a planted
20% slowdown always is, rows the machine cannot decide are "inconclusive", and the A/A
calibration (yardsticks, an explicit A/A pair) widens what identical code may move."""

import math
import random
import statistics

from conformance.bench.processes import merge_processes, schedule
from reports import timing_stats as ts
from reports.compare import compare_docs, format_comparison


def process_medians(rng, n, median=1e-3, spread=0.05, shift=1.0, run_shift=1.0):
    """n per-process medians: lognormal around ``median`` with a relative sd of ``spread``
    between processes, the whole run moved by ``run_shift`` (the machine's state)."""
    return [median * shift * run_shift * math.exp(rng.gauss(0, spread)) for _ in range(n)]


def test_identical_code_is_never_slower_in_many_comparisons():
    rng = random.Random(1)
    results = []
    for _ in range(400):
        a, b = process_medians(rng, 5, spread=0.06), process_medians(rng, 5, spread=0.06)
        results.append(ts.process_verdict(a, b, 0.10, machine_sd=0.06)["verdict"])
    assert results.count("slower") == 0 and results.count("faster") == 0
    assert results.count("same") >= 380


def test_a_twenty_percent_slowdown_is_always_slower():
    rng = random.Random(2)
    for _ in range(200):
        a, b = process_medians(rng, 5, spread=0.03), process_medians(rng, 5, spread=0.03, shift=1.2)
        assert ts.process_verdict(a, b, 0.10, machine_sd=0.03)["verdict"] == "slower"


def test_a_row_noisier_than_its_ratio_is_inconclusive():
    rng = random.Random(3)
    verdicts = []
    for _ in range(200):
        a, b = process_medians(rng, 5, spread=0.25), process_medians(rng, 5, spread=0.25)
        verdicts.append(ts.process_verdict(a, b, 0.10, machine_sd=0.05)["verdict"])
    # its own spread, estimated from 10 processes, is now and then small by chance: rare calls
    assert verdicts.count("slower") + verdicts.count("faster") <= 2
    assert verdicts.count("inconclusive") >= 40  # the ratios that pass 10% by chance, undecided


def test_drift_of_the_machine_widens_the_band():
    a, b = [1.0, 1.01, 0.99, 1.0, 1.0], [1.15, 1.16, 1.14, 1.15, 1.15]
    assert ts.process_verdict(a, b, 0.10)["verdict"] == "slower"
    moved = ts.process_verdict(a, b, 0.10, drift_log=math.log(1.15))
    assert moved["verdict"] == "inconclusive" and abs(moved["drift"] - 0.15) < 1e-9


def test_machine_spread_is_the_median_rows_spread():
    tight = ([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    noisy = ([1.0, 1.2, 0.8], [1.0, 1.2, 0.8])
    assert ts.machine_spread([tight, tight, noisy]) == 0.0
    assert ts.machine_spread([noisy, noisy, tight]) > 0.15
    assert ts.drift([([1.0, 1.0], [1.1, 1.1]), ([1.0], [0.8])]) == abs(math.log(0.8))
    assert ts.pooled_sd([0.0], [0.1, -0.1]) == ts.pooled_sd([], [0.1, -0.1]) > 0  # one side of one
    assert ts.pooled_sd([0.0], [0.0]) is None


def test_one_process_in_a_run_cannot_decide():
    """Its spread is unknown (the machine may have been loaded just then): beyond the
    threshold is inconclusive, never slower; within it, the same."""
    rng = random.Random(8)
    base = bench(runs(rng), KINDS)
    one = bench({k: [x * (1.5 if k == "op1:forward" else 1.0) for x in v[:1]] for k, v in runs(rng).items()}, KINDS)
    c = compare_docs({"cases": []}, {"cases": []}, base, one, 0.10)
    assert not c.slower and "op1:forward" in [r[0] for r in c.inconclusive]
    assert any("timed in one process in a run" in n for n in c.notes)


def bench(rows, kinds=None):
    """A bench document whose rows carry per-process medians."""
    kinds = kinds or {}
    return {"benchmarks": [{"name": bid, "extra_info": {"bench_id": bid, "kind": kinds.get(bid, "module"),
                                                        "framework": "f", "device": "cpu", "dtype": "float32",
                                                        "process_medians": meds, "processes": len(meds)},
                            "stats": {"median": statistics.median(meds), "iqr": 0.0, "rounds": len(meds)}}
                           for bid, meds in rows.items()]}


def runs(rng, shift_row=None, shift=1.0, run_shift=1.0, rows=12):
    out = {}
    for i in range(rows):
        bid = f"op{i}:forward"
        out[bid] = process_medians(rng, 5, median=1e-3 * (i + 1), spread=0.04, run_shift=run_shift,
                                   shift=shift if bid == shift_row else 1.0)
    out["gemm@1024:forward"] = process_medians(rng, 5, median=2e-2, spread=0.02, run_shift=run_shift)
    return out


KINDS = {"gemm@1024:forward": "gemm"}


def test_compare_decides_from_process_medians_and_catches_the_planted_row():
    rng = random.Random(5)
    base = bench(runs(rng), KINDS)
    for _ in range(20):
        same = compare_docs({"cases": []}, {"cases": []}, base, bench(runs(rng), KINDS), 0.10)
        assert not same.slower, format_comparison(same)
    planted = bench(runs(rng, "op3:forward", 1.2), KINDS)
    c = compare_docs({"cases": []}, {"cases": []}, base, planted, 0.10)
    assert [r[0] for r in c.slower] == ["op3:forward"]
    text = format_comparison(c)
    assert "decided from each process's medians (5 processes per run)" in text
    assert "identical code moves up to" in text and "result: REGRESSED" in text


def test_a_machine_slower_as_a_whole_is_not_a_regression():
    """The second run on a machine 20% slower (the yardstick shows it): inconclusive rows,
    never "slower"."""
    rng = random.Random(6)
    base, loaded = bench(runs(rng), KINDS), bench(runs(rng, run_shift=1.2), KINDS)
    c = compare_docs({"cases": []}, {"cases": []}, base, loaded, 0.10)
    assert not c.slower and c.inconclusive and not c.regressed
    assert any("A/A drift 2" in n or "A/A drift 1" in n for n in c.notes), c.notes


def test_an_explicit_aa_pair_calibrates_the_band():
    """Without yardsticks, an A/A pair that moved 15% says identical code moves that much."""
    rng = random.Random(7)
    a = {k: v for k, v in runs(rng).items() if not k.startswith("gemm")}
    b = {k: [x * 1.16 for x in v] if k == "op2:forward" else v for k, v in a.items()}
    assert compare_docs({"cases": []}, {"cases": []}, bench(a), bench(b), 0.10).slower
    aa = [(v, [x * 1.2 for x in v]) for v in list(a.values())[:2]]
    c = compare_docs({"cases": []}, {"cases": []}, bench(a), bench(b), 0.10, calibration=aa)
    assert not c.slower and [r[0] for r in c.inconclusive] == ["op2:forward"]


def test_the_gate_uses_each_process_fastest_round():
    """Medians that a loaded machine spread out, fastest rounds that agree: decided."""
    old, new = bench({"r": [1.0, 1.6, 1.1, 2.0, 1.3]}), bench({"r": [1.5, 1.25, 2.4, 1.3, 1.9]})
    for doc, mins in ((old, [1.0, 1.01, 0.99, 1.0, 1.0]), (new, [1.2, 1.21, 1.19, 1.2, 1.2])):
        doc["benchmarks"][0]["extra_info"]["process_mins"] = mins
    c = compare_docs({"cases": []}, {"cases": []}, old, new, 0.10)
    assert [r[0] for r in c.slower] == ["r"]
    del old["benchmarks"][0]["extra_info"]["process_mins"]  # older files: the medians
    assert not compare_docs({"cases": []}, {"cases": []}, old, new, 0.10).slower


def test_instruction_gate():
    old = {"per_call": 1_000_000, "jitter": 0.001}
    assert ts.instruction_verdict(old, {"per_call": 1_000_500, "jitter": 0.001}, 0.10)["verdict"] == "same"
    assert ts.instruction_verdict(old, {"per_call": 1_105_000, "jitter": 0.001}, 0.10)["verdict"] == "slower"
    assert ts.instruction_verdict(old, {"per_call": 850_000, "jitter": 0.001}, 0.10)["verdict"] == "faster"
    jittery = ts.instruction_verdict({"per_call": 1e6, "jitter": 0.1}, {"per_call": 1.2e6, "jitter": 0.1}, 0.10)
    assert jittery["verdict"] == "inconclusive"


def test_compare_by_instructions():
    def doc(counts):
        return {"benchmarks": [], "conformance": {"instructions": {
            bid: {"per_call": n, "jitter": 0.002} for bid, n in counts.items()} | {"x:forward": {"skip": "no"}}}}
    old = doc({"a:forward": 1e6, "b:forward": 2e6})
    new = doc({"a:forward": 1.2e6, "b:forward": 2.001e6})
    c = compare_docs({"cases": []}, {"cases": []}, old, new, 0.10, metric="instructions")
    assert [r[0] for r in c.slower] == ["a:forward"] and not c.inconclusive
    assert "instructions per call" in format_comparison(c)
    none = compare_docs({"cases": []}, {"cases": []}, {"benchmarks": []}, new, 0.10, metric="instructions")
    assert not none.regressed and any("no instruction counts in OLD" in n for n in none.notes)


def test_processes_merge_into_one_row_with_per_process_medians():
    def proc(med):
        return {"benchmarks": [{"name": "r", "extra_info": {"bench_id": "r"},
                                "stats": {"median": med, "data": [med * 0.99, med, med * 1.01]}}]}
    rows = merge_processes([proc(1.0), proc(2.0), proc(3.0)])
    assert len(rows) == 1
    info, st = rows[0]["extra_info"], rows[0]["stats"]
    assert info["process_medians"] == [1.0, 2.0, 3.0] and info["processes"] == 3
    assert info["process_mins"] == [0.99 * m for m in (1.0, 2.0, 3.0)]  # each process's fastest round: what the gate uses
    assert st["rounds"] == 9 and st["median"] == 2.0 and len(info["median_ci"]) == 2
    single = merge_processes([proc(1.0)])[0]
    assert single["stats"]["rounds"] == 3 if "rounds" in single["stats"] else True
    assert single["extra_info"]["process_medians"] == [1.0]


def test_schedule_is_abba_over_frameworks_and_sides():
    assert schedule(["x", "y"], 3) == [("a", "x", 0), ("a", "y", 0), ("a", "y", 1), ("a", "x", 1),
                                       ("a", "x", 2), ("a", "y", 2)]
    order = [(s, f) for s, f, _ in schedule(["x"], 4, ("a", "b"))]
    assert order == [("a", "x"), ("b", "x"), ("b", "x"), ("a", "x")] * 2


def test_a_shift_every_row_shares_is_the_machine_unless_a_yardstick_rules_it_out():
    """Tight rows, all 1.6x slower in the second run (the machine under load), a yardstick
    too noisy to say: inconclusive. The same rows with a steady yardstick that did not
    move: the code slowed everything, decided slower."""
    rows = {f"op{i}:forward": [1e-3 * (i + 1) * (1 + 0.002 * k) for k in range(5)] for i in range(6)}
    slow = {k: [x * 1.6 for x in v] for k, v in rows.items()}
    noisy_yard, steady_yard = [1.0, 2.0, 1.3, 0.7, 1.6], [1.0, 1.002, 0.998, 1.001, 0.999]
    old = bench({**rows, "gemm@1024:forward": noisy_yard}, KINDS)
    new = bench({**slow, "gemm@1024:forward": noisy_yard[::-1]}, KINDS)
    c = compare_docs({"cases": []}, {"cases": []}, old, new, 0.10)
    assert not c.slower and len(c.inconclusive) == 6
    old = bench({**rows, "gemm@1024:forward": steady_yard}, KINDS)
    new = bench({**slow, "gemm@1024:forward": steady_yard}, KINDS)
    assert len(compare_docs({"cases": []}, {"cases": []}, old, new, 0.10).slower) == 6
