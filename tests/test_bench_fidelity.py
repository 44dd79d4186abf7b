"""Timing fidelity's arithmetic (conformance/bench/fidelity.py) on planted timings: ABBA
order, the best-median ratio, and the fidelity criteria — with no clock involved.

The measurement itself is benchmark code, not a unit test: run it as a job on a quiet
machine (``python -m conformance.bench.fidelity --threads 1,2 --repeats 5 --strict``,
README "Timings you can compare"). On a shared 2-CPU machine two fresh processes differ by
up to 2× in the same op's median (measured on this kind of shared machine), so a timed assertion here would
flap with the machine, not with the code."""

import pytest

from conformance.bench import fidelity


def _plant(monkeypatch, suite, timer):
    """Replace both timers with queues of (median, iqr); record the call order."""
    order = []

    def fake_suite(module, threads, framework=None, mode=None):
        order.append("suite")
        median, iqr = suite.pop(0)
        return {"median": median, "iqr": iqr}

    def fake_timer(module, threads, min_run, code=None):
        order.append("timer")
        median, iqr = timer.pop(0)
        return {"median": median, "iqr": iqr}

    monkeypatch.setattr(fidelity, "suite_median", fake_suite)
    monkeypatch.setattr(fidelity, "timer_median", fake_timer)
    return order


def test_pairs_run_in_abba_order_and_compare_best_medians(monkeypatch):
    order = _plant(monkeypatch, suite=[(10e-3, 1e-3), (12e-3, 1e-3), (10.5e-3, 1e-3)],
                   timer=[(10e-3, 1e-3), (11e-3, 1e-3), (9.5e-3, 1e-3)])
    r = fidelity.measure(["conv2d"], threads=1, repeats=3, log=lambda *_: None)["conv2d"]
    assert order == ["suite", "timer", "timer", "suite", "suite", "timer"]
    assert r["pair_ratios"] == pytest.approx([1.0, 12 / 11, 10.5 / 9.5])
    assert r["best_ratio"] == pytest.approx(10 / 9.5)  # min over suite / min over timer
    # per pair (iqr/median suite) / (iqr/median timer): 1, 11/12, 9.5/10.5; their median
    assert r["median_iqr_ratio"] == pytest.approx(11 / 12)


def test_criteria_pass_agreeing_rows_and_catch_a_planted_slowdown_or_noise(monkeypatch):
    agree = [(10e-3, 0.5e-3)] * 5
    _plant(monkeypatch, suite=list(agree), timer=list(agree))
    ok, text = fidelity.criteria(fidelity.measure(["lstm"], 1, 5, log=lambda *_: None)["lstm"], 0.05, 1.5)
    assert ok, text
    # one pair 20% slower (a planted slowdown in one suite process) fails the pair bar
    _plant(monkeypatch, suite=list(agree[:4]) + [(12e-3, 0.5e-3)], timer=list(agree))
    ok, text = fidelity.criteria(fidelity.measure(["lstm"], 1, 5, log=lambda *_: None)["lstm"], 0.05, 1.5)
    assert not ok and "NOT all" in text
    # medians agree but the suite's spread is 3× the reference's: the IQR bar fails
    _plant(monkeypatch, suite=[(10e-3, 1.5e-3)] * 5, timer=list(agree))
    ok, text = fidelity.criteria(fidelity.measure(["lstm"], 1, 5, log=lambda *_: None)["lstm"], 0.05, 1.5)
    assert not ok and "ABOVE" in text
