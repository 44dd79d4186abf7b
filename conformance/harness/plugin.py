"""The pytest plugin behind the conformance suite.

It adds the ``--cf-*`` options, parametrizes ``test_conformance`` with one case per
module variant × framework × dtype × device × mode (ids like ``elu-torch-float32-cpu``),
carries each case's records to the controlling process in ``user_properties`` (so
pytest-xdist workers and a single process produce the same results.json), and writes
results.json, junit.xml and index.html at the end of the session.
"""

from __future__ import annotations

import json
import time

import pytest

from adapters import independent_frameworks

from conformance.plan.profiles import PROFILES
from conformance.plan.selection import Selection, UsageError

RECORDS_KEY = "conformance_records"
DEFAULTS_KEY = "conformance_defaults"
KNOWN_KEY = "conformance_known"


def pytest_addoption(parser):
    g = parser.getgroup("conformance", "gradient conformance suite")
    g.addoption("--cf-modules", default=None, help="comma-separated modules (default: all)")
    g.addoption("--cf-frameworks", default=None, help="comma-separated frameworks (default: all)")
    g.addoption("--cf-dtypes", default="", help="float32,float64,bfloat16,float16 (default: all)")
    g.addoption("--cf-devices", default="", help="cpu,gpu or all (default: all)")
    g.addoption("--cf-modes", default="", help="eager,compiled (default: the profile's)")
    g.addoption("--cf-precision", default="", help="highest,default,autocast (default: highest = true "
                "float32; 'default' adds float32 GPU cases at the framework's own defaults, TF32 included)")
    g.addoption("--cf-forms", default="", help="forms besides the canonical call: all "
                "(default), canonical, kinds axis,size,layout, or form names (axis=0, D=1, "
                "transposed, strided, channels_last, axis=0+D=1)")
    g.addoption("--cf-check-determinism", action="store_true",
                help="rerun every example and record whether results are bitwise identical "
                "(always on for GPU cases)")
    g.addoption("--cf-deterministic", action="store_true",
                help="switch on each framework's determinism mode before running")
    g.addoption("--cf-profile", default="quick", choices=sorted(PROFILES))
    g.addoption("--cf-max-examples", type=int, default=None, help="examples per case")
    g.addoption("--cf-orders", default="", help="1,jvp,hvp (or 2): first order, forward mode, "
                "second order, jacobian, hessian (default: 1 in the quick profile, all in the full one)")
    g.addoption("--cf-seed", type=int, default=0, help="Hypothesis seed (same seed, same run)")
    g.addoption("--cf-adapter", action="append", default=[], help="third-party adapter module:Class")
    g.addoption("--cf-ops", action="append", default=[], help="FRAMEWORK=package.module: replace "
                "entries of a built-in adapter's op table with that module's (adapters.user_ops)")
    g.addoption("--cf-out", default=None, help="directory for results.json, junit.xml, index.html")
    from conformance.harness.shards import add_options as add_shard_options

    add_shard_options(g)
    from conformance.harness.caches import add_options as add_cache_options

    add_cache_options(g)


def _selection(config) -> Selection:
    sel = getattr(config, "_cf_selection", None)
    if sel is None:
        o = config.option
        try:
            sel = Selection.parse(modules=o.cf_modules, frameworks=o.cf_frameworks,
                                  dtypes=o.cf_dtypes, devices=o.cf_devices, modes=o.cf_modes,
                                  profile=o.cf_profile, adapters=o.cf_adapter,
                                  precision=o.cf_precision, forms=o.cf_forms)
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
        from conformance.known.expected_failures import TableError, validate

        try:  # an entry that names nothing of the table is an error of the table
            validate()
        except TableError as exc:
            raise pytest.UsageError(str(exc)) from None
        config._cf_selection = sel
    return sel


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """A worker of a run exits at once after its last hook: every report and record has
    gone to the controller by then, and the compile caches and example files are written
    when they are made. The interpreter's own teardown of three frameworks (their atexit
    handlers, threads and heaps) cost 2-4 s per run while the controller waited for it."""
    if hasattr(config, "workerinput") and getattr(config.option, "cf_out", None):
        import os
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def pytest_configure(config):
    config._cf_started = time.time()
    from conformance.harness import crash_hooks as crashes_hooks

    config.pluginmanager.register(crashes_hooks.CrashHooks(config, _selection, _COLLECTED),
                                  "conformance-crashes")
    from conformance.harness.shards import ShardHooks

    config.pluginmanager.register(ShardHooks(config), "conformance-shards")
    from conformance.harness.memory import register as register_memory

    register_memory(config)  # each worker's peak memory, into results.json run.peak_rss_mb
    from conformance.harness.caches import configure as configure_cache

    configure_cache(config)  # before any framework loads and before xdist starts workers
    if not hasattr(config, "workerinput"):  # cases done / total instead of a letter per test
        from conformance.harness.progress import Progress

        config.pluginmanager.register(Progress(config), "conformance-progress")


def pytest_generate_tests(metafunc):
    sel = _selection(metafunc.config)
    if "case" in metafunc.fixturenames:
        cases = sel.cases()
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])
    builtin = [f for f in sel.frameworks if f in independent_frameworks()]
    if "defaults_framework" in metafunc.fixturenames:
        metafunc.parametrize("defaults_framework", builtin)
    if "known_case" in metafunc.fixturenames:
        known = _known_cases(sel, builtin)
        metafunc.parametrize("known_case", known, ids=[f"{k.id}-{fw}" for k, fw in known])


def _known_cases(sel, frameworks):
    """Known discrepancies within the selected modules, for each selected framework that
    has a reproduction of it (adapters/<framework>/known_cases.py)."""
    import importlib

    from conformance.known.discrepancies import KNOWN

    out = []
    for k in KNOWN:
        if not set(k.modules) & set(sel.modules):
            continue
        for fw in frameworks:
            try:
                cases = importlib.import_module(f"adapters.{fw}.known_cases").CASES
            except ModuleNotFoundError:
                continue
            if k.id in cases:
                out.append((k, fw))
    return out


class _Runner:
    """Per-process state: adapters are created (and frameworks imported) once."""

    def __init__(self, config):
        self.config = config
        self.selection = _selection(config)
        self.adapters = {}

    def adapter(self, framework: str):
        if framework not in self.adapters:
            from adapters import load_adapter

            adapter = load_adapter(self.selection.adapter_spec(framework))
            if adapter.unavailable_reason() is None:
                for source in self.op_overrides().get(framework, ()):
                    adapter.override_ops(source)  # the user's kernels (--ops / entry points)
            if self.config.option.cf_deterministic and adapter.unavailable_reason() is None:
                switch = getattr(adapter, "set_deterministic", None)
                adapter.determinism = switch(True) if switch else "no determinism switch"
            self.adapters[framework] = adapter
        return self.adapters[framework]

    def op_overrides(self) -> dict[str, list[str]]:
        from adapters.user_ops import entry_point_ops, parse_ops_option

        merged = entry_point_ops()
        for fw, sources in parse_ops_option(self.config.option.cf_ops).items():
            merged.setdefault(fw, []).extend(s for s in sources if s not in merged.get(fw, []))
        return merged

    def run(self, case):
        """The case's records, as results.json keeps them: op source named, explained
        failures marked ``xfail`` (``conformance.known.expected_failures``)."""
        from conformance.known.expected_failures import apply

        from conformance.harness.memory import bound

        records = _with_op_source(case, self.adapter(case.framework), self._run(case))
        apply(records)
        bound(self.adapters.values())  # over the memory bound: let go of compiled programs
        return records

    def _run(self, case):
        from conformance.run.case import run_case

        o = self.config.option
        third = self.selection.extra_adapters.get(case.framework)
        from conformance.run.timings import timed

        from conformance.run.derivative_case import derivative_records, parse_orders

        orders = parse_orders(o.cf_orders, o.cf_profile)
        with timed(self.adapter(case.framework)) as (adapter, stamp):
            first = (run_case(case, adapter, PROFILES[o.cf_profile],
                              max_examples=o.cf_max_examples, seed=o.cf_seed,
                              adapter_spec=third,
                              check_determinism=o.cf_check_determinism or case.device == "gpu")
                     if "1" in orders else [])
            return stamp(first + derivative_records(  # jvp:* and hvp:* (derivative_runner.py)
                case, adapter, PROFILES[o.cf_profile], orders=orders,
                max_examples=o.cf_max_examples, seed=o.cf_seed, adapter_spec=third))


def _with_op_source(case, adapter, records):
    """Every record says where its op came from; a replaced op's repro carries its --ops."""
    import shlex

    source = adapter.op_source(case.spec.name) if hasattr(adapter, "op_source") else ""
    replaced = source in (getattr(getattr(adapter, "_table", None), "sources", None) or {}).values()
    for r in records:
        r.op_source = source
        if replaced and r.repro:
            r.repro += " --ops " + shlex.quote(f"{case.framework}={source}")
    return records


@pytest.fixture(scope="session")
def conformance_runner(pytestconfig):
    return _Runner(pytestconfig)


def pytest_runtest_logreport(report):
    if report.when != "call":  # user_properties ride on every phase's report
        return
    for key, value in getattr(report, "user_properties", ()):
        if key == RECORDS_KEY:
            _COLLECTED.extend(json.loads(value))
        elif key == DEFAULTS_KEY:
            _DEFAULTS.append(json.loads(value))
        elif key == KNOWN_KEY:
            _KNOWN.append(json.loads(value))


_COLLECTED: list[dict] = []
_DEFAULTS: list[dict] = []
_KNOWN: list[dict] = []


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes the files
        return
    out = config.option.cf_out
    if not out or not _COLLECTED:
        return
    from reports import write_all

    from conformance.results.environment import environment

    sel = _selection(config)
    meta = {"profile": sel.profile, "seed": config.option.cf_seed,
            "max_examples": config.option.cf_max_examples or PROFILES[sel.profile].max_examples,
            "selection": {"modules": sel.modules, "frameworks": sel.frameworks,
                          "dtypes": sel.dtypes, "devices": sel.devices, "modes": sel.modes,
                          "precisions": sel.precisions},
            "deterministic_mode": bool(config.option.cf_deterministic),
            "wall_s": round(time.time() - config._cf_started, 2),
            "workers": int(getattr(config.option, "numprocesses", 0) or 0)}
    records = sorted(_COLLECTED, key=lambda r: (r["case_id"], r["check"]))
    from conformance.harness import shards

    meta.update(_absent_devices(config, sel))
    meta.update(shards.run_meta(config))
    from conformance.harness.caches import run_meta as cache_meta

    meta.update(cache_meta(config))
    from conformance.harness.memory import run_meta as memory_meta

    meta.update(memory_meta(config))
    shards.save_piece(config, out, records, _DEFAULTS, _KNOWN, meta, [c.id for c in sel.cases()])
    from conformance.harness.settle import settle
    from conformance.run.derivative_case import parse_orders

    extras = settle(records, _DEFAULTS, _KNOWN)
    meta["orders"] = list(parse_orders(config.option.cf_orders, sel.profile))
    paths = write_all(out, environment(records), records, meta, extras)
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None:
        tr.ensure_newline()
        from reports.findings_text import run_end

        for line in run_end(records, extras, paths, meta):  # the findings, counts, where the report is
            tr.write_line(line)
        from conformance.run.timings import format_slowest

        for line in format_slowest(records):
            tr.write_line(line)


def _absent_devices(config, sel) -> dict:
    """A run of every device (no --devices, or "all") leaves out the devices this machine
    has none of: results.json says which, why, and how many cases that is."""
    import dataclasses

    from adapters.machine import absent_devices

    if (config.option.cf_devices or "all").strip() not in ("", "all"):
        return {}
    out = {}
    for device, reason in absent_devices().items():
        cases = len(dataclasses.replace(sel, devices=[device]).cases())
        out[device] = {"reason": reason, "cases": cases}
    return {"absent_devices": out} if out else {}
