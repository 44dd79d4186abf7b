"""The suite as a user installs it: a wheel built from pyproject.toml holds every package
and subpackage of the source tree, and, installed (not editable) into a fresh virtual
environment, runs ``python -m conformance list``, a one-module run with the NumPy
adapter and the ``gradient-conformance`` console script — from outside the source tree,
so nothing is imported from it.

Slow (about half a minute: a wheel build and a venv install of numpy, hypothesis and
pytest, from pip's cache when warm) but part of the ordinary test run. No deep-learning
framework is installed into the venv: the run uses the NumPy adapter and the others are
reported as not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("references", "adapters", "conformance", "reports")

pytestmark = pytest.mark.slow


def _source_modules(src: Path) -> set[str]:
    """Every .py file of the four packages in the (copied) source tree, as wheel paths."""
    return {p.relative_to(src).as_posix() for pkg in PACKAGES for p in (src / pkg).rglob("*.py")}


def _clean_env(bin_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("PYTEST_")}
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    return env


def _run(argv, cwd, env, timeout=300) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, argv))} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_wheel_installs_and_runs(tmp_path):
    # Build from a copy of the sources, so the build leaves nothing in the tree.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
         cwd=tmp_path, env=_clean_env(Path(sys.executable).parent))
    (wheel,) = dist.glob("gradient_conformance-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_source_modules(src) - names)
    assert not missing, f"{wheel.name} lacks {len(missing)} source files, e.g. {missing[:5]}"
    for sub in ("adapters/torch/adapter.py", "conformance/specs/__init__.py",
                "conformance/documents/claims/__init__.py", "conformance/bench/driver.py",
                "conformance/test_suite.py"):
        assert sub in names, sub
    assert not any(n.startswith("tests/") for n in names), "the tool's own tests are not shipped"

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    env = _clean_env(bin_dir)
    _run([str(python), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path, env=env, timeout=600)

    work = tmp_path / "elsewhere"  # not the source tree: imports must come from the venv
    work.mkdir()
    where = _run([str(python), "-c", "import conformance.cli.main, adapters.torch.adapter, reports; "
                  "print(conformance.cli.main.__file__); print(reports.__file__)"], cwd=work, env=env)
    for line in where.stdout.split():
        assert Path(line).resolve().is_relative_to(env_dir.resolve()), line

    listing = _run([str(python), "-m", "conformance", "list"], cwd=work, env=env).stdout
    assert "relu" in listing and "conv2d" in listing
    assert "numpy        installed" in listing and "torch        not installed" in listing

    out = work / "run"
    _run([str(python), "-m", "conformance", "run", "--frameworks", "numpy", "--modules", "relu",
          "--dtypes", "float64", "--devices", "cpu", "--out", str(out)], cwd=work, env=env)
    doc = json.loads((out / "results.json").read_text())
    assert doc["summary"]["pass"] >= 2 and doc["summary"]["fail"] == 0
    assert {r["case_id"] for r in doc["cases"]} == {
        "relu-numpy-float64-cpu", "relu[kink]-numpy-float64-cpu",
        *(f"relu-numpy-float64-cpu~{form}" for form in ("N=1", "transposed", "strided"))}
    assert (out / "junit.xml").exists() and (out / "index.html").exists()

    script = bin_dir / ("gradient-conformance.exe" if os.name == "nt" else "gradient-conformance")
    helped = _run([str(script), "--help"], cwd=work, env=env).stdout
    assert "run" in helped and "compare" in helped
    out2 = work / "script"
    _run([str(script), "run", "--frameworks", "numpy", "--modules", "softmax", "--dtypes",
          "float32", "--devices", "cpu", "--out", str(out2)], cwd=work, env=env)
    doc2 = json.loads((out2 / "results.json").read_text())
    assert {r["status"] for r in doc2["cases"]} == {"pass"}, doc2["summary"]
