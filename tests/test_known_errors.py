"""Framework errors as findings (conformance/harness/framework_errors.py): an error record becomes
``framework-error`` only when its entry's plain-framework snippet, run in a fresh process,
fails with the same text; anything else leaves it ``unexplained``, saying what the snippet
did."""

import importlib.util

import pytest

from conformance.harness import framework_errors
from conformance.known import discrepancies as known
from conformance.known.discrepancies import KnownError

SIGNATURE = "<dtype: 'variant'> is not compatible with"


def _record(case_id, check, reason, status="error", verdict="unexplained"):
    return {"case_id": case_id, "check": check, "status": status, "verdict": verdict,
            "reason": reason, "witnesses": {}}


def _entry(code, signature="planted signature 42"):
    return KnownError("planted-error", "planted", "op[*]-planted-*", ("grad:*",), signature,
                      "a planted framework error", code)


def test_find_error_needs_case_check_and_signature_to_match():
    case, reason = "lstm[form=standard]-tensorflow-float32-cpu-compiled", f"TypeError: x {SIGNATURE} 1"
    assert known.find_error(case, "jvp:x@forward_accumulator", reason).id == \
        "tf-forward-accumulator-tensorarray-graph"
    assert known.find_error(case, "hvp:W_i@fwd_over_rev", reason) is not None
    assert known.find_error(case, "hvp:x@nested_tapes", reason) is None        # another route
    assert known.find_error(case.replace("-compiled", ""), "jvp:x@forward_accumulator", reason) is None
    assert known.find_error(case, "jvp:x@forward_accumulator", "TypeError: other") is None


def test_reproduced_error_becomes_framework_error_and_others_stay(monkeypatch):
    code = "raise TypeError('planted signature 42 from the framework')"
    monkeypatch.setattr(known, "KNOWN_ERRORS", (_entry(code),))
    records = [_record("op[a]-planted-float32-cpu", "grad:x", "TypeError: planted signature 42"),
               _record("op[a]-planted-float32-cpu", "forward", "TypeError: planted signature 42"),
               _record("op[a]-planted-float32-cpu", "grad:y", "ValueError: something else"),
               _record("op[a]-planted-float32-cpu", "grad:z", "planted signature 42", status="fail")]
    assert framework_errors.settle(records) == 1
    first, *rest = records
    assert first["verdict"] == "framework-error"
    assert first["witnesses"]["known_error"]["reproduces"] is True
    assert "reproduces in 1 lines of plain planted code" in first["reason"]
    assert [r["verdict"] for r in rest] == ["unexplained"] * 3
    assert all("known_error" not in r["witnesses"] for r in rest)


@pytest.mark.parametrize("code", ["print('computes fine')",
                                  "raise TypeError('a different failure')"])
def test_snippet_that_does_not_fail_the_same_way_leaves_the_record_unexplained(monkeypatch, code):
    monkeypatch.setattr(known, "KNOWN_ERRORS", (_entry(code),))
    records = [_record("op[a]-planted-float32-cpu", "grad:x", "TypeError: planted signature 42")]
    assert framework_errors.settle(records) == 0
    r = records[0]
    assert r["verdict"] == "unexplained"
    assert r["witnesses"]["known_error"]["reproduces"] is False
    assert "does not fail that way" in r["witnesses"]["known_error"]["result"]


def test_snippet_runs_once_per_entry_and_run(monkeypatch):
    from conformance.harness import crashes

    calls = []

    def fake_run_fresh(argv, timeout=0):
        calls.append(argv)
        return 1, "TypeError: planted signature 42"

    monkeypatch.setattr(crashes, "run_fresh", fake_run_fresh)
    monkeypatch.setattr(known, "KNOWN_ERRORS", (_entry("pass"),))
    records = [_record("op[a]-planted-float32-cpu", f"grad:{n}", "planted signature 42") for n in "xyz"]
    assert framework_errors.settle(records) == 3
    assert len(calls) == 1


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="tensorflow not installed")
def test_tensorflow_entry_reproduces_on_the_installed_version():
    entry = next(k for k in known.KNOWN_ERRORS if k.id == "tf-forward-accumulator-tensorarray-graph")
    from conformance.harness.crashes import Replays

    replays = Replays()
    reproduces, result = framework_errors._snippet_outcome(entry, replays)
    assert reproduces, result
    assert framework_errors._snippet_outcome(entry, replays) == (reproduces, result)  # one run


def test_a_long_route_error_keeps_its_message_end():
    """TensorFlow puts its traceback in the message and the error last: the record keeps
    both ends, so the signature a known error matches on survives."""
    from adapters.derivatives import error_text

    exc = TypeError("in user code: " + "File 'x.py', line 1, in f * " * 60 + SIGNATURE + " 1 of dtype int64.")
    text = error_text(exc)
    assert len(text) <= 600 and text.startswith("TypeError: in user code")
    assert SIGNATURE in text and text.endswith("int64.")
    assert error_text(ValueError("short")) == "ValueError: short"


def test_tensorflows_missing_gradient_inside_a_staged_function_is_a_skip_with_its_text():
    from adapters.derivatives import not_implemented

    class StagingError(Exception):
        pass

    exc = StagingError("in user code: " + "File 'd.py', line 53, in prog * " * 30
                       + "LookupError: gradient registry has no entry for: XlaDynamicUpdateSlice")
    reason = not_implemented(exc)
    assert reason is not None and reason.endswith("XlaDynamicUpdateSlice")
    assert not_implemented(StagingError("in user code: TypeError: bad operand")) is None
