"""The slowdown gate and the rows' uncertainty on synthetic per-round times (no timing,
no framework): the rank test against SciPy's, bootstrap intervals, and the gate's
behaviour — identical distributions never "slower", a 20% shift always "slower", noisy
overlapping runs "inconclusive" where the ratio of two medians alone would flap."""

import math
import random
import statistics

import pytest

from conformance.bench.harness import QUICK
from reports import timing_stats as ts
from reports.compare import compare_docs, format_comparison


def rounds(rng, n, median=1e-3, spread=0.05, shift=1.0):
    """n per-call round times: lognormal around ``median`` with a relative IQR of about
    ``spread`` (IQR of a lognormal ≈ 1.349 σ), plus rare interruptions (+50%)."""
    sigma = spread / 1.349
    out = []
    for _ in range(n):
        t = median * shift * math.exp(rng.gauss(0, sigma))
        if rng.random() < 0.05:
            t *= 1.5
        out.append(t)
    return out


@pytest.mark.parametrize("n,m", [(5, 5), (7, 9), (12, 20), (25, 25), (60, 40)])
def test_rank_test_agrees_with_scipy(n, m):
    stats = pytest.importorskip("scipy.stats")
    rng = random.Random(n * 100 + m)
    x, y = rounds(rng, n, shift=1.05), rounds(rng, m)
    method = "exact" if n + m <= ts.EXACT_MAX else "asymptotic"
    ref = stats.mannwhitneyu(x, y, alternative="greater", method=method, use_continuity=True)
    assert ts.u_statistic(x, y) == ref.statistic
    assert ts.greater_p(x, y) == pytest.approx(ref.pvalue, rel=1e-9)


def test_rank_test_with_ties_agrees_with_scipy():
    stats = pytest.importorskip("scipy.stats")
    x, y = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0], [1.0, 2.0, 2.0, 2.0, 4.0]
    ref = stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic", use_continuity=True)
    assert ts.greater_p(x, y) == pytest.approx(ref.pvalue, rel=1e-9)


def test_exact_tail_is_a_distribution():
    assert ts._exact_upper_tail(6, 4, 0) == 1.0
    assert ts._exact_upper_tail(5, 5, 25) == pytest.approx(1 / math.comb(10, 5))
    assert ts._exact_upper_tail(5, 5, 26) == 0.0


def test_bootstrap_interval_holds_the_median_and_narrows_with_rounds():
    rng = random.Random(3)
    few, many = rounds(rng, 9), rounds(rng, 200)
    for data in (few, many):
        lo, hi = ts.median_ci(data)
        assert lo <= statistics.median(data) <= hi
        assert ts.median_ci(data) == (lo, hi)  # deterministic
    width = lambda d: (ts.median_ci(d)[1] - ts.median_ci(d)[0]) / statistics.median(d)  # noqa: E731
    assert width(many) < width(few)


def test_bootstrap_interval_covers_the_true_median():
    """Coverage over 200 synthetic runs of 25 rounds: near the nominal 95% (not 50%)."""
    rng = random.Random(7)
    true = 1e-3 * 1.0  # the lognormal's median (interruptions move it a little up)
    covered = 0
    for _ in range(200):
        data = [1e-3 * math.exp(rng.gauss(0, 0.04)) for _ in range(25)]
        lo, hi = ts.median_ci(data, resamples=500)
        covered += lo <= true <= hi
    assert covered >= 180, covered


def test_identical_distributions_are_never_slower():
    rng = random.Random(11)
    verdicts = [ts.verdict(rounds(rng, 25), rounds(rng, 25), 0.10)["verdict"] for _ in range(300)]
    assert verdicts.count("slower") == 0 and verdicts.count("faster") == 0


@pytest.mark.parametrize("n", [QUICK.min_rounds, 25, QUICK.max_rounds])
def test_a_twenty_percent_shift_is_always_slower(n):
    """At the quick budget's fewest rounds and more, with a 5% spread."""
    rng = random.Random(n)
    verdicts = [ts.verdict(rounds(rng, n), rounds(rng, n, shift=1.2), 0.10)["verdict"] for _ in range(300)]
    assert verdicts.count("slower") == 300, {v: verdicts.count(v) for v in set(verdicts)}


def test_noisy_overlapping_runs_are_not_flagged_where_medians_alone_would_flap():
    rng = random.Random(5)
    pairs = [(rounds(rng, 9, spread=0.5), rounds(rng, 9, spread=0.5)) for _ in range(300)]
    medians_alone = sum(statistics.median(b) / statistics.median(a) > 1.10 for a, b in pairs)
    results = [ts.verdict(a, b, 0.10)["verdict"] for a, b in pairs]
    assert medians_alone >= 30  # the old rule: a false alarm in one comparison out of ten
    # The rank test at the noisy rows' level: false alarms at most at that rate, an order
    # of magnitude below the ratio of medians; the rest are reported as inconclusive.
    assert results.count("slower") <= ts.ALPHA_NOISY * len(pairs)
    assert results.count("slower") * 10 <= medians_alone
    assert results.count("inconclusive") >= 30


def test_shift_within_the_threshold_is_not_slower_however_certain():
    """A tight 5% shift is real but below the user's 10%: not a regression."""
    rng = random.Random(2)
    for _ in range(100):
        v = ts.verdict(rounds(rng, 25, spread=0.01), rounds(rng, 25, spread=0.01, shift=1.05), 0.10)
        assert v["verdict"] == "same"


def bench(rows_by_id):
    return {"benchmarks": [{"name": bid, "extra_info": {"bench_id": bid, "kind": "module", "framework": "f",
                                                        "device": "cpu", "dtype": "float32"},
                            "stats": {"median": statistics.median(d), "iqr": 0.0, "rounds": len(d), "data": d}}
                           for bid, d in rows_by_id.items()]}


def test_compare_uses_the_rounds():
    rng = random.Random(9)
    base = {"a": rounds(rng, 20), "b": rounds(rng, 20, spread=0.6), "c": rounds(rng, 20)}
    planted = {"a": rounds(rng, 20, shift=1.2), "b": rounds(rng, 20, spread=0.6, shift=1.0),
               "c": rounds(rng, 20)}
    # make b's median ratio exceed the threshold while its rounds overlap
    planted["b"] = [v * 1.15 * statistics.median(base["b"]) / statistics.median(planted["b"]) for v in planted["b"]]
    c = compare_docs({"cases": []}, {"cases": []}, bench(base), bench(planted), 0.10)
    assert [r[0] for r in c.slower] == ["a"]
    assert [r[0] for r in c.inconclusive] == ["b"]
    text = format_comparison(c)
    assert "rank test p" in text and "inconclusive" in text and "result: REGRESSED" in text
    same = compare_docs({"cases": []}, {"cases": []}, bench(base), bench(base), 0.10)
    assert not same.regressed and not same.inconclusive


def test_a_moved_yardstick_is_noted():
    rng = random.Random(4)
    old = bench({"gemm@1024": rounds(rng, 20)})
    new = bench({"gemm@1024": rounds(rng, 20, shift=1.3)})
    for doc in (old, new):
        doc["benchmarks"][0]["extra_info"]["kind"] = "gemm"
    c = compare_docs({"cases": []}, {"cases": []}, old, new, 0.10)
    assert any("yardstick gemm@1024 moved +3" in n for n in c.notes), c.notes
    same = compare_docs({"cases": []}, {"cases": []}, old, old, 0.10)
    assert not any("yardstick" in n for n in same.notes)
