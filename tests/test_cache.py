"""The warm caches: on by default in one directory, overridable, off with --no-cache,
and never changing a result — the same selection run cold and then warm writes the same
results.json apart from timings, and the warm run compiles nothing new (every program it
needs is already in the cache)."""

from __future__ import annotations

import importlib.util
import os

import pytest

from conformance.harness.caches import DEFAULT, ENV, resolve
from conformance.harness.merge import comparable
from tests.cli_helpers import conformance, results

SELECT = ["--modules", "softmax,conv1d", "--dtypes", "float64", "--devices", "cpu",
          "--max-examples", "2", "--seed", "4", "--orders", "1"]


def test_resolution_order(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert resolve(None, False) == DEFAULT.resolve()
    monkeypatch.setenv(ENV, str(tmp_path / "env"))
    assert resolve(None, False) == (tmp_path / "env").resolve()
    assert resolve(str(tmp_path / "opt"), False) == (tmp_path / "opt").resolve()
    assert resolve(str(tmp_path / "opt"), True) is None
    monkeypatch.setenv(ENV, "")
    assert resolve(None, False) is None


def _files(d) -> set[str]:
    return {str(p.relative_to(d)) for p in d.rglob("*") if p.is_file()} if d.exists() else set()


@pytest.mark.frameworks
@pytest.mark.slow
def test_cold_and_warm_runs_agree_and_warm_compiles_nothing_new(tmp_path):
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    cache = tmp_path / "cache"
    args = ["run", "--frameworks", "jax", *SELECT, "--cache-dir", str(cache)]
    cold = conformance(*args, "--out", str(tmp_path / "cold"))
    # Whether JAX passes on this CPU is a finding of the run, not of this test: it asks only
    # that the caches change nothing a run records.
    assert cold.returncode in (0, 1), cold.stdout + cold.stderr
    compiled = _files(cache / "jax")
    assert compiled, "the cold run left nothing in the JAX compilation cache"
    warm = conformance(*args, "--out", str(tmp_path / "warm"))
    assert warm.returncode == cold.returncode, warm.stdout + warm.stderr
    assert _files(cache / "jax") == compiled, "the warm run compiled programs the cold run had cached"
    a, b = results(tmp_path / "cold"), results(tmp_path / "warm")
    assert comparable(a) == comparable(b)
    assert a["run"]["cache_dir"] == str(cache.resolve())



def test_no_cache_writes_no_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path / "cache"))  # the default a --no-cache run must not use
    proc = conformance("run", "--frameworks", "numpy", "--modules", "relu", "--dtypes", "float64",
                       "--no-cache", "--out", str(tmp_path / "off"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert results(tmp_path / "off")["run"]["cache_dir"] is None
    assert not _files(tmp_path / "cache")


def test_no_cache_and_cache_dir_contradict(tmp_path):
    proc = conformance("run", "--frameworks", "numpy", "--modules", "relu", "--no-cache",
                       "--cache-dir", str(tmp_path), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "contradict" in proc.stderr
