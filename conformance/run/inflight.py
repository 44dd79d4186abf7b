"""The worker half of crash isolation: before every example goes to the framework, the case
id and the example are written to a small per-worker file, and ``faulthandler`` writes the
fatal-error report to a second one; both survive a process the framework kills. The
controller half (reading them back into records) is ``conformance.harness.crashes``."""

from __future__ import annotations

import faulthandler
import json
import os
from pathlib import Path

INFLIGHT_KEY = "cf_inflight_dir"   # xdist workerinput key: where workers leave their notes

_NOTES: "WorkerNotes | None" = None


class WorkerNotes:
    """The worker's two files: the example in flight, and faulthandler's report."""

    def __init__(self, directory: str, worker: str):
        self.note_path = Path(directory) / f"{worker}.json"
        self.fault_path = Path(directory) / f"{worker}.fault"
        self._fault = None

    def note(self, case_id: str, example) -> None:
        if self._fault is None:  # here, not at start-up: pytest enables its own handler late
            self._fault = open(self.fault_path, "w")  # kept open: written on a fatal signal
            faulthandler.enable(file=self._fault, all_threads=False)
        data = json.dumps({"case_id": case_id, "example": example, "pid": os.getpid()},
                          default=str).encode()
        fd = os.open(self.note_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:  # written by the kernel before the framework is called: survives an abort
            os.write(fd, data)
        finally:
            os.close(fd)


def start_worker(workerinput: dict) -> None:
    global _NOTES
    directory = workerinput.get(INFLIGHT_KEY)
    if directory and os.path.isdir(directory):
        _NOTES = WorkerNotes(directory, workerinput.get("workerid", "gw"))


def note(case_id: str, example) -> None:
    """Called by the runner right before an example goes to the framework (no-op outside
    an xdist worker)."""
    if _NOTES is not None:
        _NOTES.note(case_id, example)
