"""The driver's process-level sampling and interleaving without timing anything: the
worker is replaced by one that writes a pytest-benchmark document, so the test checks the
order processes run in (ABBA over frameworks and over two environments) and what is
written, not the machine."""

import json
import sys

from conformance.bench import driver


def fake_worker(calls):
    def worker(framework, opts, json_path, threads, log, python=None):
        k = sum(1 for c in calls if c[1] == framework and c[0] == (python or sys.executable))
        calls.append((python or sys.executable, framework))
        med = 1e-3 * (k + 1)
        json_path.write_text(json.dumps({"machine_info": {}, "benchmarks": [
            {"name": f"relu-{framework}", "extra_info": {"bench_id": f"relu-{framework}:forward", "kind": "module"},
             "stats": {"median": med, "data": [med] * 3, "rounds": 3}}]}))
        return 0, ""
    return worker


def test_interleaved_environments_alternate_abba(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(driver, "_worker", fake_worker(calls))
    code, path = driver.run_bench(out=tmp_path, frameworks=["numpy"], modules=["relu"], modes=("eager",),
                                  scaling=False, gemm=False, processes=4, interleave="/other/python",
                                  log=lambda *_: None)
    assert code == 0 and path == tmp_path / "b" / "bench.json"
    here, there = sys.executable, "/other/python"
    assert [c[0] for c in calls] == [here, there, there, here] * 2
    for side in ("a", "b"):
        doc = json.loads((tmp_path / side / "bench.json").read_text())
        (row,) = doc["benchmarks"]
        assert row["extra_info"]["process_medians"] == [1e-3, 2e-3, 3e-3, 4e-3]
        assert row["stats"]["rounds"] == 12
        assert doc["conformance"]["interleaved"]["side"] == side and doc["conformance"]["processes"] == 4


def test_processes_of_several_frameworks_alternate(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(driver, "_worker", fake_worker(calls))
    driver.run_bench(out=tmp_path, frameworks=["numpy", "torch"], modules=["relu"], modes=("eager",),
                     scaling=False, gemm=False, processes=3, log=lambda *_: None)
    assert [c[1] for c in calls] == ["numpy", "torch", "torch", "numpy", "numpy", "torch"]
    doc = json.loads((tmp_path / "bench.json").read_text())
    assert {r["extra_info"]["bench_id"]: len(r["extra_info"]["process_medians"]) for r in doc["benchmarks"]} == {
        "relu-numpy:forward": 3, "relu-torch:forward": 3}
