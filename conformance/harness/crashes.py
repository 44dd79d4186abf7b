"""Crash isolation: a case whose framework kills the process is a finding, not the end of
the run.

The CLI always runs the cases under pytest-xdist (at least one worker), so a framework that
aborts, segfaults or is killed takes down a worker, never the run: xdist reports the item
it was running to the controller ("worker 'gw0' crashed while running ...") and starts a
replacement that carries on with the remaining cases. This module adds what xdist does not
know:

* in the worker (``WorkerNotes``): before every example is handed to the framework, the
  case id and the example are written to a small per-worker file in a temporary directory
  of the run, and ``faulthandler`` writes the fatal-error report (the signal and the Python
  stack) to a second one — both survive the process;
* in the controller (``crash_records``): the crashed item becomes one ``error`` record per
  check of that case, verdict ``framework-crash``, with the exit status or signal, the
  fatal-error report, the example being run, a ``repro`` command, and the outcome of
  replaying that command in a fresh process (``replay``); where a plain-framework snippet
  of ``conformance.known.discrepancies`` matches the case, it is run too, and the record says
  whether it reproduces the same crash.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from conformance.run.inflight import INFLIGHT_KEY, start_worker  # noqa: F401  (the worker half)

VERDICT = "framework-crash"
MAX_REPLAYS = 4                    # replays per run (each is a fresh process)
REPLAY_TIMEOUT_S = 180

_ITEM = re.compile(r"::test_conformance\[(?P<case>.+)\]$")


# ---------------------------------------------------------------- the notes directory

INFLIGHT_PREFIX = "cf-inflight-"


def notes_directory(parent: str | None = None) -> str:
    """A fresh directory for the workers' notes, named for the controller's pid, after
    removing those of controllers that no longer run (a run killed by SIGKILL or a lost
    terminal cannot remove its own)."""
    import tempfile

    parent = parent or tempfile.gettempdir()
    sweep_stale(parent)
    return tempfile.mkdtemp(prefix=f"{INFLIGHT_PREFIX}{os.getpid()}-", dir=parent)


def sweep_stale(parent: str) -> list[str]:
    """Remove ``cf-inflight-<pid>-*`` directories whose controller is gone; returns them."""
    import shutil

    removed = []
    for path in Path(parent).glob(INFLIGHT_PREFIX + "*"):
        pid = path.name[len(INFLIGHT_PREFIX):].split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(str(path))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and not ours to judge
        return True
    return True


# ------------------------------------------------------------ controller side

def crashed_case(nodeid: str) -> str | None:
    m = _ITEM.search(nodeid)
    return m["case"] if m else None


def read_notes(directory: str, worker: str) -> tuple[dict, str]:
    """The worker's last note and its fatal-error report; both files are removed so that
    the replacement worker starts clean."""
    note_path, fault_path = Path(directory) / f"{worker}.json", Path(directory) / f"{worker}.fault"
    try:
        last = json.loads(note_path.read_text() or "{}")
    except (OSError, ValueError):
        last = {}
    try:
        fault = fault_path.read_text(errors="replace")
    except OSError:
        fault = ""
    for p in (note_path, fault_path):
        p.unlink(missing_ok=True)
    return last, fault


def exit_status(worker_controller, wait_s: float = 5.0) -> int | None:
    """The dead worker's exit status (negative: killed by that signal), where execnet's
    popen gateway exposes it."""
    popen = getattr(getattr(getattr(worker_controller, "gateway", None), "_io", None), "popen", None)
    if popen is None:
        return None
    deadline = time.time() + wait_s
    while popen.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    return popen.returncode


def describe_exit(code: int | None, fault: str) -> str:
    first = next((line.strip() for line in fault.splitlines() if line.strip()), "")
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        text = f"killed by {name}"
        if -code == signal.SIGKILL:
            text += ", with no fatal-error report, as the out-of-memory killer does"
    elif code is not None:
        text = f"exited with status {code}"
    else:
        text = "died (exit status unknown)"
    return text + (f" — {first}" if first else "")


def fault_frames(fault: str, keep: int = 12) -> str:
    """The innermost frames of faulthandler's report (the crashing call is on top)."""
    lines = [line.rstrip() for line in fault.splitlines() if line.strip()]
    head = [line for line in lines if not line.startswith("  File")][:2]
    frames = [line.strip() for line in lines if line.startswith("  File")][:keep]
    return "\n".join(head + frames)


def run_fresh(argv: list[str], timeout: float = REPLAY_TIMEOUT_S) -> tuple[int | None, str]:
    """Run argv in a fresh process; its exit status and the tail of its output."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=root)
    except subprocess.TimeoutExpired:
        return None, f"still running after {timeout:.0f} s (stopped)"
    return proc.returncode, proc.stdout + proc.stderr


def _tail(text: str, lines: int = 8) -> str:
    kept = [line for line in text.splitlines() if line.strip() and not line.startswith("  File")]
    return "\n".join(kept[-lines:])


def failed_check(text: str) -> str:
    """The native check or fatal line a framework printed before aborting, if any."""
    for pattern in (r"Check failed:[^\n]*", r"F\d{4} [^\n]*", r"Fatal Python error:[^\n]*",
                    r"Segmentation fault[^\n]*"):
        m = re.search(pattern, text)
        if m:
            return m.group(0).strip()[:400]
    return ""


class Replays:
    """Replays at most MAX_REPLAYS crashes per run, each in a fresh process."""

    def __init__(self):
        self.used = 0
        self.snippets: dict[str, tuple[int | None, str]] = {}

    def replay(self, case_id: str, example, adapter_spec: str | None) -> str:
        if example is None:
            return "not replayed: the crash came before the first example"
        if self.used >= MAX_REPLAYS:
            return f"not replayed (at most {MAX_REPLAYS} replays per run): run the repro command"
        self.used += 1
        argv = [sys.executable, "-m", "conformance", "repro", case_id, "--in-process",
                "--example", json.dumps(example, separators=(",", ":"), sort_keys=True)]
        argv += ["--adapter", adapter_spec] if adapter_spec else []
        code, out = run_fresh(argv)
        if code is not None and code < 0:
            check = failed_check(out)
            return (f"replayed in a fresh process: crashed again ({describe_exit(code, '')})"
                    + (f"; {check}" if check else ""))
        if code is None:
            return f"replayed in a fresh process: {_tail(out)}"
        return (f"replayed in a fresh process: no crash (exit {code}) — the crash depends on "
                f"what ran before it in the worker; output: {_tail(out)[-300:]}")

    def snippet(self, entry) -> tuple[int | None, str]:
        if entry.id not in self.snippets:
            self.snippets[entry.id] = run_fresh([sys.executable, "-c", entry.code], timeout=120)
        return self.snippets[entry.id]


def known_crash_note(case_id: str, example, replay: str, replays: Replays) -> dict | None:
    """Run the matching plain-framework snippet (if any) and say what it showed."""
    from conformance.known.discrepancies import find_crash as find

    entry = find(case_id, (example or {}).get("dims", {}))
    if entry is None:
        return None
    code, out = replays.snippet(entry)
    crashed = code is not None and code < 0
    same = crashed and entry.signature in out and entry.signature in replay
    if same:
        verdict = (f"reproduces in {len(entry.code.strip().splitlines())} lines of plain "
                   f"{entry.framework} code (run in a fresh process in this run: "
                   f"{describe_exit(code, '')}, '{entry.signature}')")
    elif crashed:
        verdict = f"the snippet crashes ({describe_exit(code, '')}) but without '{entry.signature}'"
    else:
        verdict = f"the snippet does not crash here (exit {code}): {_tail(out)[-200:]}"
    return {"id": entry.id, "summary": entry.summary, "result": verdict, "snippet": entry.code.strip(),
            "reproduces": same}


def crash_records(case_id: str, worker: str, code: int | None, last: dict, fault: str,
                  adapter_spec: str | None, replays: Replays,
                  derivative_checks: tuple[str, ...] = ()) -> list[dict]:
    """One ``error`` record per check of the crashed case: its first-order checks and the
    ``derivative_checks`` the run asked for (``--orders``), none of which was recorded."""
    from conformance.plan.cases import parse_case_id
    from conformance.results.records import Record, repro_command
    from conformance.run.record_fields import identity

    case = parse_case_id(case_id)
    example = last.get("example") if last.get("case_id") == case_id else None
    how = describe_exit(code, fault)
    replay = replays.replay(case_id, example, adapter_spec)
    known = known_crash_note(case_id, example, replay, replays)
    where = (f"example {json.dumps(example, sort_keys=True)}" if example is not None
             else "before its first example")
    reason = f"the framework crashed the process ({how}) while running {where}; {replay}"
    if known:
        reason += f"; known crash {known['id']}: {known['result']}"
    witnesses = {"crash": {"worker": worker, "exit_status": code, "fatal_error": fault_frames(fault),
                           "replay": replay}}
    if known:
        witnesses["known_crash"] = known
    base = {**identity(case), "precision": {"mode": case.precision}}
    repro = repro_command(case.id, example, adapter_spec)
    return [Record(**base, check=c, status="error", verdict=VERDICT, reason=reason,
                   examples=0, example=example, repro=repro, witnesses=witnesses).to_json()
            for c in (*case.spec.checks(case.variant), *derivative_checks)]


def repro_in_fresh_process(args) -> int:
    """``repro``: run it in a child process, so that a crash is reported (signal, the
    framework's last message) instead of killing the command unexplained."""
    argv = [sys.executable, "-m", "conformance", "repro", "--in-process", args.case_id,
            "--seed", str(args.seed)]
    argv += ["--example", args.example] if args.example is not None else []
    argv += ["--orders", args.orders] if getattr(args, "orders", None) else []
    argv += [f"--adapter={a}" for a in args.adapter]
    argv += [f"--ops={o}" for o in getattr(args, "ops", ())]
    proc = subprocess.run(argv, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(proc.stderr)
    if proc.returncode < 0:
        check = failed_check(proc.stderr)
        print(f"CRASH: the framework crashed the process ({describe_exit(proc.returncode, '')}) "
              f"while replaying this "
              f"example (verdict {VERDICT})" + (f"; {check}" if check else ""))
        return 1
    return proc.returncode
