"""``--seed random`` prints the seed it drew (and records it, so the run replays), and the
example database replays a saved failing example first, forgets it once the case passes,
and is off for a fixed seed unless asked for."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from tests.cli_helpers import by_case, conformance, results

PLANTED = ["--adapter", "tests.planted:PlantedTanh", "--modules", "tanh", "--dtypes", "float64",
           "--devices", "cpu", "--max-examples", "2"]
CASE = "tanh-planted-tanh-float64-cpu"


def _entry(db, case_id):
    return db / (hashlib.sha256(case_id.encode()).hexdigest()[:20] + ".json")


@pytest.mark.slow
def test_random_seed_is_printed_and_recorded(tmp_path):
    proc = conformance("run", "--frameworks", "numpy", "--modules", "relu", "--dtypes", "float64",
                       "--devices", "cpu", "--seed", "random", "--cache-dir", str(tmp_path / "c"),
                       "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    m = re.search(r"seed: (\d+) \(random; replay this run with --seed \1\)", proc.stdout)
    assert m, proc.stdout
    run = results(tmp_path / "o")["run"]
    assert run["seed"] == int(m.group(1)) and run["database"] == str((tmp_path / "c" / "hypothesis").resolve())
    bad = conformance("run", "--frameworks", "numpy", "--seed", "sometimes", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "whole number or 'random'" in bad.stderr


@pytest.mark.slow
def test_a_saved_failure_is_replayed_first_and_forgotten_once_fixed(tmp_path):
    db = tmp_path / "db"
    # A failing example no search would draw: large dims, an arbitrary seed.
    planted = {"dims": {"N": 3, "D": 7}, "seed": 987654321}
    db.mkdir()
    _entry(db, CASE).write_text(json.dumps({"case_id": CASE, "examples": [planted]}))
    proc = conformance("run", *PLANTED, "--seed", "1", "--database", str(db), "--out", str(tmp_path / "a"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rec = by_case(results(tmp_path / "a"))[(CASE, "grad:x")]
    assert rec["status"] == "fail" and rec["example"] == planted  # replayed, not searched
    assert results(tmp_path / "a")["run"]["database"] == str(db.resolve())

    # Without the database the same seed searches afresh: its own (shrunk) example.
    fresh = conformance("run", *PLANTED, "--seed", "1", "--out", str(tmp_path / "b"))
    doc = results(tmp_path / "b")
    assert fresh.returncode == 1 and doc["run"]["database"] is None
    assert by_case(doc)[(CASE, "grad:x")]["example"] != planted

    # The honest adapter passes the same case id's module: its saved entry is dropped.
    honest = "tanh-honest-float64-cpu"
    _entry(db, honest).write_text(json.dumps({"case_id": honest, "examples": [planted]}))
    ok = conformance("run", "--adapter", "tests.planted:Honest", *PLANTED[2:], "--seed", "1",
                     "--database", str(db), "--out", str(tmp_path / "c"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert not _entry(db, honest).exists()
    assert json.loads(_entry(db, CASE).read_text())["examples"][0] == planted  # still failing: kept
