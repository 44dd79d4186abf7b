"""Expected failures are keyed by fields and validated against the spec table: an entry that
names no module, variant, argument or check of the table is an error, never a silent no-op."""

from __future__ import annotations

import pytest

from conformance.known.expected_failures import EXPECTED, Expected, TableError, apply, match, validate
from conformance.results.records import Record


def test_the_table_validates():
    validate()
    assert len(EXPECTED) > 10


@pytest.mark.parametrize("entry, says", [
    (Expected("max_pool3d", "tensorflow", ("grad:x",), "w", variant="tie"), "no variant of max_pool3d matches 'tie'"),
    (Expected("max_pool3d", "tensorflow", ("grad:y",), "w", variant="ties*"), "max_pool3d has no check 'grad:y'"),
    (Expected("max_pool3d", "tensorflow", ("jvp:w@forward_accumulator",), "w"), "has no check 'jvp:w@forward_accumulator'"),
    (Expected("maxpool3d", "tensorflow", ("grad:x",), "w"), "no module 'maxpool3d'"),
    (Expected("relu", "tensorflw", ("grad:x",), "w"), "unknown framework 'tensorflw'"),
    (Expected("relu", "torch", ("grad:x",), "w", dtype="fp32"), "unknown dtype 'fp32'"),
    (Expected("relu", "torch", ("grad:x",), "w", mode="jit"), "unknown mode 'jit'"),
    (Expected("layer_norm", "torch", ("forward",), "w", form="*C=1*"), "no form of layer_norm matches '*C=1*'"),
])
def test_an_entry_that_matches_nothing_is_an_error_naming_it(entry, says):
    with pytest.raises(TableError, match=None) as info:
        validate([entry])
    assert says in str(info.value)


def _record(check="grad:x", status="fail", **kw):
    base = dict(module="max_pool3d", attrs={"variant": "ties,k=2,s=1"}, framework="tensorflow",
                device="cpu", dtype="float32", mode="eager", check=check,
                case_id="max_pool3d[ties,k=2,s=1]-tensorflow-float32-cpu", status=status, reason="r")
    return Record(**{**base, **kw})


def test_entries_cover_cases_by_fields_not_by_id_strings():
    entry = Expected("max_pool3d", "tensorflow", ("grad:x",), "why", variant="ties*", dtype="float32")
    assert entry.covers(_record())
    assert entry.covers(_record().to_json())
    # Each field decides on its own: another dtype, framework, variant or mode is not covered,
    # whatever the case id says.
    assert not entry.covers(_record(dtype="float64"))
    assert not entry.covers(_record(framework="torch"))
    assert not entry.covers(_record(attrs={"variant": "k=2,s=2"}))
    assert entry.covers(_record(case_id="anything-else"))  # the id is not read
    compiled = Expected("max_pool3d", "tensorflow", ("grad:x",), "why", mode="compiled")
    assert compiled.covers(_record(mode="compiled")) and not compiled.covers(_record())
    # a form pattern: only the records of those forms (a record without one is canonical)
    single = Expected("max_pool3d", "tensorflow", ("grad:x",), "why", form="*N=1*")
    assert single.covers(_record(form="N=1")) and single.covers(_record(form="N=1+strided"))
    assert not single.covers(_record()) and not single.covers(_record(form="transposed"))
    assert Expected("max_pool3d", "tensorflow", ("grad:x",), "why", form="canonical").covers(_record())


def test_apply_marks_a_case_xfail_only_when_every_failure_is_explained():
    r = _record()
    assert match(r) is not None
    records = [r, _record(check="forward", status="pass")]
    assert apply(records) and r.status == "xfail" and r.reason.startswith("expected failure — ")
    assert r.reason.endswith("Measured: r")
    # One unexplained failure beside it: nothing is marked, the case fails.
    other = _record(check="forward", status="fail")
    records = [_record(), other]
    assert not apply(records) and records[0].status == "fail"
    # An error is never expected.
    records = [_record(status="error")]
    assert not apply(records) and records[0].status == "error"


def test_an_expected_failure_is_explained_unless_the_witnesses_settle_it():
    from conformance.judge.verdicts import explain_expected

    open_ = {"status": "xfail", "verdict": "unexplained"}
    proven = {"status": "xfail", "verdict": "framework-discrepancy"}
    new = {"status": "fail", "verdict": "unexplained"}
    explain_expected([open_, proven, new])
    assert open_["verdict"] == "explained"
    assert proven["verdict"] == "framework-discrepancy"
    assert new["verdict"] == "unexplained"  # nobody explained it: it stays so


def test_apply_names_the_entry_on_the_record():
    r = _record()
    apply([r])
    assert r.witnesses["expected_failure"]["entry"] == match(_record()).label
