"""Each verdict kind is produced from planted evidence: a planted framework bug, a planted
convention, a planted erratum in a documented formula, and what stays unexplained."""

import numpy as np

from conformance.documents.claims import Claim, Program, uniform
from conformance.documents.errata import evaluate
from conformance.judge.verdicts import assign
from tests.cli_helpers import by_case, conformance, results

COMMON = ["--devices", "cpu", "--dtypes", "float64", "--max-examples", "10"]


def test_planted_framework_bug_is_a_framework_discrepancy(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:PlantedTanh", "--adapter",
                       "tests.planted:Honest", "--modules", "tanh", "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1
    doc = results(tmp_path)
    cases = by_case(doc)
    bad = cases[("tanh-planted-tanh-float64-cpu", "grad:x")]
    assert bad["status"] == "fail" and bad["verdict"] == "framework-discrepancy"
    fd = bad["witnesses"]["finite_differences"]
    assert fd["applicable"] and fd["agrees"] and fd["relative_gap"] <= fd["threshold"] == 1e-5
    assert "(agree" in fd["detail"]
    assert bad["witnesses"]["other_frameworks"] == {"pass": ["honest"], "fail": [],
                                                    "detail": "pass: honest; fail: none"}
    assert cases[("tanh-honest-float64-cpu", "grad:x")]["verdict"] == "agree"


def test_two_frameworks_failing_together_stay_unexplained(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:PlantedTanh", "--adapter",
                       "tests.planted:NaNGrad", "--adapter", "tests.planted:Honest",
                       "--modules", "sigmoid", "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1
    rec = by_case(results(tmp_path))[("sigmoid-nan-grad-float64-cpu", "grad:x")]
    # planted-tanh is right on sigmoid and honest too: the NaN is attributed to nan-grad.
    assert rec["verdict"] == "framework-discrepancy"
    records = [dict(rec, framework=fw, verdict="unexplained") for fw in ("a", "b")]
    assign(records)
    assert [r["verdict"] for r in records] == ["unexplained", "unexplained"]


def test_planted_convention_is_a_convention_verdict(tmp_path):
    conformance("run", "--adapter", "tests.planted:FirstTieSplit", "--modules", "max",
                "--out", str(tmp_path), *COMMON)
    rec = by_case(results(tmp_path))[("max[ties]-first-tie-float64-cpu", "grad:x")]
    assert rec["verdict"] == "convention" and rec["convention"] == {"tie_rule": "first"}


def _tanh_program(slip: bool):
    """dL/dx = dL/dy (1 − y²); the planted slip writes 1 − y instead."""
    def backward(cts, a, w):
        y = np.tanh(a["x"])
        return {"x": cts[0] * ((1 - y) if slip and "row" in w else 1 - y ** 2)}
    return Program("planted-tanh", lambda x: (np.tanh(x),), backward,
                   {"x": (("N", "D"), uniform(-2, 2))}, {"N": (1, 3), "D": (1, 4)}, ("x",))


PLANTED = Claim(id="planted-tanh", seed="planted.txt", where="row 'Tanh'", quote="",
                as_written="dL/dx = dL/dy (1 − y)", corrected="dL/dx = dL/dy (1 − y²)",
                program=_tanh_program(True), line="row", module="tanh", check="grad:x")


def test_planted_erratum_is_found_with_a_shrunk_counterexample():
    found = evaluate(PLANTED)
    assert found["status"] == "erratum"
    assert found["counterexample"]["example"]["dims"] == {"N": 1, "D": 1}  # shrunk to one element
    el = found["counterexample"]["element"]
    assert abs(el["as_written"] - el["finite_differences"]) > 1e-3
    assert abs(el["corrected"] - el["finite_differences"]) < 1e-8
    right = Claim(**{**PLANTED.__dict__, "id": "right-tanh", "program": _tanh_program(False)})
    assert evaluate(right)["status"] == "verified"

    records = [{"module": "tanh", "check": "grad:x", "status": "pass", "verdict": "agree",
                "framework": "torch", "dtype": "float64", "device": "cpu", "mode": "eager",
                "attrs": {}}]
    assign(records, [found])
    assert records[0]["verdict"] == "document-erratum" and records[0]["erratum"] == "planted-tanh"


def test_default_run_errata_cover_the_known_slips():
    from conformance.documents.claims import BY_ID
    from conformance.documents.errata import RUN_EXAMPLES

    found = {i: evaluate(BY_ID[i], RUN_EXAMPLES) for i in ("000-max-ties", "000-max-pool-window")}
    assert all(f["status"] == "erratum" for f in found.values())
    records = [{"module": "max", "check": "grad:x", "status": "pass", "verdict": "agree",
                "framework": "torch", "dtype": "float64", "device": "cpu", "mode": "eager",
                "attrs": {"variant": "ties"}}]
    assign(records, list(found.values()))
    assert records[0]["verdict"] == "document-erratum" and records[0]["erratum"] == "000-max-ties"
