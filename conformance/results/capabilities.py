"""The measured capability matrix of forward mode and second order: for each module ×
framework × mode × route, whether the derivative exists and is right.

Read off the ``jvp:*`` / ``hvp:*`` records of the run (never a table typed in):

* ``works`` — every check of the route passed (conventions included);
* ``wrong`` — a check failed (an expected failure too: ``expected`` says so);
* ``not implemented`` — the framework said so; ``reason`` is its own error text;
* ``error`` — the route raised something else;
* ``skipped`` — the case did not run (framework or device absent, variant not checked).

The worst state over a module's variants, dtypes and arguments is the cell's state.
"""

from __future__ import annotations

from collections import defaultdict

from conformance.model.checks import NOT_IMPLEMENTED, parse
from conformance.model.checks import parse_derivative as parse_check

STATES = ("wrong", "error", "not implemented", "works", "skipped")  # worst first


def _state(r: dict) -> str:
    status = r["status"]
    if status in ("fail", "xfail"):
        return "wrong"
    if status == "error":
        return "error"
    if status == "skip":
        return "not implemented" if r.get("reason", "").startswith(NOT_IMPLEMENTED) else "skipped"
    return "works"


def capability_matrix(records: list[dict]) -> dict:
    cells: dict[tuple, dict] = {}
    routes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        parsed = parse_check(r["check"])
        if parsed is None or parse(r["check"]).is_route_comparison:
            continue
        kind, _arg, route = parsed
        if route not in routes[r["framework"]][kind]:
            routes[r["framework"]][kind].append(route)
        key = (r["module"], r["framework"], r["mode"], kind, route)
        state = _state(r)
        reason = "" if state == "works" else (r.get("reason") or "")[:300]
        cell = cells.setdefault(key, {"module": key[0], "framework": key[1], "mode": key[2],
                                      "kind": kind, "route": route, "state": state,
                                      "reason": reason, "checks": 0, "expected": False})
        cell["checks"] += 1
        cell["expected"] |= r["status"] == "xfail"
        if STATES.index(state) < STATES.index(cell["state"]):
            cell["state"], cell["reason"] = state, reason
    disagree = defaultdict(int)
    for r in records:
        if parse(r["check"]).is_derivative and parse(r["check"]).is_route_comparison and r["status"] in ("fail", "xfail"):
            disagree[(r["module"], r["framework"], r["mode"])] += 1
    summary: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in cells.values():
        summary[f"{c['framework']} {c['kind']}@{c['route']}"][c["state"]] += 1
    return {"states": list(STATES),
            "routes": {fw: dict(kinds) for fw, kinds in sorted(routes.items())},
            "cells": sorted(cells.values(), key=lambda c: (c["module"], c["framework"], c["mode"],
                                                           c["kind"], c["route"])),
            "route_disagreements": [{"module": m, "framework": f, "mode": mo, "checks": n}
                                    for (m, f, mo), n in sorted(disagree.items())],
            "summary": {k: dict(v) for k, v in sorted(summary.items())}}
