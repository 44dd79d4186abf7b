"""Run ``python -m conformance`` in a subprocess, from the project root."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def conformance(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """The CLI as a user runs it; a ``run`` gets one worker unless it asks for more (the
    default, one per CPU, would multiply the processes of a test run under ``-n 2``), and
    the canonical form only unless it names ``--forms`` (the tests of the forms select them:
    tests/test_planted_forms.py, test_forms_run_records_and_covers_them)."""
    if args and args[0] == "run" and "--workers" not in args and "--" not in args:
        args = (*args, "--workers", "1")
    if args and args[0] == "run" and "--forms" not in args and "--" not in args:
        args = (*args, "--forms", "canonical")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "conformance", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def run_repro(command: str) -> subprocess.CompletedProcess:
    """Run a record's one-line repro command as a user would paste it."""
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "conformance"], command
    return conformance(*argv[3:])


def results(out_dir) -> dict:
    return json.loads((Path(out_dir) / "results.json").read_text())


def by_case(doc: dict) -> dict[tuple[str, str], dict]:
    return {(r["case_id"], r["check"]): r for r in doc["cases"]}
