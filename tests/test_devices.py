"""Devices, precision modes and determinism, tested on a CPU: real GPUs are absent here, so
the GPU code paths run through planted adapters that claim a "gpu"."""

from importlib.util import find_spec

import pytest

from tests.cli_helpers import by_case, conformance, results


def installed(*names):
    """The test needs these frameworks: marked, and skipped with a reason when one is missing."""
    missing = [n for n in names if find_spec(n) is None]
    mark = pytest.mark.skipif(bool(missing), reason=f"needs {', '.join(missing)} (not installed)")
    return lambda test: pytest.mark.frameworks(mark(test))


@installed("torch", "jax")
def test_gpu_absent_is_a_clean_explained_skip(tmp_path):
    proc = conformance("run", "--frameworks", "torch,jax,numpy", "--devices", "gpu",
                       "--modules", "relu,softmax", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = results(tmp_path)
    case_records = [r for r in doc["cases"] if r["device"] == "gpu"]
    assert case_records and all(r["status"] == "skip" for r in case_records)
    reasons = {r["framework"]: r["reason"] for r in case_records}
    assert "no CUDA device" in reasons["torch"] and "no GPU backend" in reasons["jax"]
    assert "CPU only" in reasons["numpy"]


def test_gpu_paths_record_precision_cross_device_and_determinism(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:FakeGpu", "--devices", "cpu,gpu",
                       "--precision", "highest,default", "--modules", "tanh", "--dtypes", "float32",
                       "--max-examples", "4", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cases = by_case(results(tmp_path))
    gpu = cases[("tanh-fake-gpu-float32-gpu", "grad:x")]
    assert gpu["status"] == "pass" and gpu["precision"]["mode"] == "highest"
    default = cases[("tanh-fake-gpu-float32-gpu-default-precision", "grad:x")]
    # TF32 applies to matmul-based families only: tanh keeps float32's tolerance model.
    assert default["precision"] == {"mode": "default", "arithmetic": "float32", "flags": {}}
    assert cases[("tanh-fake-gpu-float32-gpu", "gpu-vs-cpu:grad:x")]["status"] == "pass"
    det = cases[("tanh-fake-gpu-float32-gpu", "determinism:grad:x")]
    assert det["verdict"] == "agree" and det["reason"] == "bitwise identical"
    assert ("tanh-fake-gpu-float32-cpu", "determinism:grad:x") not in cases  # CPU: off by default


def test_nondeterministic_gradients_are_reported_not_failed(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted:NoisyGpu", "--devices", "gpu",
                       "--modules", "sigmoid", "--dtypes", "float32", "--max-examples", "3",
                       "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    det = by_case(results(tmp_path))[("sigmoid-noisy-gpu-float32-gpu", "determinism:grad:x")]
    assert det["status"] == "pass" and det["verdict"] == "nondeterministic"
    assert det["reason"].startswith("runs differ by up to")


@installed("torch")
def test_precision_flags_recorded_for_real_frameworks(tmp_path):
    proc = conformance("run", "--frameworks", "torch", "--devices", "cpu", "--modules", "relu",
                       "--dtypes", "float32", "--max-examples", "2", "--out", str(tmp_path))
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # pass or fail: torch's finding
    rec = results(tmp_path)["cases"][0]
    assert rec["precision"]["mode"] == "highest" and rec["precision"]["arithmetic"] == "float32"
    assert "torch.backends.cudnn.allow_tf32" in rec["precision"]["flags"]
