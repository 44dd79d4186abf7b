"""The command line: usage errors exit 2 with the valid names; list and help explain."""

import pytest

from tests.cli_helpers import conformance

EXPECTED_MODULES = ["add", "multiply", "sum", "max", "switch", "relu", "leaky_relu", "elu",
                    "selu", "sigmoid", "softmax", "softplus", "tanh", "cross_entropy",
                    "squared_error", "max_pool2d", "avg_pool2d", "dropout", "softmax_cross_entropy"]


@pytest.mark.parametrize("option, value, listed", [
    ("--modules", "elu,nope", "softmax_cross_entropy"),
    ("--frameworks", "mxnet", "tensorflow"),
    ("--dtypes", "float8", "bfloat16"),
    ("--devices", "tpu", "gpu"),
    ("--profile", "slow", "quick"),
])
def test_unknown_names_are_usage_errors_listing_valid_ones(option, value, listed, tmp_path):
    proc = conformance("run", option, value, "--out", str(tmp_path))
    assert proc.returncode == 2
    assert "error: unknown" in proc.stderr and listed in proc.stderr
    assert not (tmp_path / "results.json").exists()


def test_a_keyword_pytest_cannot_parse_is_a_usage_error_not_a_dead_run(tmp_path):
    # Each xdist worker would reject it and the run would end in an INTERNALERROR, no files.
    proc = conformance("run", "--modules", "relu", "--frameworks", "numpy", "--out",
                       str(tmp_path), "--", "-k", "d=1,kernel=math")
    assert proc.returncode == 2 and "-k 'd=1,kernel=math'" in proc.stderr, proc.stderr
    assert "INTERNALERROR" not in proc.stdout + proc.stderr


def test_bad_adapter_spec_is_a_usage_error():
    proc = conformance("run", "--adapter", "no.such.module:Thing")
    assert proc.returncode == 2 and "--adapter no.such.module:Thing" in proc.stderr


def test_list_shows_modules_with_citations_and_frameworks():
    proc = conformance("list")
    assert proc.returncode == 0
    for name in EXPECTED_MODULES:
        assert f"  {name} " in proc.stdout
    assert "000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Softmax'" in proc.stdout
    for fw in ("numpy", "torch", "tensorflow", "jax"):
        assert f"  {fw} " in proc.stdout


def test_help_explains_commands():
    proc = conformance("--help")
    assert proc.returncode == 0
    for word in ("run", "list", "repro", "examples:"):
        assert word in proc.stdout
    run_help = conformance("run", "--help").stdout
    for flag in ("--frameworks", "--modules", "--dtypes", "--devices", "--profile",
                 "--max-examples", "--seed", "--adapter", "--out"):
        assert flag in run_help


def test_repro_rejects_bad_case_ids():
    proc = conformance("repro", "nonsense")
    assert proc.returncode == 2 and "not a case id" in proc.stderr
    proc = conformance("repro", "nope-torch-float32-cpu", "--example", '{"dims":{},"seed":0}')
    assert proc.returncode == 2 and "unknown module 'nope'" in proc.stderr


def test_default_workers_is_one_per_usable_cpu_at_most_four():
    import os

    from conformance.cli.main import _parser, default_workers

    cpus = len(os.sched_getaffinity(0))
    assert default_workers() == max(1, min(cpus, 4))
    assert _parser().parse_args(["run"]).workers == default_workers()
