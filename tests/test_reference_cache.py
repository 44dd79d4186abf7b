"""The reference results an example's cases share (conformance/run/reference_cache.py): computed
once, reused by the next adapter's case of the same example, bounded by bytes."""

import numpy as np
import pytest

from conformance.run import reference_cache as rc


@pytest.fixture(autouse=True)
def empty(monkeypatch):
    monkeypatch.setattr(rc, "_cache", type(rc._cache)())
    monkeypatch.setattr(rc, "_total", [0])


def _compute(counter, value):
    def run():
        counter.append(1)
        return value
    return run


def test_a_whole_cases_entries_stay_for_the_next_adapter():
    """A case of 9 examples × (probe, forward, VJP) leaves 27 entries: the next adapter's
    case of the same examples finds all of them (a bound of 16 entries evicted them)."""
    calls = []
    keys = [("lstm", "", "float32", kind, f'{{"seed": {i}}}', "{}")
            for i in range(9) for kind in ("probe", "forward", "vjp")]
    for k in keys:
        rc.cached(k, _compute(calls, np.zeros(64)))
    for k in keys:  # the next framework's case
        rc.cached(k, _compute(calls, np.zeros(64)))
    assert len(calls) == len(keys)


def test_the_budget_evicts_the_oldest_by_bytes(monkeypatch):
    monkeypatch.setattr(rc, "BUDGET_BYTES", 3 * 8000)
    calls = []
    for i in range(5):
        rc.cached(("m", "", "float64", "vjp", str(i), "{}"), _compute(calls, (np.zeros(1000),)))
    assert rc._total[0] <= rc.BUDGET_BYTES and len(rc._cache) == 3
    rc.cached(("m", "", "float64", "vjp", "4", "{}"), _compute(calls, None))  # newest: kept
    rc.cached(("m", "", "float64", "vjp", "0", "{}"), _compute(calls, (np.zeros(1000),)))  # evicted
    assert len(calls) == 6


def test_one_result_larger_than_the_budget_is_still_returned_and_kept_alone(monkeypatch):
    monkeypatch.setattr(rc, "BUDGET_BYTES", 100)
    big = np.zeros(1000)
    assert rc.cached(("m", "", "float64", "probe", "0", "{}"), lambda: big) is big
    assert len(rc._cache) == 1
    assert rc.nbytes((big, [big], {"a": big})) == 3 * big.nbytes
