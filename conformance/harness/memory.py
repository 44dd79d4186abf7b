"""Peak memory and CPU time per worker process: each test's report carries its worker's
peak resident set size so far (``getrusage(RUSAGE_SELF).ru_maxrss``) and the CPU seconds it
has used so far (user + system, its own and its reaped children's), and the controller
keeps the largest per worker, so a worker that a framework later kills still has its
figures. results.json ``run.peak_rss_mb`` maps each worker (xdist's ``gw0``, ...; ``main``
without workers) to its peak in MiB; ``run.peak_rss_mb_max`` is the largest — what one CI
runner must hold per worker. ``run.cpu_s`` maps each worker to its CPU seconds: on a
machine shared with other work the wall time is inflated by waiting for a core, the CPU
time much less, so ``cpu_s_max`` approaches what the run would take with a core per
worker. It leaves out helper processes still alive at the worker's last test (Inductor's
compile pool, ``compile_threads`` > 1): the whole tree's CPU time is the shell's
``/usr/bin/time`` of the run."""

from __future__ import annotations

import sys

import pytest

KEY = "cf_peak_rss_kb"
CPU_KEY = "cf_cpu_s"


def peak_rss_kb() -> int | None:
    try:
        import resource
    except ImportError:  # not POSIX
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes


def cpu_seconds() -> float | None:
    try:
        import resource
    except ImportError:
        return None
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class MemoryHooks:
    def __init__(self) -> None:
        self.peaks: dict[str, int] = {}
        self.cpu: dict[str, float] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if call.when == "call":
            peak = peak_rss_kb()
            if peak is not None:
                report.user_properties.append((KEY, peak))
            cpu = cpu_seconds()
            if cpu is not None:
                report.user_properties.append((CPU_KEY, cpu))

    def pytest_runtest_logreport(self, report):
        node = getattr(report, "node", None)  # xdist: the worker that ran it
        worker = getattr(getattr(node, "gateway", None), "id", None) or "main"
        for key, value in getattr(report, "user_properties", ()):
            if key == KEY:
                self.peaks[worker] = max(self.peaks.get(worker, 0), int(value))
            elif key == CPU_KEY:
                self.cpu[worker] = max(self.cpu.get(worker, 0.0), float(value))

    def run_meta(self) -> dict:
        meta = {}
        if self.peaks:
            mb = {w: round(kb / 1024, 1) for w, kb in sorted(self.peaks.items())}
            meta.update(peak_rss_mb=mb, peak_rss_mb_max=max(mb.values()))
        if self.cpu:
            cpu = {w: round(s, 1) for w, s in sorted(self.cpu.items())}
            meta.update(cpu_s=cpu, cpu_s_max=max(cpu.values()))
        return meta


def register(config) -> None:
    config.pluginmanager.register(MemoryHooks(), "conformance-memory")


def run_meta(config) -> dict:
    hooks = config.pluginmanager.get_plugin("conformance-memory")
    return hooks.run_meta() if hooks is not None else {}
