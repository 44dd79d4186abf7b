"""A framework that kills the process costs one case: the run goes on, writes every file,
and records the crash (verdict framework-crash) with the example it was running and a
repro that replays it in a fresh process."""

import xml.etree.ElementTree as ET

from tests.cli_helpers import by_case, conformance, results, run_repro

COMMON = ["--modules", "softmax,tanh", "--devices", "cpu", "--max-examples", "6"]
DTYPES = ["--dtypes", "float32,float64"]


def test_abort_is_one_crash_record_and_the_run_goes_on(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_crash:Aborting", *COMMON, *DTYPES,
                       "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for name in ("results.json", "junit.xml", "index.html"):
        assert (tmp_path / name).exists(), name
    doc = results(tmp_path)
    cases = by_case(doc)
    crashed = "softmax-aborting-float32-cpu"
    for check in ("forward", "grad:x"):
        r = cases[(crashed, check)]
        assert (r["status"], r["verdict"]) == ("error", "framework-crash"), r
        assert "SIGABRT" in r["reason"] and "Fatal Python error: Aborted" in r["reason"]
        # The example recorded is the one that crashed: the planted condition holds for it.
        assert r["example"] and r["example"]["dims"]["D"] >= 3
        assert "crashed again" in r["witnesses"]["crash"]["replay"]
        assert "planted_crash.py" in r["witnesses"]["crash"]["fatal_error"]
        assert "--adapter tests.planted_crash:Aborting" in r["repro"] and "--example" in r["repro"]
    # Every other case ran and passed, including the same module in float64.
    others = {k: r["status"] for k, r in cases.items() if k[0] != crashed}
    assert len(others) == 6 and set(others.values()) == {"pass"}, others
    assert doc["summary"]["verdicts"]["framework-crash"] == 2
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    assert sum(int(s.get("errors")) for s in junit) == 2
    assert crashed in (tmp_path / "index.html").read_text()

    replay = run_repro(cases[(crashed, "forward")]["repro"])
    assert replay.returncode == 1 and "CRASH" in replay.stdout and "SIGABRT" in replay.stdout


def test_killed_worker_with_two_workers_is_recorded(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_crash:Killed", *COMMON,
                       "--dtypes", "float32", "--workers", "2", "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    cases = by_case(results(tmp_path))
    r = cases[("softmax-killed-float32-cpu", "grad:x")]
    assert (r["status"], r["verdict"]) == ("error", "framework-crash")
    assert "SIGKILL" in r["reason"] and r["example"]["dims"]["D"] >= 3
    assert cases[("tanh-killed-float32-cpu", "grad:x")]["status"] == "pass"


def test_workers_below_one_is_a_usage_error(tmp_path):
    proc = conformance("run", "--workers", "0", "--modules", "relu", "--out", str(tmp_path))
    assert proc.returncode == 2 and "--workers must be at least 1" in proc.stderr


def test_known_crash_is_claimed_only_when_its_snippet_reproduces_it(monkeypatch):
    from conformance.harness import crashes
    from conformance.known import discrepancies as known_crashes

    aborts = known_crashes.KnownCrash(
        "planted", "numpy", "softmax-aborting-*", lambda dims: dims.get("D", 0) >= 3,
        "planted check failed", "a planted abort",
        "import os, sys\nprint('planted check failed', file=sys.stderr, flush=True)\nos.abort()")
    quiet = known_crashes.KnownCrash("quiet", "numpy", "tanh-aborting-*", lambda dims: True,
                                     "planted check failed", "does not crash", "print('fine')")
    monkeypatch.setattr(known_crashes, "KNOWN_CRASHES", (aborts, quiet))
    assert known_crashes.find_crash("softmax-aborting-float32-cpu", {"D": 2}) is None
    replays = crashes.Replays()
    yes = crashes.known_crash_note("softmax-aborting-float32-cpu", {"dims": {"D": 3}},
                                   "crashed again; planted check failed", replays)
    assert yes["reproduces"] and "SIGABRT" in yes["result"] and "3 lines" in yes["result"]
    # The same snippet, but the case's own replay did not show the signature: no claim.
    other = crashes.known_crash_note("softmax-aborting-float32-cpu", {"dims": {"D": 3}},
                                     "crashed again (SIGSEGV)", replays)
    assert not other["reproduces"]
    no = crashes.known_crash_note("tanh-aborting-float32-cpu", {"dims": {}}, "x", replays)
    assert not no["reproduces"] and "does not crash" in no["result"]


def test_notes_directories_of_dead_controllers_are_swept(tmp_path):
    """A controller killed outright leaves its notes directory behind; the next run
    removes those whose pid no longer runs, and never a live controller's."""
    import os
    import subprocess
    import sys

    from conformance.harness import crashes

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    dead = tmp_path / f"{crashes.INFLIGHT_PREFIX}{gone}-abc"
    live = tmp_path / f"{crashes.INFLIGHT_PREFIX}{os.getpid()}-def"
    other = tmp_path / "unrelated"
    for d in (dead, live, other):
        d.mkdir()
        (d / "gw0.json").write_text("{}")
    fresh = crashes.notes_directory(str(tmp_path))
    assert not dead.exists() and live.exists() and other.exists()
    assert os.path.basename(fresh).startswith(f"{crashes.INFLIGHT_PREFIX}{os.getpid()}-")


def test_a_crash_stands_for_the_derivative_checks_the_run_asked_for(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_crash:AbortingWithRoutes",
                       "--modules", "softmax", "--devices", "cpu", "--max-examples", "3",
                       "--dtypes", "float32", "--orders", "1,jvp", "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    crashed = {r["check"]: r for r in results(tmp_path)["cases"]
               if r["case_id"] == "softmax-aborting-routes-float32-cpu"}
    assert set(crashed) == {"forward", "grad:x", "jvp:x@planted_jvp"}, sorted(crashed)
    assert {(r["status"], r["verdict"]) for r in crashed.values()} == {("error", "framework-crash")}
