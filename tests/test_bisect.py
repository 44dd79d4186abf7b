"""``bisect``: the planted framework ``plantedfw`` (tests/planted_release.py) is released as
wheels 1.0-1.7 in a local directory, with a gradient fault from 1.5 on and an
uninstallable 1.3; ``bisect`` must name 1.5, offline, listing 1.3 as not installable. The
search itself and the version ranges are checked without environments."""

from __future__ import annotations

import json

import pytest

from conformance.upgrade.bisect import Release, search
from conformance.upgrade.venvs import Env
from conformance.upgrade.versions import Wanted
from tests.cli_helpers import conformance
from tests.planted_release import BROKEN, FAULTY_FROM, RELEASES, build_wheel

ADAPTER = "tests.planted_release:PlantedRelease"
CASE = "tanh-plantedfw-float64-cpu"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheels")
    for version in RELEASES:
        build_wheel(version, out)
    return out


def _bisect(wheels, *extra):
    return conformance("bisect", CASE, "--framework", "plantedfw", "--adapter", ADAPTER,
                       "--no-index", "--find-links", str(wheels), "--installer", "pip",
                       "--example", '{"dims": {"N": 2, "D": 3}, "seed": 1}', *extra, timeout=240)


@pytest.mark.slow
def test_bisect_finds_the_planted_release_offline(wheels, tmp_path):
    out = tmp_path / "bisect.json"
    proc = _bisect(wheels, "--versions", "1.0..1.7", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(out.read_text())
    assert doc["versions"] == list(RELEASES)
    assert doc["first_different"] == FAULTY_FROM, proc.stdout
    assert doc["last_same"] == "1.4", proc.stdout
    outcomes = {r["version"]: r["outcome"] for r in doc["releases"]}
    assert outcomes["1.0"] == "pass" and outcomes[FAULTY_FROM] == "fail"
    assert all(outcomes.get(v) == "not-installable" for v in BROKEN if v in outcomes)
    assert outcomes.get("1.3") == "not-installable"  # the search's first midpoint
    fault = next(r for r in doc["releases"] if r["version"] == FAULTY_FROM)
    assert fault["ratio"] > 1 and "grad:x" in fault["detail"]
    assert f"first fail on plantedfw {FAULTY_FROM}" in proc.stdout
    assert "not-installable" in proc.stdout  # the table lists it


@pytest.mark.slow
def test_bisect_over_an_explicit_list_needs_no_index_listing(wheels):
    proc = _bisect(wheels, "--versions", "1.4,1.6")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "first fail on plantedfw 1.6 (pass on 1.4)" in proc.stdout


def test_bisect_usage_errors(wheels):
    proc = conformance("bisect", CASE, "--framework", "jax", "--versions", "1.0..1.7")
    assert proc.returncode == 2 and "runs on plantedfw" in proc.stderr
    proc = _bisect(wheels, "--versions", "1.0")
    assert proc.returncode == 2 and "at least two releases" in proc.stderr
    proc = _bisect(wheels, "--versions", "3.0..4.0")
    assert proc.returncode == 2 and "0 release(s) of plantedfw" in proc.stderr


def _fake(outcomes: dict[str, str]):
    calls = []

    def run(version):
        calls.append(version)
        return Release(version, outcomes[version])

    return run, calls


def test_search_finds_the_first_change_in_few_runs():
    versions = [f"1.{i}" for i in range(32)]
    run, calls = _fake({v: "pass" if i < 19 else "fail" for i, v in enumerate(versions)})
    seen, last_same, first = search(versions, run)
    assert (last_same, first) == ("1.18", "1.19")
    assert len(calls) <= 2 + 5  # the ends, then log2(32)


def test_search_steps_over_releases_that_cannot_run():
    outcomes = {"1.0": "unavailable", "1.1": "pass", "1.2": "not-installable", "1.3": "skip",
                "1.4": "pass", "1.5": "crash", "1.6": "crash", "1.7": "not-installable"}
    seen, last_same, first = search(list(outcomes), _fake(outcomes)[0])
    assert (last_same, first) == ("1.4", "1.5")
    assert seen["1.0"].outcome == "unavailable"  # listed, and not the baseline


def test_search_when_nothing_changes_or_nothing_runs():
    same = {"1.0": "fail", "1.1": "fail", "1.2": "fail"}
    _, last_same, first = search(list(same), _fake(same)[0])
    assert (last_same, first) == ("1.2", None)
    none = {"1.0": "skip", "1.1": "not-installable"}
    assert search(list(none), _fake(none)[0])[1:] == (None, None)


def test_version_ranges():
    available = ["0.4.30", "0.4.31", "0.5.0rc1", "0.5.0", "0.6.0", "0.10.2", "junk"]
    assert Wanted.parse("0.4.31..0.6.0").select(available) == ["0.4.31", "0.5.0", "0.6.0"]
    assert Wanted.parse("0.4.31..0.6.0").select(available, pre=True) == \
        ["0.4.31", "0.5.0rc1", "0.5.0", "0.6.0"]
    assert Wanted.parse("0.6.0..").select(available) == ["0.6.0", "0.10.2"]  # numeric order
    assert Wanted.parse("0.10.2,0.4.30").select([]) == ["0.4.30", "0.10.2"]
    for bad in ("1.0", "..", "1.0..2.0,3.0", "a,b"):
        with pytest.raises(ValueError):
            Wanted.parse(bad)


def test_uv_gets_the_same_index_options(tmp_path):
    env = Env(tmp_path, "uv")
    argv = env.install_command(["jax==0.5.0"], ["--index-url=file:///idx", "--find-links=/w",
                                                "--no-index"], pre=True)
    assert argv[1:5] == ["pip", "install", "--python", str(env.python)]
    assert argv[5:] == ["--prerelease", "allow", "--index-url", "file:///idx", "--find-links",
                        "/w", "--no-index", "jax==0.5.0"]
