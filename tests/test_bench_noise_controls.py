"""The harness's noise controls and the rows' uncertainty, without timing anything real:
the collector is off (after a full collection) while rounds run and back on after;
collections that still happen are counted; each row gets an interval and a spread; the
report flags rows noisier than the run's GEMM yardstick allows and draws them hollow."""

import gc

from conformance.bench.harness import Budget, Prepared, collector_off, measure
from reports.benchmarks import rows, section
from tests.report_fixtures import bench_doc


class RecordingBenchmark:
    """pytest-benchmark's pedantic loop, with ``stats.stats.data`` like the real one."""

    def __init__(self, times):
        self.times, self.gc_states = times, []

    def pedantic(self, target, rounds, warmup_rounds, iterations):
        for _ in range(warmup_rounds + rounds):
            self.gc_states.append(gc.isenabled())
            for _ in range(iterations):
                target()
        self.stats = type("M", (), {"stats": type("S", (), {"data": self.times[:rounds]})()})()


def test_rounds_run_with_the_collector_off_and_it_comes_back():
    assert gc.isenabled()
    bench = RecordingBenchmark([1e-3 * (1 + i / 100) for i in range(40)])
    info = measure(bench, Prepared(lambda: [], lambda _r: None), Budget(round_s=1e-4, total_s=1e-3, min_rounds=9))
    assert bench.gc_states and not any(bench.gc_states)  # off in every round, warm-up included
    assert gc.isenabled()
    assert info["gc_collections"] == 0 and "off" in info["gc"]
    lo, hi = info["median_ci"]
    assert lo <= sorted(bench.times[:info["rounds"]])[info["rounds"] // 2] <= hi
    assert 0 < info["rel_iqr"] < 0.2


def test_collections_during_rounds_are_counted():
    """A planted op that forces a collection inside its call: the row says so."""
    seen = {}
    with collector_off(seen):
        gc.collect()
        gc.collect()
    assert seen["collections"] == 2 and gc.isenabled()


def test_collector_left_off_stays_off():
    gc.disable()
    try:
        with collector_off({}):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _with_rounds(doc, spread_of):
    """Give each row 20 rounds whose relative IQR is ``spread_of(bench_id)``."""
    for b in doc["benchmarks"]:
        med, s = b["stats"]["median"], spread_of(b["extra_info"]["bench_id"])
        data = [med * (1 + s * (i / 19 - 0.5) * 2 / 1.0) for i in range(20)]  # uniform ±s around med
        b["stats"].update(data=data, median=med, rounds=20)
    return doc


def test_rows_carry_intervals_and_noisy_flags_against_the_yardstick():
    noisy_id = "linear-torch-float32-cpu:forward"
    doc = _with_rounds(bench_doc(), lambda bid: 0.02 if bid.startswith("gemm") else 0.5 if bid == noisy_id else 0.04)
    rs = {r["bench_id"]: r for r in rows(doc)}
    for r in rs.values():
        assert r["ci_low"] <= r["median"] <= r["ci_high"]
        assert r["allowance"] == 0.10  # 2 × the 2% yardstick is below the 10% floor
    assert rs[noisy_id]["noisy"] and rs[noisy_id]["yardstick"].startswith("gemm@1024-torch")
    assert not any(r["noisy"] for bid, r in rs.items() if bid != noisy_id)
    html = section(doc)
    assert html.count("noisy (IQR 5") == 1  # beside the one noisy row's median, in words
    assert 'stroke-dasharray="3 2"' in html  # its bar drawn hollow
    assert "1 of" in html and "rows noisy" in html


def test_a_noisy_yardstick_raises_the_allowance():
    doc = _with_rounds(bench_doc(), lambda bid: 0.3 if bid.startswith("gemm") else 0.4)
    rs = rows(doc)
    assert all(abs(r["allowance"] - 0.6 * 0.95) < 0.1 for r in rs)  # ≈ 2 × the yardstick's spread
    assert not any(r["noisy"] for r in rs)
    assert "the machine was noisy" in section(doc)  # but the report says no row is confident


def test_rows_without_rounds_fall_back_to_the_iqr():
    rs = rows(bench_doc())  # stats without "data": every IQR 20% of the median, the GEMM's too
    assert all(r.get("ci_low") is None and abs(r["rel_iqr"] - 0.2) < 1e-9 for r in rs)
    assert all(abs(r["allowance"] - 0.4) < 1e-9 and not r["noisy"] for r in rs)
