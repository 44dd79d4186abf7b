"""``python -m conformance bench`` and ``run --bench`` end to end (small selections):
pytest-benchmark JSON with what was timed in ``extra_info``, the same thread count for
every framework, and the timings in the report."""

import json
from importlib import metadata

import pytest

from tests.cli_helpers import conformance, results


def installed(dist):
    try:
        metadata.version(dist)
        return True
    except metadata.PackageNotFoundError:
        return False


def bench_rows(out):
    doc = json.loads((out / "bench.json").read_text())
    return doc, {b["extra_info"]["bench_id"]: b for b in doc["benchmarks"]}


def test_bench_numpy_writes_pytest_benchmark_json_and_the_report(tmp_path):
    proc = conformance("bench", "--frameworks", "numpy", "--modules", "softmax", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc, rows = bench_rows(tmp_path)
    assert {"machine_info", "benchmarks", "datetime", "version"} <= set(doc)  # pytest-benchmark's format
    fwd = rows["softmax-numpy-float32-cpu:forward"]
    assert fwd["stats"]["median"] > 0 and fwd["stats"]["iqr"] >= 0 and fwd["stats"]["rounds"] >= 5
    info = fwd["extra_info"]
    assert info["shapes"] == {"x": [256, 1024]} and info["threads"]["actual"] >= 1
    assert info["sync"] and info["calls"] >= info["rounds"] * info["iterations"]
    assert "softmax-numpy-float32-cpu:forward+vjp" in rows
    assert rows["gemm@1024-numpy-float32-cpu:forward"]["extra_info"]["flops"] == 2 * 1024**3
    assert sum(r["extra_info"]["kind"] == "scaling" for r in rows.values()) == 4
    page = (tmp_path / "index.html").read_text()
    assert "Benchmarks" in page and "<svg" in page and "GEMM ceiling" in page
    assert doc["conformance"]["threads"] == info["threads"]["requested"]
    # the report can be regenerated from the directory alone
    again = conformance("report", str(tmp_path), "--out", str(tmp_path / "again.html"))
    assert again.returncode == 0 and "Benchmarks" in (tmp_path / "again.html").read_text()


@pytest.mark.skipif(not installed("torch"), reason="torch not installed")
def test_every_framework_gets_the_same_thread_count(tmp_path):
    proc = conformance("bench", "--frameworks", "numpy,torch", "--modules", "softmax", "--modes", "eager",
                       "--passes", "forward", "--no-scaling", "--threads", "1", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _, rows = bench_rows(tmp_path)
    assert {r["extra_info"]["framework"] for r in rows.values()} == {"numpy", "torch"}
    for r in rows.values():
        assert r["extra_info"]["threads"]["requested"] == 1 == r["extra_info"]["threads"]["actual"], r["name"]
    torch_row = rows["softmax-torch-float32-cpu:forward"]["extra_info"]
    assert torch_row["threads"]["detail"]["intra_op"] == 1
    assert torch_row["precision"]["torch.backends.cuda.matmul.allow_tf32"] is False  # recorded for timing runs


def test_run_with_bench_puts_timings_beside_results(tmp_path):
    proc = conformance("run", "--frameworks", "numpy", "--modules", "softmax", "--devices", "cpu",
                       "--dtypes", "float32", "--max-examples", "2", "--bench", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results(tmp_path)["cases"] and (tmp_path / "bench.json").exists()
    _, rows = bench_rows(tmp_path)
    assert "softmax-numpy-float32-cpu:forward" in rows
    page = (tmp_path / "index.html").read_text()
    assert "softmax-numpy-float32-cpu" in page and "Benchmarks" in page


@pytest.mark.parametrize("args", [["--frameworks", "nope"], ["--modules", "nope"], ["--modes", "fast"],
                                  ["--passes", "backward"], ["--frameworks", "planted-tanh"],
                                  ["--interleave", "/no/such/python"]])
def test_bench_usage_errors_exit_2(tmp_path, args):
    proc = conformance("bench", *args, "--out", str(tmp_path))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert not (tmp_path / "bench.json").exists()


def test_report_usage_errors_exit_2(tmp_path):
    assert conformance("report", str(tmp_path / "missing.json")).returncode == 2
    (tmp_path / "results.json").write_text('{"cases": []}')
    bad = conformance("report", str(tmp_path), "--bench", str(tmp_path / "results.json"))
    assert bad.returncode == 2 and "not pytest-benchmark JSON" in bad.stderr
