"""The run-wide judgement: ``settle(records, defaults, known)`` settles every record's verdict
over all of a run's records (first order, derivative kinds, errata, framework errors) and
returns the sections results.json carries beside the cases (errata, claims, expected
failures, conventions, known discrepancies, the derivative capability matrix, the size
coverage). The run's end (``conformance.harness.plugin``) and ``merge`` both call it, on
the same records, so a merged run equals the unsharded one."""

from __future__ import annotations

from collections import defaultdict

from conformance.model.checks import parse
from conformance.specs import BY_NAME
from conformance.judge.accumulation import convention_rows as accumulation_rows
from conformance.judge.verdicts import REFERENCE_ADAPTERS, assign, assign_derivatives, explain_expected


def conventions_from_records(records: list[dict]) -> list[dict]:
    """The rule each framework was measured to follow, for every variant with rules."""
    table: dict[tuple, dict] = {}
    for r in records:
        if r["status"] != "pass" or r["check"] != "forward" and parse(r["check"]).kind != "grad":
            continue
        spec = BY_NAME.get(r["module"])
        variant_name = (r.get("attrs") or {}).get("variant", "")
        if spec is None:
            continue
        try:
            variant = spec.variant(variant_name)
        except KeyError:
            continue
        for rule, options in variant.rules.items():
            key = (r["module"], variant_name, rule)
            entry = table.setdefault(key, {
                "probe": f"{r['module']}{f'[{variant_name}]' if variant_name else ''}: {rule}",
                "description": variant.note or f"{rule} ({' | '.join(options)})",
                "reference": options[0], "measured": defaultdict(set)})
            value = (r.get("convention") or {}).get(rule, options[0])
            who = r["framework"] + (" (compiled)" if r["mode"] == "compiled" else "")
            entry["measured"][who].add(f"{value} [{r['dtype']}]")
    out = []
    for entry in table.values():
        measured = {}
        for who, values in sorted(entry["measured"].items()):
            plain = {v.split(" [")[0] for v in values}
            measured[who] = plain.pop() if len(plain) == 1 else "; ".join(sorted(values))
        out.append({**entry, "measured": measured})
    return sorted(out, key=lambda e: e["probe"])


def defaults_table(defaults: list[dict]) -> list[dict]:
    rows: dict[str, dict] = {}
    for d in defaults:
        for name, value in d["defaults"].items():
            rows.setdefault(name, {"probe": f"default {name}", "description":
                                   "read from the installed framework's signature",
                                   "reference": "", "measured": {}})["measured"][d["framework"]] = value
    return [rows[k] for k in sorted(rows)]


def errata_with_evidence(records: list[dict], max_examples: int = 100) -> tuple[list, list]:
    from conformance.documents.errata import evaluate_all

    errata, claims = evaluate_all(modules={r["module"] for r in records})
    for e in errata:
        agreeing = sorted({f"{r['framework']} {r['dtype']}" for r in records
                           if r["module"] == e["module"] and r["check"] == e["check"]
                           and r["status"] == "pass" and r["framework"] not in REFERENCE_ADAPTERS
                           and (r.get("attrs") or {}).get("variant", "") in (e["variants"] or [""])})
        if e["module"] is None:
            e["evidence"]["frameworks"] = ("a step of a derivation, which no framework exposes: "
                                           "finite differences and the corrected step decide")
        else:
            e["evidence"]["frameworks"] = (
                "pass against the corrected formula: " + ", ".join(agreeing) if agreeing
                else "no framework ran this variant in this run")
        e.setdefault("repro", f"python -m conformance claims --check {e['id']}")
    return errata, claims


def expected_failures_status(records: list[dict]) -> list[dict]:
    """Each expected failure: still failing (xfail), fixed (xpass: remove the entry), or
    not run in this selection."""
    from conformance.known.expected_failures import EXPECTED

    out = []
    for e in EXPECTED:
        hits = [r for r in records if r["check"] in e.checks and e.covers(r)]
        statuses = {r["status"] for r in hits}
        state = ("not run" if not hits or statuses <= {"skip"} else
                 "xfail" if "xfail" in statuses else "xpass" if statuses <= {"pass", "skip"} else
                 "mixed: " + ", ".join(sorted(statuses)))
        out.append({"case": e.label, "checks": list(e.checks), "status": state, "why": e.why,
                    "cases": sorted({r["case_id"] for r in hits if r["status"] != "skip"})})
    return out


def settle(records: list[dict], defaults: list[dict], known: list[dict]) -> dict:
    """Settle verdicts in place and return the extra sections of results.json."""
    selected = {r["module"] for r in records}
    errata, claims = errata_with_evidence(records)
    errata = [e for e in errata if e["module"] is None or e["module"] in selected]
    assign(records, errata)
    from conformance.harness.framework_errors import settle as settle_framework_errors

    settle_framework_errors(records)  # errors a plain-framework snippet reproduces
    assign_derivatives(records)  # jvp/hvp/...: the other frameworks' routes as witnesses
    explain_expected(records)  # what the witnesses left open, an expected-failure entry explains
    return {"errata": errata, "claims": claims,
            "expected_failures": expected_failures_status(records),
            "conventions": conventions_from_records(records) + accumulation_rows(records)
            + defaults_table(defaults),
            "known_discrepancies": sorted(known, key=lambda k: (k["id"], k["framework"])),
            **record_tables(records)}


def record_tables(records: list[dict]) -> dict:
    """The run-wide tables computed from the records alone, for a run's end
    (conformance/harness/plugin.py) and a merge alike: the derivative capability matrix and the
    size coverage (module -> the applicable size thresholds no example crossed; empty
    lists when the run reached them all)."""
    from conformance.model.forms import coverage as form_coverage
    from conformance.results.capabilities import capability_matrix
    from conformance.results.coverage import coverage

    return {"derivative_capabilities": capability_matrix(records),
            "size_coverage": coverage(records), "form_coverage": form_coverage(records)}
