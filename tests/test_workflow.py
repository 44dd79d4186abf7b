"""The GitHub Actions workflow (.github/workflows/conformance.yml): it parses, has the
shard matrix, the cache restore, the artifacts, the merge job and the gate, and every
``python -m conformance`` command it runs is one the command line accepts (subcommand and
options), so a renamed option breaks this test rather than the CI system's run."""

from __future__ import annotations

import re
import shlex

import pytest

from conformance.cli.main import _parser
from tests.cli_helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "conformance.yml"


def _run_scripts(text: str) -> list[str]:
    """Every ``run:`` script, read from the text (no YAML library needed): a one-line
    ``run: cmd`` or a ``run: |`` block (the lines indented deeper than ``run:``)."""
    scripts, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)(- )?run:\s*(.*)$", line)
        if not m:
            continue
        indent = len(m.group(1)) + (2 if m.group(2) else 0)
        if m.group(3) not in ("|", ">"):
            scripts.append(m.group(3))
            continue
        body = []
        for nxt in lines[i + 1:]:
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= indent:
                break
            body.append(nxt.strip())
        scripts.append("\n".join(body))
    return scripts


def _conformance_commands(script: str) -> list[list[str]]:
    out = []
    for line in script.splitlines():
        line = re.sub(r"\$\{\{[^}]*\}\}", "X", line)  # ${{ matrix.shard }} -> X
        for part in re.split(r"\|\||&&|;|\|(?!\|)", line):
            words = shlex.split(part, comments=True)
            if words[:3] == ["python", "-m", "conformance"]:
                out.append([w for w in words[3:] if not w.startswith("$")])  # shell arrays
    return out


def test_every_conformance_command_exists_in_the_cli():
    commands = [c for s in _run_scripts(WORKFLOW.read_text()) for c in _conformance_commands(s)]
    subcommands = [c[0] for c in commands]
    assert {"run", "merge", "compare"} <= set(subcommands), subcommands
    parser = _parser()
    for argv in commands:
        try:
            parser.parse_args(argv)
        except SystemExit:
            pytest.fail(f"the workflow runs 'python -m conformance {' '.join(argv)}', which the CLI rejects")
    run = next(c for c in commands if c[0] == "run")
    assert "--shard" in run and "--out" in run


def test_the_extraction_sees_a_bad_option():
    bad = "python -m conformance run --shards 1/2 --out part || test $? -eq 1"
    (argv,) = _conformance_commands(bad)
    with pytest.raises(SystemExit):
        _parser().parse_args(argv)


def test_workflow_parses_with_the_jobs_ci_needs():
    text = WORKFLOW.read_text()
    try:
        import yaml
    except ImportError:  # PyYAML is in the 'test' extra; without it, check the text
        for needle in ("jobs:", "  shard:", "  merge:", "needs: shard", "matrix:",
                       "actions/cache@", "actions/upload-artifact@", "actions/download-artifact@"):
            assert needle in text, needle
        pytest.skip("PyYAML not installed (pip install '.[test]'): checked the text only")
    doc = yaml.safe_load(text)
    jobs = doc["jobs"]
    assert set(jobs) == {"shard", "merge"}
    matrix = jobs["shard"]["strategy"]["matrix"]
    assert matrix["shard"] == [1, 2] and len(matrix["frameworks"]) >= 2
    uses = lambda job: [s.get("uses", "") for s in jobs[job]["steps"]]  # noqa: E731
    assert any(u.startswith("actions/cache@") for u in uses("shard"))
    assert any(u.startswith("actions/upload-artifact@") for u in uses("shard"))
    assert jobs["merge"]["needs"] == "shard"
    assert any(u.startswith("actions/download-artifact@") for u in uses("merge"))
    runs = " ".join(s.get("run", "") for s in jobs["merge"]["steps"])
    assert "conformance merge" in runs and "conformance compare reports/main" in runs
    cached = [s["with"]["path"] for s in jobs["shard"]["steps"] if s.get("uses", "").startswith("actions/cache@")]
    assert cached == [doc["env"]["GRADIENT_CONFORMANCE_CACHE"]]
    # The one-line/blocks extraction sees every run step the YAML has.
    n_steps = sum("run" in s for j in jobs.values() for s in j["steps"])
    assert len(_run_scripts(text)) == n_steps
