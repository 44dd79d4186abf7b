"""Verdicts: who is wrong, from the witnesses every case has.

Each check of each case has three kinds of witness: the documented formula (the
reference, and the document's claims as written), float64 finite differences, and the
other frameworks. After all cases ran, ``assign`` settles every record's ``verdict``:

* ``agree`` — the framework matches the reference under its documented rule;
* ``convention`` — it matches under a named alternative rule (set by the runner);
* ``framework-discrepancy`` — this framework fails, finite differences confirm the
  reference at the failing example, and every other framework that ran the same check
  (same module, attributes, dtype, device and mode) passes it;
* ``document-erratum`` — the framework agrees with the corrected reference, while the
  document's formula as written is wrong for this module (see ``conformance.documents.errata``);
* ``framework-crash`` — the framework killed the process (abort, segfault, out of memory)
  while running the case: set by the crash isolation (``conformance.harness.crashes``) on one
  ``error`` record per check, never left as ``unexplained``;
* ``framework-error`` — a route or compiled program raised inside the framework, and a
  few lines of plain framework code (``conformance.known.discrepancies.KNOWN_ERRORS``), run in a fresh
  process in the same run, raise the same error: set by ``conformance.harness.framework_errors``;
* ``explained`` — an expected failure (``conformance.known.expected_failures``) that the
  witnesses alone did not settle: its entry, investigated by hand, says who is wrong and why;
* ``unexplained`` — anything else: shown prominently, never hidden.
"""

from __future__ import annotations

from collections import defaultdict

from adapters import REFERENCE_IMPLEMENTATIONS as REFERENCE_ADAPTERS  # not independent witnesses

from conformance.judge.witnesses import FdWitness, FrameworksWitness
from conformance.model.checks import parse


def _group(r: dict) -> tuple:
    attrs = tuple(sorted((k, str(v)) for k, v in (r.get("attrs") or {}).items()))
    return (r["module"], attrs, r["dtype"], r["device"], r["mode"], r["check"])


def assign(records: list[dict], errata: list[dict] | None = None) -> list[dict]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        if r["status"] != "skip" and r["framework"] not in REFERENCE_ADAPTERS:
            groups[_group(r)].append(r)
    for r in records:
        if r["status"] in ("fail", "xfail") and r.get("verdict") == "unexplained":
            others = [o for o in groups[_group(r)] if o["framework"] != r["framework"]]
            fd = FdWitness.from_json((r.get("witnesses") or {}).get("finite_differences"))
            passing = [o["framework"] for o in others if o["status"] == "pass"]
            failing = [o["framework"] for o in others if o["status"] != "pass"]
            r.setdefault("witnesses", {})["other_frameworks"] = FrameworksWitness(
                tuple(passing), tuple(failing)).to_json()
            # At ties and kinks finite differences cannot arbitrate; there the agreement of
            # at least two other frameworks with the reference has to carry the verdict.
            fd_ok = fd is not None and fd.applicable and fd.agrees
            fd_na = fd is not None and not fd.applicable
            if not failing and (fd_ok and passing or fd_na and len(passing) >= 2):
                r["verdict"] = "framework-discrepancy"
    for erratum in errata or ():
        for r in records:
            if (r["status"] == "pass" and r.get("verdict") == "agree"
                    and _applies(erratum, r)):
                r["verdict"] = "document-erratum"
                r["erratum"] = erratum["id"]
    return records


def _applies(erratum: dict, r: dict) -> bool:
    if r["module"] != erratum["module"] or r["check"] != erratum["check"]:
        return False
    variants = erratum.get("variants")
    return variants is None or (r.get("attrs") or {}).get("variant", "") in variants


def assign_derivatives(records: list[dict]) -> list[dict]:
    """``framework-discrepancy`` for a failing derivative check (``jvp:``, ``hvp:``, ...) when
    its finite-difference witness confirms the oracle at the failing example and every other
    framework that ran the same kind and argument (any route; same module, attributes,
    dtype, device and mode) passes it: the first-order rule, with routes pooled per
    framework. Route comparisons (``~``) are information and are not settled here."""

    def group(r):
        c = parse(r["check"])
        attrs = tuple(sorted((k, str(v)) for k, v in (r.get("attrs") or {}).items()))
        return (r["module"], attrs, r["dtype"], r["device"], r["mode"], c.kind, c.arg)

    def judged(r):
        c = parse(r["check"])
        return c.is_derivative and not c.is_route_comparison

    groups: dict[tuple, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for r in records:
        if judged(r) and r["status"] != "skip":
            groups[group(r)][r["framework"]].add(r["status"])
    for r in records:
        if r["status"] in ("fail", "xfail") and r.get("verdict") == "unexplained" and judged(r):
            others = {fw: st for fw, st in groups[group(r)].items() if fw != r["framework"]}
            passing = tuple(sorted(fw for fw, st in others.items() if st == {"pass"}))
            failing = tuple(sorted(fw for fw, st in others.items() if st != {"pass"}))
            r.setdefault("witnesses", {})["other_frameworks"] = FrameworksWitness(
                passing, failing).to_json()
            fd = FdWitness.from_json((r.get("witnesses") or {}).get("finite_differences"))
            if passing and not failing and fd is not None and fd.applicable and fd.agrees:
                r["verdict"] = "framework-discrepancy"
    return records


def explain_expected(records: list[dict]) -> list[dict]:
    """``explained`` for an expected failure (status ``xfail``) that the witnesses left
    ``unexplained``: its entry in ``conformance.known.expected_failures`` says who is wrong
    and why (the record's reason, ``witnesses.expected_failure``). Settled after every other
    rule, so a framework discrepancy the witnesses prove stays one."""
    for r in records:
        if r["status"] == "xfail" and r.get("verdict") == "unexplained":
            r["verdict"] = "explained"
    return records
