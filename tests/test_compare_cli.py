"""The regression gate ``python -m conformance compare OLD NEW``: new failures, fixed
cases and median slowdowns beyond the threshold; exit 1 on a regression, 0 otherwise,
2 on a usage error."""

import copy
import json

import pytest

from reports.compare import compare_docs, parse_slowdown
from tests.cli_helpers import conformance
from tests.report_fixtures import bench_doc, small_doc


def write_run(path, doc, bench=None):
    path.mkdir(parents=True, exist_ok=True)
    (path / "results.json").write_text(json.dumps(doc))
    if bench is not None:
        (path / "bench.json").write_text(json.dumps(bench))
    return path


def flip(doc, case_id, check, **fields):
    doc = copy.deepcopy(doc)
    for r in doc["cases"]:
        if r["case_id"] == case_id and r["check"] == check:
            r.update(fields)
    return doc


def test_identical_runs_pass(tmp_path):
    old = write_run(tmp_path / "old", small_doc(), bench_doc())
    proc = conformance("compare", str(old), str(old))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "result: no regressions" in proc.stdout


def test_a_new_failure_is_a_regression_and_a_fix_is_listed(tmp_path):
    base = small_doc()
    new = flip(base, "relu[kink]-torch-float32-cpu", "grad:x", status="fail", verdict="unexplained",
               reason="grad:x[0, 1]: got 1.0, expected 0.0")
    new = flip(new, "tanh-jax-float32-cpu", "forward", status="pass", verdict="agree", reason="")
    old_dir, new_dir = write_run(tmp_path / "old", base), write_run(tmp_path / "new", new)
    proc = conformance("compare", str(old_dir), str(new_dir / "results.json"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "new failures (1):" in out and "relu[kink]-torch-float32-cpu grad:x: pass -> fail" in out
    assert "fixed (1):" in out and "tanh-jax-float32-cpu forward: fail -> pass" in out
    # the reverse direction: the fix is the only change there that regresses
    back = conformance("compare", str(new_dir), str(old_dir))
    assert back.returncode == 1 and "tanh-jax-float32-cpu forward: pass -> fail" in back.stdout


def test_a_case_that_appears_failing_is_a_new_failure():
    old = small_doc()
    new = copy.deepcopy(old)
    extra = copy.deepcopy(new["cases"][0])
    extra.update(case_id="brand_new-torch-float32-cpu", status="error", verdict="unexplained")
    new["cases"].append(extra)
    c = compare_docs(old, new, None, None)
    assert c.regressed and c.new_failures[0][1] == "absent" and "brand_new-torch-float32-cpu" in c.added


def test_timing_regression_beyond_the_threshold_only(tmp_path):
    old = write_run(tmp_path / "old", small_doc(), bench_doc(scale=1.0))
    slower = write_run(tmp_path / "slow", small_doc(), bench_doc(scale=1.25))
    bit_slower = write_run(tmp_path / "bit", small_doc(), bench_doc(scale=1.05))
    proc = conformance("compare", str(old), str(slower), "--max-slowdown", "10%")
    assert proc.returncode == 1, proc.stdout
    assert "timing regressions (median slower by more than 10%)" in proc.stdout
    assert "linear-torch-float32-cpu:forward: 1 ms" in proc.stdout and "(+25%)" in proc.stdout
    assert conformance("compare", str(old), str(bit_slower), "--max-slowdown", "10%").returncode == 0
    assert conformance("compare", str(old), str(slower), "--max-slowdown", "0.3").returncode == 0
    faster = conformance("compare", str(slower), str(old))
    assert faster.returncode == 0 and "faster by more than 10%" in faster.stdout


def test_bench_files_alone_compare_timings(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps(bench_doc(1.0)))
    (tmp_path / "b.json").write_text(json.dumps(bench_doc(2.0)))
    proc = conformance("compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert proc.returncode == 1 and "(+100%)" in proc.stdout


@pytest.mark.parametrize("case", ["missing path", "bad threshold", "negative threshold", "one path"])
def test_usage_errors_exit_2(tmp_path, case):
    run = str(write_run(tmp_path / "run", small_doc()))
    args = {"missing path": [str(tmp_path / "nope"), run],
            "bad threshold": [run, run, "--max-slowdown", "fast"],
            "negative threshold": [run, run, "--max-slowdown", "-5%"],
            "one path": [run]}[case]
    proc = conformance("compare", *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr


def test_not_a_run_is_a_usage_error(tmp_path):
    (tmp_path / "junk.json").write_text("{}")
    run = write_run(tmp_path / "run", small_doc())
    proc = conformance("compare", str(tmp_path / "junk.json"), str(run))
    assert proc.returncode == 2 and "neither a results.json" in proc.stderr


def test_parse_slowdown():
    assert parse_slowdown("10%") == pytest.approx(0.10) and parse_slowdown("0.25") == 0.25
    with pytest.raises(ValueError):
        parse_slowdown("ten")
