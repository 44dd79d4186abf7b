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
``/usr/bin/time`` of the run. ``bound`` keeps a worker's memory near ``keep_mb()``:
``run.program_releases`` says how often each worker let go of its compiled programs."""

from __future__ import annotations

import gc
import os
import sys

import pytest

KEY = "cf_peak_rss_kb"
CPU_KEY = "cf_cpu_s"
RELEASE_KEY = "cf_releases"

# The bound on what a worker keeps for reuse: after a case, a worker whose resident memory
# is above it lets go of every compiled program its adapters and frameworks keep
# (``Adapter.release_programs``) and they are compiled again when next asked for. Measured
# without it (jax 0.10.2, full profile, one 1/24 shard, 2 workers): 3.7 GiB per worker within
# 3 minutes, growing by about 2 MiB a second (JAX's eager dispatch keeps an executable per
# primitive and shape, and free shapes draw a new shape every example). A CI runner's worker
# must fit in 6 GB: the bound leaves room for the largest case's own arrays above it.
KEEP_ENV = "GRADIENT_CONFORMANCE_KEEP_MB"
KEEP_MB = 3072
_releases = 0


def keep_mb() -> float:
    """The bound in MiB (``GRADIENT_CONFORMANCE_KEEP_MB``; 0 releases after every case)."""
    text = os.environ.get(KEEP_ENV, "").strip()
    if not text:
        return float(KEEP_MB)
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{KEEP_ENV}={text!r}: expected a number of MiB") from None
    if value < 0:
        raise ValueError(f"{KEEP_ENV}={text!r}: expected a number of MiB, not negative")
    return value


def current_rss_mb() -> float | None:
    """This process's resident set now, in MiB (None where /proc is absent)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


# What a worker must grow by, above what it held right after its last release, before it
# releases again: where the frameworks themselves hold more than the bound (three frameworks
# imported in one quick-profile worker: about 3 GiB), a release frees little, and releasing
# after every case would only throw away the programs the next case reuses.
REGROWTH_MB = 512
_floor = 0.0  # the resident set right after the last release


def bound(adapters, rss_mb: float | None = None, after_mb: float | None = None) -> bool:
    """After a case: above the bound (and ``REGROWTH_MB`` above what the last release left),
    every adapter lets go of its programs (True). ``rss_mb``/``after_mb``: the resident set
    now and after the release, where a caller measures them itself (tests)."""
    global _releases, _floor
    rss = current_rss_mb() if rss_mb is None else rss_mb
    if rss is None or rss <= max(keep_mb(), _floor + REGROWTH_MB if _releases else 0.0):
        return False
    for adapter in adapters:
        adapter.release_programs()
    gc.collect()
    _trim()
    _releases += 1
    after = current_rss_mb() if after_mb is None else after_mb
    _floor = rss if after is None else after
    return True


def _trim() -> None:
    """Hand freed heap back to the system (glibc ``malloc_trim``): without it the resident
    set stays at its peak after a release, and the bound would release after every case.
    Measured (jax 0.10.2, eager, 200 shapes of one function and its derivatives): 3.5 GiB,
    3.5 GiB after ``jax.clear_caches()`` alone, 0.5 GiB after it and ``malloc_trim``."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


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
        self.releases: dict[str, int] = {}

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
            report.user_properties.append((RELEASE_KEY, _releases))

    def pytest_runtest_logreport(self, report):
        node = getattr(report, "node", None)  # xdist: the worker that ran it
        worker = getattr(getattr(node, "gateway", None), "id", None) or "main"
        for key, value in getattr(report, "user_properties", ()):
            if key == KEY:
                self.peaks[worker] = max(self.peaks.get(worker, 0), int(value))
            elif key == CPU_KEY:
                self.cpu[worker] = max(self.cpu.get(worker, 0.0), float(value))
            elif key == RELEASE_KEY:
                self.releases[worker] = max(self.releases.get(worker, 0), int(value))

    def run_meta(self) -> dict:
        meta = {}
        if self.peaks:
            mb = {w: round(kb / 1024, 1) for w, kb in sorted(self.peaks.items())}
            meta.update(peak_rss_mb=mb, peak_rss_mb_max=max(mb.values()))
        if self.cpu:
            cpu = {w: round(s, 1) for w, s in sorted(self.cpu.items())}
            meta.update(cpu_s=cpu, cpu_s_max=max(cpu.values()))
        if self.releases:  # how often each worker let go of its programs (``bound``)
            meta.update(program_releases=dict(sorted(self.releases.items())), keep_mb=keep_mb())
        return meta


def register(config) -> None:
    config.pluginmanager.register(MemoryHooks(), "conformance-memory")


def run_meta(config) -> dict:
    hooks = config.pluginmanager.get_plugin("conformance-memory")
    return hooks.run_meta() if hooks is not None else {}
