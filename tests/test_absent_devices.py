"""A run of every device (the default) runs the devices this machine has: an absent GPU is
one line at the start and one note in results.json, not a skipped case per GPU case; naming
the absent device keeps its cases, each skipped in the framework's words."""

from __future__ import annotations

import os

from adapters.machine import ENV, absent_devices, present_devices
from tests.cli_helpers import ROOT, results

import subprocess
import sys


def _run(tmp_path, gpu: str, *args):
    env = dict(os.environ, **{ENV: gpu}, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "conformance", "run", "--frameworks", "numpy",
                           "--modules", "relu,tanh", "--dtypes", "float64", "--max-examples", "2",
                           "--workers", "1", "--forms", "canonical", "--out", str(tmp_path), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_machine_answer_can_be_forced(monkeypatch):
    monkeypatch.setenv(ENV, "0")
    assert present_devices() == ["cpu"] and "gpu" in absent_devices()
    monkeypatch.setenv(ENV, "1")
    assert present_devices() == ["cpu", "gpu"] and absent_devices() == {}


def test_an_absent_gpu_is_one_line_and_one_note(tmp_path):
    proc = _run(tmp_path / "all", "0")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("gpu: not run: no GPU on this machine") == 1
    doc = results(tmp_path / "all")
    assert {r["device"] for r in doc["cases"]} == {"cpu"}
    note = doc["run"]["absent_devices"]["gpu"]
    assert "no GPU on this machine" in note["reason"]
    html = (tmp_path / "all" / "index.html").read_text()
    assert "no GPU on this machine" in html

    named = _run(tmp_path / "named", "0", "--devices", "cpu,gpu")
    assert named.returncode == 0, named.stdout + named.stderr
    doc = results(tmp_path / "named")
    gpu = [r for r in doc["cases"] if r["device"] == "gpu"]
    assert gpu and all(r["status"] == "skip" and r["reason"] for r in gpu)
    assert note["cases"] == len({r["case_id"] for r in gpu})  # what the note counted
    assert "absent_devices" not in doc["run"]


def test_a_present_gpu_is_run(tmp_path):
    proc = _run(tmp_path, "1")
    doc = results(tmp_path)
    assert "gpu" in {r["device"] for r in doc["cases"]}  # the adapter then says why it cannot
    assert "absent_devices" not in doc["run"] and "not run" not in proc.stdout.split("\n")[0]
