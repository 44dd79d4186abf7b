"""Peak memory per worker process: each test's report carries its worker's peak resident
set size so far (``getrusage(RUSAGE_SELF).ru_maxrss``), and the controller keeps the
largest per worker, so a worker that a framework later kills still has its figure.
results.json ``run.peak_rss_mb`` maps each worker (xdist's ``gw0``, ...; ``main`` without
workers) to its peak in MiB; ``run.peak_rss_mb_max`` is the largest — what one CI runner
must hold per worker."""

from __future__ import annotations

import sys

import pytest

KEY = "cf_peak_rss_kb"


def peak_rss_kb() -> int | None:
    try:
        import resource
    except ImportError:  # not POSIX
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes


class MemoryHooks:
    def __init__(self) -> None:
        self.peaks: dict[str, int] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if call.when == "call":
            peak = peak_rss_kb()
            if peak is not None:
                report.user_properties.append((KEY, peak))

    def pytest_runtest_logreport(self, report):
        node = getattr(report, "node", None)  # xdist: the worker that ran it
        worker = getattr(getattr(node, "gateway", None), "id", None) or "main"
        for key, value in getattr(report, "user_properties", ()):
            if key == KEY:
                self.peaks[worker] = max(self.peaks.get(worker, 0), int(value))

    def run_meta(self) -> dict:
        if not self.peaks:
            return {}
        mb = {w: round(kb / 1024, 1) for w, kb in sorted(self.peaks.items())}
        return {"peak_rss_mb": mb, "peak_rss_mb_max": max(mb.values())}


def register(config) -> None:
    config.pluginmanager.register(MemoryHooks(), "conformance-memory")


def run_meta(config) -> dict:
    hooks = config.pluginmanager.get_plugin("conformance-memory")
    return hooks.run_meta() if hooks is not None else {}
