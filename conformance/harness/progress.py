"""The run's terminal: progress as cases done / total and the framework now running,
instead of one character per test (thousands of ``s`` for a machine without a GPU).

Registered in the controlling process only (an xdist worker's letters never reach the
terminal). No test prints a letter: a failure is counted on the progress line and keeps
its section in pytest's summary. On a terminal the progress line rewrites itself; in a
log it is one line per tenth of the run.
"""

from __future__ import annotations

import re
import time

import pytest

_FRAMEWORK = re.compile(r"\[[a-z0-9_]+(?:\[[^\]]*\])?-(?P<framework>.+?)-[a-z0-9]+-(?:cpu|gpu)")
QUIET = ("passed", "skipped", "xfailed")


def framework_of(nodeid: str) -> str:
    m = _FRAMEWORK.search(nodeid)
    if m:
        return m["framework"]
    param = nodeid.rpartition("[")[2].rstrip("]")  # test_defaults[torch], test_known_discrepancy[id-torch]
    name = param.rpartition("-")[2] if "[" in nodeid else ""
    return "" if name == "NOTSET" else name  # an empty parametrization


class Progress:
    def __init__(self, config):
        self.config = config
        self.total = 0
        self.done = 0
        self.failed = 0
        self.next_line = 0.0
        self.last = 0.0

    # -- totals ------------------------------------------------------------------------------
    def pytest_collection_finish(self, session):
        if not self.total:
            self.total = len(session.items)

    def pytest_xdist_node_collection_finished(self, node, ids):
        self.total = max(self.total, len(ids))

    # -- per test ----------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report, config):
        """No letter per test (the progress line counts them; pytest's summary lists the
        failures and errors with their messages)."""
        if report.when == "call" or (report.when == "setup" and report.skipped):
            if report.failed:
                return "failed", "", ""
            if report.passed and not hasattr(report, "wasxfail"):
                return "passed", "", ""
            if report.skipped and hasattr(report, "wasxfail"):
                return "xfailed", "", ""
            if report.skipped:
                return "skipped", "", ""
        return None

    def pytest_runtest_logreport(self, report):
        if not (report.when == "call" or (report.when == "setup" and not report.passed)):
            return
        self.done += 1
        self.failed += report.failed
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        if tr is None or not self.total:
            return
        line = (f"cases {self.done:,}/{self.total:,} ({100 * self.done // self.total}%)"
                f"{f', {self.failed:,} failing' if self.failed else ''} · {framework_of(report.nodeid)}")
        now = time.monotonic()
        if tr.isatty():
            if now - self.last > 0.2 or self.done == self.total:
                tr.rewrite(line, erase=True)
                self.last = now
        elif self.done * 10 >= self.next_line * self.total:
            tr.ensure_newline()
            tr.write_line(line)
            self.next_line = self.done * 10 // self.total + 1

    def pytest_sessionfinish(self):
        tr = self.config.pluginmanager.get_plugin("terminalreporter")
        if tr is not None:
            tr.ensure_newline()
