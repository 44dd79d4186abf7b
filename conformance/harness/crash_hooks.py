"""The pytest(-xdist) hooks behind crash isolation (the logic is in ``conformance.harness.crashes``).

Registered by the conformance plugin for every run. In the controller of an xdist run it
makes the directory where workers leave their notes and hands it to each worker
(``pytest_configure_node``); in a worker it starts the notes; when a worker dies,
``pytest_handlecrashitem`` turns the item it was running into crash records and puts
a readable explanation in the failure pytest shows.
"""

from __future__ import annotations

import shutil

import pytest

from conformance.harness import crashes


class CrashHooks:
    def __init__(self, config, selection, collected: list):
        self.config, self.selection, self.collected = config, selection, collected
        self.directory = None
        self.replays = crashes.Replays()
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None:
            crashes.start_worker(workerinput)
        elif getattr(config.option, "numprocesses", None):
            self.directory = crashes.notes_directory()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node):
        if self.directory:
            node.workerinput[crashes.INFLIGHT_KEY] = self.directory

    @pytest.hookimpl(optionalhook=True)
    def pytest_handlecrashitem(self, crashitem, report, sched):
        case_id = crashes.crashed_case(crashitem)
        worker = getattr(getattr(getattr(report, "node", None), "gateway", None), "id", "?")
        last, fault = (crashes.read_notes(self.directory, worker) if self.directory else ({}, ""))
        if case_id is None:
            return
        code = crashes.exit_status(getattr(report, "node", None))
        try:
            from adapters import BUILTIN

            from conformance.plan.cases import parse_case_id
            from conformance.run.derivative_case import parse_orders, planned_checks

            case = parse_case_id(case_id)
            selection = self.selection(self.config)
            spec = selection.extra_adapters.get(case.framework)
            orders = parse_orders(getattr(self.config.option, "cf_orders", None), selection.profile)
            derivative = planned_checks(case, spec or BUILTIN.get(case.framework, case.framework), orders)
            records = crashes.crash_records(case_id, worker, code, last, fault, spec, self.replays,
                                            tuple(derivative))
        except Exception as exc:  # never lose the run over the explanation of a crash
            report.longrepr = f"{report.longrepr}\n(no crash record: {type(exc).__name__}: {exc})"
            return
        self.collected.extend(records)
        r = records[0]
        report.longrepr = (f"{report.longrepr}\n{case_id}: {r['verdict']}: {r['reason']}\n"
                           f"  repro:   {r['repro']}")

    def pytest_unconfigure(self, config):
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
