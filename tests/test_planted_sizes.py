"""Conditional planted faults (tests/planted_sizes.py) are caught by the quick profile, each
exactly in its planted (case, check) and nowhere else; a fault that only a large shape
shows is reported at the smallest failing shape of the pool."""

from __future__ import annotations

import pytest

from conformance.plan.cases import Case
from conformance.plan.profiles import PROFILES
from conformance.run.case import run_case
from conformance.specs import BY_NAME
from conformance.plan.quick_sizes import quick_dtype
from tests.planted_sizes import CORPUS, LARGE, AboveGrain, BatchAbove64, VectorTail

DTYPES = ("float32", "float64")


def _run(adapter, module):
    spec = BY_NAME[module]
    records = []
    for variant in spec.variants:
        for dtype in DTYPES:
            if getattr(variant, "dtypes", ()) and dtype not in variant.dtypes:
                continue  # a variant about other dtypes (bfloat16/float16 ranges)
            case = Case(spec, variant, adapter.name, dtype, "cpu")
            records += run_case(case, adapter, PROFILES["quick"])
    return records


def _dtypes(planted, module_id):
    if planted.dtypes != LARGE:
        return planted.dtypes
    spec = BY_NAME[module_id.split("[")[0]]
    variant = spec.variant(module_id[len(spec.name) + 1:-1] if "[" in module_id else "")
    return (quick_dtype(spec, variant),)


def _module_id(record):
    variant = record["attrs"].get("variant") if isinstance(record["attrs"], dict) else None
    return record["module"] + (f"[{variant}]" if variant else "")


@pytest.mark.parametrize("planted", CORPUS, ids=lambda c: c.name)
def test_conditional_fault_fails_exactly_its_case(planted):
    records = [r.to_json() for r in _run(planted(), planted.module)]
    failed = {(_module_id(r), r["check"], r["dtype"]) for r in records if r["status"] != "pass"}
    expected = {(m, check, dtype) for m, check in planted.EXPECTED for dtype in _dtypes(planted, m)}
    assert failed == expected, [r["reason"] for r in records if r["status"] != "pass"]
    for r in records:
        if r["status"] == "fail":
            assert r["repro"] and "python -m conformance repro" in r["repro"]


def _failing(records):
    return [r.to_json() for r in records if r.status == "fail"]


def test_tail_fault_is_found_by_the_quick_pool_and_shrunk_in_the_full_profile():
    """The quick profile's only row past 64 is 1031 long; the full profile draws rows of
    9..65 and 1000..1031 too, and Hypothesis shrinks the failure to the smallest row that
    has a tail past a full 64-lane vector: 65."""
    bad = _failing(_run(VectorTail(), "sigmoid"))[0]
    assert bad["example"]["dims"] == {"N": 97, "D": 1031}
    spec = BY_NAME["sigmoid"]
    case = Case(spec, spec.variants[0], "vector-tail", "float32", "cpu")
    full = _failing(run_case(case, VectorTail(), PROFILES["full"], max_examples=30))
    assert full and full[0]["example"]["dims"]["D"] == 65, full[0]["example"]


def test_size_fault_needs_the_parallel_shape_and_says_so():
    bad = _failing(_run(AboveGrain(), "softmax"))[0]
    assert bad["example"]["dims"] == {"N": 97, "D": 1031}
    assert bad["thresholds"]["elements>32768"] is True
    # every small pool shape ran first and passed
    assert {"N": 1, "D": 1} in bad["shapes"] and {"N": 3, "D": 16} in bad["shapes"]


def test_batch_fault_is_pinned_to_the_batch_past_64():
    bad = _failing(_run(BatchAbove64(), "batch_norm"))
    assert {r["example"]["dims"]["N"] for r in bad} == {66}


def test_honest_references_raise_no_alarm_on_the_corpus_modules():
    from adapters.numpy import NumpyAdapter

    adapter = NumpyAdapter()
    bad = []
    for planted in CORPUS:
        bad += [(r.case_id, r.check, r.reason) for r in _run(adapter, planted.module)
                if r.status != "pass"]
    assert bad == []


def test_bfloat16_only_large_fault_fails_exactly_its_case():
    """A fault only in bfloat16 and only at a large size is caught by the quick profile's
    low-precision rotation (``quick_sizes.quick_low_dtype``): exactly linear's grad:x in
    bfloat16, at the large shape, and no other record of linear in any dtype."""
    from conformance.plan.quick_sizes import quick_low_dtype
    from tests.planted_low_precision import Bfloat16LargeTail

    spec = BY_NAME["linear"]
    assert quick_low_dtype(spec, spec.variants[0]) == "bfloat16"
    adapter = Bfloat16LargeTail()
    records = [r.to_json() for dtype in ("float32", "float64", "bfloat16", "float16")
               for r in run_case(Case(spec, spec.variants[0], adapter.name, dtype, "cpu"), adapter,
                                 PROFILES["quick"])]
    failed = [r for r in records if r["status"] != "pass"]
    assert {(r["module"], r["check"], r["dtype"]) for r in failed} == {("linear", "grad:x", "bfloat16")}, \
        [r["reason"] for r in failed]
    assert failed[0]["example"]["dims"] == {"N": 70, "I": 1031, "O": 33}
