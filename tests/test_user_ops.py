"""--ops replaces a built-in adapter's op with the user's kernel; the suite judges that kernel
and every record says where its op came from."""

from importlib.util import find_spec

import pytest

from tests.cli_helpers import by_case, conformance, results, run_repro

pytestmark = [pytest.mark.frameworks,
              pytest.mark.skipif(find_spec("torch") is None, reason="needs torch (not installed)")]


def test_planted_kernel_is_judged_and_named(tmp_path):
    proc = conformance("run", "--frameworks", "torch", "--modules", "tanh,sigmoid", "--dtypes",
                       "float64", "--devices", "cpu", "--max-examples", "12",
                       "--ops", "torch=tests.planted_kernels", "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    cases = by_case(results(tmp_path))
    bad = cases[("tanh-torch-float64-cpu", "grad:x")]
    assert bad["status"] == "fail" and bad["op_source"] == "tests.planted_kernels"
    # 1% of a derivative below 0.03, where x > 2.5: the worst element is in the tail.
    assert 5e-3 < bad["max_rel_err"] < 2e-2 and bad["ratio"] > 1e6
    assert cases[("tanh-torch-float64-cpu", "forward")]["status"] == "pass"
    sig = cases[("sigmoid-torch-float64-cpu", "grad:x")]
    assert sig["status"] == "pass" and sig["op_source"] == "adapters.torch"
    assert "--ops torch=tests.planted_kernels" in bad["repro"]
    replay = run_repro(bad["repro"])
    assert replay.returncode == 1 and "FAIL grad:x" in replay.stdout, replay.stdout + replay.stderr


def test_bad_ops_option_is_a_usage_error(tmp_path):
    for value in ("torch", "nosuchfw=tests.planted_kernels"):
        proc = conformance("run", "--modules", "tanh", "--ops", value, "--out", str(tmp_path))
        assert proc.returncode == 2 and "--ops" in proc.stderr, proc.stderr
