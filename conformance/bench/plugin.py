"""The pytest plugin of a benchmark worker (one process per framework, started by
``conformance.bench.driver``): ``--cb-*`` options, thread set-up before the framework's
first op, and the parametrization of ``test_bench`` with one :class:`BenchCase` each.

Run by hand::

    python -m pytest conformance/bench/test_bench.py --noconftest -p conformance.bench.plugin \\
        --cb-framework torch --cb-modules softmax --benchmark-json out.json
"""

from __future__ import annotations

import os

import pytest

from conformance.plan.selection import split
from adapters import REFERENCE_IMPLEMENTATIONS
from conformance.bench.cases import expand
from conformance.bench.harness import QUICK, THOROUGH
from conformance.bench.shapes import DEFAULT_MODULES


def pytest_addoption(parser):
    g = parser.getgroup("conformance-bench", "conformance benchmarks")
    g.addoption("--cb-framework", default=min(REFERENCE_IMPLEMENTATIONS),
                help="the one framework of this worker (default: the references)")
    g.addoption("--cb-modules", default="", help="comma-separated modules (default: the quick set)")
    g.addoption("--cb-devices", default="cpu")
    g.addoption("--cb-dtypes", default="float32")
    g.addoption("--cb-modes", default="eager,compiled")
    g.addoption("--cb-passes", default="forward,forward+vjp")
    g.addoption("--cb-threads", type=int, default=0, help="threads (default: the CPUs this process may use)")
    g.addoption("--cb-no-scaling", action="store_true", help="leave out the scaling series")
    g.addoption("--cb-no-gemm", action="store_true", help="leave out the GEMM ceiling")
    g.addoption("--cb-thorough", action="store_true", help="more rounds (slower, steadier)")
    g.addoption("--cb-skips", default="", help="write {bench_id: skip reason} to this JSON file")
    g.addoption("--cb-timing", default="", help="a worker class 'package.module:Class' instead of the "
                "framework's own (its rows keep the framework's ids: a planted slowdown compares against them)")


def default_modules() -> list[str]:
    from conformance.specs import BY_NAME

    return [m for m in DEFAULT_MODULES if m in BY_NAME]


class BenchEnv:
    """Per-worker state: the pinned CPUs, the framework's timing class, its set-up."""

    def __init__(self, config) -> None:
        from adapters.timing import timing

        o = config.option
        self.framework = o.cb_framework
        cpus = sorted(os.sched_getaffinity(0))
        n = o.cb_threads or len(cpus)
        os.sched_setaffinity(0, cpus[:n])  # every worker pinned to the same first n CPUs
        self.timing = timing(o.cb_timing or self.framework)
        self.threads = self.timing.setup_threads(n)  # imports the framework: first thing it does
        self.budget = THOROUGH if o.cb_thorough else QUICK
        self.describe = self.timing.describe()


def pytest_configure(config):
    if not hasattr(config.option, "cb_framework"):
        return
    config._cb_env = BenchEnv(config)
    config._cb_skips = {}


def pytest_runtest_logreport(report):
    """Skipped benchmarks leave no row in pytest-benchmark's JSON: keep their reasons."""
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _SKIPS[report.nodeid.split("[", 1)[-1].rstrip("]")] = reason.removeprefix("Skipped: ")


_SKIPS: dict[str, str] = {}


def pytest_sessionfinish(session, exitstatus):
    path = getattr(session.config.option, "cb_skips", "")
    if path:
        import json

        with open(path, "w", encoding="utf-8") as fh:
            json.dump(_SKIPS, fh, indent=1)


def pytest_generate_tests(metafunc):
    if "bench_id" not in metafunc.fixturenames:
        return
    o = metafunc.config.option
    cases = expand(modules=split(o.cb_modules) or default_modules(), framework=o.cb_framework,
                   devices=split(o.cb_devices), dtypes=split(o.cb_dtypes), modes=split(o.cb_modes),
                   passes=split(o.cb_passes), scaling=not o.cb_no_scaling, gemm=not o.cb_no_gemm)
    metafunc.config._cb_cases = {c.id: c for c in cases}
    # Parametrized by the id string, so pytest-benchmark's "params" stay plain JSON.
    metafunc.parametrize("bench_id", list(metafunc.config._cb_cases), ids=str)


@pytest.fixture(scope="session")
def bench_env(pytestconfig) -> BenchEnv:
    return pytestconfig._cb_env


@pytest.fixture
def bench_case(bench_id, pytestconfig):
    return pytestconfig._cb_cases[bench_id]
