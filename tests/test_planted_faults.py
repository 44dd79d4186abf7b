"""Planted faults in third-party adapters are reported exactly, with working repros."""

from tests.cli_helpers import by_case, conformance, results, run_repro

COMMON = ["--devices", "cpu", "--max-examples", "12"]


def test_planted_tanh_backward_fails_exactly_that_case(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:PlantedTanh", "--modules", "tanh,sigmoid",
                       "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    cases = by_case(results(tmp_path))
    failed = sorted(k for k, r in cases.items() if r["status"] == "fail")
    assert failed == [("tanh-planted-tanh-float32-cpu", "grad:x"),
                      ("tanh-planted-tanh-float64-cpu", "grad:x")]
    for dtype in ("float32", "float64"):
        assert cases[(f"tanh-planted-tanh-{dtype}-cpu", "forward")]["status"] == "pass"
        assert cases[(f"sigmoid-planted-tanh-{dtype}-cpu", "grad:x")]["status"] == "pass"
    bad = cases[("tanh-planted-tanh-float32-cpu", "grad:x")]
    # 0.05% relative error is ~4000 float32 ulps: far outside the tolerance.
    assert 3e-4 < bad["max_rel_err"] < 6e-4 and bad["ratio"] > 10
    assert abs(bad["got"]) > 0 and "--adapter tests.planted:PlantedTanh" in bad["repro"]
    assert "grad:x" in proc.stdout and "repro" in proc.stdout
    replay = run_repro(bad["repro"])
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert "FAIL grad:x" in replay.stdout and "ok   forward" in replay.stdout


def test_crash_in_one_module_is_an_error_and_the_run_goes_on(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:Crashing", "--modules", "softmax,tanh",
                       "--dtypes", "float64", "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1
    doc = results(tmp_path)
    statuses = {(r["module"], r["check"]): r["status"] for r in doc["cases"]}
    assert statuses == {("softmax", "forward"): "error", ("softmax", "grad:x"): "error",
                        ("tanh", "forward"): "pass", ("tanh", "grad:x"): "pass"}
    err = next(r for r in doc["cases"] if r["status"] == "error")
    assert "planted crash inside softmax" in err["reason"] and err["repro"]
    assert (tmp_path / "junit.xml").exists() and (tmp_path / "index.html").exists()


def test_tie_convention_is_a_verdict_not_a_failure(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:FirstTieSplit", "--modules", "max",
                       "--dtypes", "float64", "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cases = by_case(results(tmp_path))
    tie = cases[("max[ties]-first-tie-float64-cpu", "grad:x")]
    assert tie["status"] == "pass" and tie["verdict"] == "convention"
    assert tie["convention"] == {"tie_rule": "first"}
    assert cases[("max-first-tie-float64-cpu", "grad:x")]["verdict"] == "agree"


def test_a_failure_near_an_alternative_rule_says_how_near(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:FirstTieSplitOff", "--modules", "max",
                       "--dtypes", "float64", "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    cases = by_case(results(tmp_path))
    tie = cases[("max[ties]-first-tie-off-float64-cpu", "grad:x")]
    assert tie["status"] == "fail" and tie["verdict"] == "unexplained"
    documented, _, closest = tie["reason"].partition("; under the closest known rule, tie_rule=first")
    assert closest.startswith(", it fails too: grad:x"), tie["reason"]
    ratio = lambda text: float(text.split("ratio ")[1].split(")")[0])  # noqa: E731
    assert ratio(closest) < ratio(documented)  # 0.1 % off the first-tie rule, O(1) off split
    assert cases[("max-first-tie-off-float64-cpu", "grad:x")]["status"] == "pass"  # no ties


def test_nan_gradient_is_never_a_pass(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:NaNGrad", "--modules", "sigmoid",
                       "--dtypes", "float32", "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1
    rec = by_case(results(tmp_path))[("sigmoid-nan-grad-float32-cpu", "grad:x")]
    assert rec["status"] == "fail" and rec["ratio"] == "inf" and rec["worst_index"] == [0, 0]
