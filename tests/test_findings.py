"""Findings: every record that is neither a skip nor ``agree`` belongs to exactly one
finding, on synthetic record lists (one of every kind of cause) and on planted runs."""

from collections import Counter

from reports.findings import findings_of, headline, record_key
from tests.cli_helpers import conformance, results
from tests.report_fixtures import record, small_doc


def assert_partition(records, findings):
    """Each non-skip, non-agree record is listed by exactly one finding."""
    listed = Counter(k for f in findings for k in f["checks"])
    for r in records:
        if r["status"] == "skip" or (r["status"] == "pass" and r.get("verdict") == "agree"):
            continue
        assert listed[record_key(r)] == 1, (record_key(r), listed[record_key(r)])
    ids = [f["id"] for f in findings]
    assert len(ids) == len(set(ids))
    for f in findings:
        assert {"id", "title", "who", "status", "checks", "worst_ratio", "repro", "snippet"} <= set(f)
        assert f["who"] in ("framework", "document", "convention", "unknown")
        assert f["status"] in ("new", "known-upstream", "expected", "fixed")


WHY_A = "torch: planted cause A, the first explanation"
WHY_B = "tensorflow: planted cause B. With a second sentence"


def synthetic() -> tuple[list, dict]:
    recs = [record("tanh", "", fw, dt, chk) for fw in ("torch", "jax") for dt in ("float32", "float64")
            for chk in ("forward", "grad:x")]
    recs += [record("softmax", "", "torch", dt, chk, "xfail", "unexplained", 4.0,
                    f"expected failure — {WHY_A}. Measured: grad[0]: got 1, expected 2",
                    witnesses={"expected_failure": {"entry": "softmax-torch-*"}})
             for dt in ("float32", "float64") for chk in ("forward", "grad:x")]
    recs += [record("relu", "kink", "tensorflow", "float32", "grad:x", "xfail", "framework-discrepancy", 9.0,
                    f"expected failure — {WHY_B}. Measured: x")]
    recs += [record("relu", "", "jax", dt, "grad:x", "pass", "convention", 0.5,
                    convention={"grad_at_zero": "right"}) for dt in ("float32", "float64")]
    recs += [record("sigmoid", "", "torch", "float64", "grad:x", "pass", "document-erratum", 0.1,
                    erratum="E-1")]
    recs += [record("tanh", "", "jax", "float16", chk, "fail", "unexplained", r, "off")
             for chk, r in (("grad:x", 3.0), ("forward", 7.0))]
    recs += [record("tanh", "", "jax", "float16", "grad:x", "fail", "unexplained", 2.0, "off",
                    form="noncontiguous")]
    recs += [record("tanh", "", "jax", "bfloat16", "grad:x", "fail", "framework-discrepancy", 2.0, "off")]
    recs += [record("softmax", "", "jax", "float32", "forward", "error", "framework-crash", None, "crashed",
                    witnesses={"known_crash": {"id": "jax-crash-1", "summary": "XLA aborts. More",
                                               "snippet": "import jax", "reproduces": True}})]
    recs += [record("softmax", "", "jax", "float64", "forward", "error", "framework-crash", None, "crashed")]
    recs += [record("tanh", "", "numpy", "float32", "grad:x", "skip", None, None, "no gpu", device="gpu")]
    recs += [record("elu", "", "torch", "float32", "grad:x")]  # an expected failure's fixed check
    extras = {"expected_failures": [
        {"case": "softmax-torch-*", "checks": ["forward", "grad:x"], "status": "xfail", "why": WHY_A},
        {"case": "relu[kink]-tensorflow-*", "checks": ["grad:x"], "status": "xfail", "why": WHY_B},
        {"case": "elu-torch-*", "checks": ["grad:x"], "status": "xpass", "why": "torch: elu was off",
         "cases": ["elu-torch-float32-cpu"]},
        {"case": "gelu-*", "checks": ["grad:x"], "status": "not run", "why": "never ran"}],
        "errata": [{"id": "E-1", "claim": "dL/dx of Sigmoid", "problem": "transpose slip"}],
        "known_discrepancies": [
            {"id": "torch#1", "framework": "torch", "title": "softmax NaN", "upstream": "https://x/1",
             "status": "reproduces", "detail": "NaN"},
            {"id": "jax#2", "framework": "jax", "title": "relu at 0", "upstream": "https://x/2",
             "status": "does not reproduce", "detail": "0"},
            {"id": "tf#3", "framework": "tensorflow", "title": "gpu only", "upstream": "https://x/3",
             "status": "skip", "detail": "no gpu"}]}
    return recs, extras


def test_synthetic_records_are_partitioned_into_one_finding_per_cause():
    recs, extras = synthetic()
    findings = findings_of(recs, extras)
    assert_partition(recs, findings)
    by_id = {f["id"]: f for f in findings}
    a = [f for f in findings if f["title"].startswith("torch: torch: planted cause A")
         or "planted cause A" in f["title"]]
    assert len(a) == 1 and len(a[0]["checks"]) == 4 and a[0]["status"] == "expected"
    b = [f for f in findings if "planted cause B" in f["title"]]
    assert len(b) == 1 and b[0]["status"] == "expected" and "second sentence" not in b[0]["title"]
    # unexplained failures group by framework, family, check kind, form and verdict
    grad = by_id["unexplained:jax:activation:grad:canonical"]
    fwd = by_id["unexplained:jax:activation:forward:canonical"]
    assert grad["status"] == fwd["status"] == "new" and grad["who"] == "unknown"
    assert by_id["unexplained:jax:activation:grad:noncontiguous"]["checks"] == [
        "tanh-jax-float16-cpu grad:x noncontiguous"]
    assert by_id["framework-discrepancy:jax:activation:grad:canonical"]["who"] == "framework"
    assert by_id["crash:jax-crash-1"]["snippet"] == "import jax"
    assert by_id["framework-crash:jax:activation:forward:canonical"]["status"] == "new"
    assert by_id["convention:jax:grad_at_zero=right"]["who"] == "convention"
    assert len(by_id["convention:jax:grad_at_zero=right"]["checks"]) == 2
    assert by_id["erratum:E-1"]["who"] == "document"
    assert by_id["known:torch#1:torch"]["status"] == "known-upstream"
    assert by_id["known:torch#1:torch"]["url"] == "https://x/1"
    assert by_id["known:jax#2:jax"]["status"] == "fixed"
    assert "known:tf#3:tensorflow" not in by_id
    fixed = [f for f in findings if f["status"] == "fixed" and f["id"].startswith("expected:")]
    assert len(fixed) == 1 and fixed[0]["checks"] == ["elu-torch-float32-cpu grad:x"]
    # newest and worst first
    assert [f["status"] for f in findings[:5]] == ["new"] * 5
    assert findings[0]["worst_ratio"] == 7.0 and findings[0]["repro"]
    assert headline(recs, findings).startswith("Run FAILED: 5 new findings")


def test_ids_are_stable_and_the_order_does_not_change_them():
    recs, extras = synthetic()
    first = [f["id"] for f in findings_of(recs, extras)]
    assert sorted(first) == sorted(f["id"] for f in findings_of(list(reversed(recs)), extras))


def test_the_report_fixture_is_partitioned_too():
    doc = small_doc()
    assert_partition(doc["cases"], findings_of(doc["cases"], doc))


def test_a_planted_run_writes_findings_that_cover_its_failures(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:PlantedTanh", "--modules", "tanh,sigmoid",
                       "--frameworks", "planted-tanh", "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = results(tmp_path)
    assert_partition(doc["cases"], doc["findings"])
    new = [f for f in doc["findings"] if f["status"] == "new"]
    assert len(new) == 1 and new[0]["id"].endswith(":planted-tanh:activation:grad:canonical")
    assert sorted(new[0]["checks"]) == ["tanh-planted-tanh-float32-cpu grad:x",
                                        "tanh-planted-tanh-float64-cpu grad:x"]
    assert "--adapter tests.planted:PlantedTanh" in new[0]["repro"]
    assert "1 new finding" in proc.stdout


def test_a_run_whose_only_errors_are_reproduced_framework_errors_passes():
    """A framework error that its plain-framework snippet reproduced in the run (verdict
    framework-error) is explained, as the exit code has it; one that it did not reproduce,
    or any other error or failure, fails the run's headline."""
    from reports.findings import run_passed

    ok = {"status": "pass", "verdict": "agree"}
    settled = {"status": "error", "verdict": "framework-error"}
    assert run_passed([ok, settled])
    assert not run_passed([ok, {"status": "error", "verdict": "unexplained"}])
    assert not run_passed([ok, settled, {"status": "fail", "verdict": "unexplained"}])
    assert not run_passed([{"status": "error", "verdict": "framework-crash"}])
