"""Planted BPTT faults in third-party adapters (tests/planted.py) are reported exactly: the
failing checks name the parameter, the worst index locates it (time step first for x and y),
and the repro replays the failure."""

from conformance.plan.cases import parse_case_id
from conformance.model.domains import Absent
from tests.cli_helpers import by_case, conformance, results, run_repro

COMMON = ["--devices", "cpu", "--max-examples", "3"]


def _failed(doc):
    return {(r["case_id"], r["check"]) for r in doc["cases"] if r["status"] == "fail"}


def _checks(doc, case_prefix):
    return {(r["case_id"], r["check"]) for r in doc["cases"] if r["case_id"].startswith(case_prefix)}


def _absent_args(case_id):
    """Arguments the case's form does not have: their gradient is exactly 0 either way."""
    variant = parse_case_id(case_id).variant
    return [name for name, domain in variant.domains.items() if isinstance(domain, Absent)]


def test_dropped_h0_gradient_fails_exactly_grad_h0(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:DroppedH0Grad", "--modules",
                       "simple_rnn,lstm,gru", "--dtypes", "float64", "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    cases = {r["case_id"] for r in doc["cases"]}
    assert len(cases) == 1 + 4 + 4  # simple_rnn, 4 lstm forms, 4 gru forms
    assert _failed(doc) == {(c, "grad:h0") for c in cases}
    rec = by_case(doc)[("lstm[form=standard]-dropped-h0-float64-cpu", "grad:h0")]
    assert rec["got"] == 0.0 and rec["expected"] != 0.0 and len(rec["worst_index"]) == 2
    assert by_case(doc)[("lstm[form=standard]-dropped-h0-float64-cpu", "grad:c0")]["status"] == "pass"
    replay = run_repro(rec["repro"])
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert "FAIL grad:h0" in replay.stdout and "ok   grad:x" in replay.stdout


def test_swapped_gates_fail_exactly_the_swapped_parameters(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:SwappedGates", "--modules", "lstm,gru",
                       "--dtypes", "float32", "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    failed = _failed(doc)
    # lstm: the packed input-weight gradient unpacked with i and f swapped -> U_i, U_f only.
    lstm_cases = {c for c, _ in _checks(doc, "lstm[")}
    assert {f for f in failed if f[0].startswith("lstm[")} == {
        (c, g) for c in lstm_cases for g in ("grad:U_i", "grad:U_f")}
    # gru: r and z swapped in the forward's packed weights -> every check of every form.
    gru_checks = _checks(doc, "gru[")
    absent = {(c, f"grad:{name}") for c, _ in gru_checks for name in _absent_args(c)}
    assert {f for f in failed if f[0].startswith("gru[")} == gru_checks - absent
    y = by_case(doc)[("gru[form=reset_after]-swapped-gates-float32-cpu", "forward:y")]
    T = y["example"]["dims"]["T"]
    assert len(y["worst_index"]) == 3 and 0 <= y["worst_index"][0] < T  # (t, n, h)
    rec = by_case(doc)[("lstm[form=standard]-swapped-gates-float32-cpu", "grad:U_f")]
    assert "grad:U_f" in rec["reason"] and len(rec["worst_index"]) == 2
    replay = run_repro(rec["repro"])
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert "FAIL grad:U_f" in replay.stdout and "ok   forward:y" in replay.stdout
    assert "ok   grad:W_f" in replay.stdout
