"""The report's data: every record of results.json as one compact JSON blob.

The page builds its matrix, filters and drill-downs from this blob in JavaScript, so a
run of thousands of cases is one ``<script type="application/json">`` element rather than
thousands of HTML rows. Compactness (the budget: 5,000 cases in under 5 MB):

* strings that repeat (modules, frameworks, statuses, reasons, citations) are stored once
  in ``strings`` and referred to by index;
* fields shared by a case's checks (module, framework, device, dtype, mode, attrs,
  composed, citations) are stored once per case;
* a check's repro command is stored only when it is not the standard
  ``python -m conformance repro ID --example 'JSON'`` (which the page rebuilds from the
  case id and the example, see ``repro_of``);
* a check's other fields (``extra``) are [[name, value JSON], ...] with both interned: the
  precision flags of a framework, or the shapes and thresholds of a case, are stored once
  however many checks carry them;
* examples are interned (a case's checks mostly share their worst example);
* a check that passes and agrees keeps its ratio, error and tolerance only (its worst
  index, got/expected and relative error are in results.json);
* errors, tolerances and ratios keep 4 significant digits; got/expected keep all
  digits (the drill-down shows them in full).

Layout (``CASE_FIELDS`` / ``CHECK_FIELDS`` name the positions)::

    {"strings": [...], "case_fields": [...], "check_fields": [...],
     "cases": [[id, module_id, module, family, framework, device, dtype, mode, attrs,
                composed, [citation, ...], quoted_id, precision_mode, [check, ...]], ...]}
"""

from __future__ import annotations

import json
import math
import shlex

CASE_FIELDS = ("id", "mid", "module", "family", "fw", "dev", "dtype", "mode", "attrs",
               "composed", "cit", "qid", "prec", "checks")
CHECK_FIELDS = ("check", "status", "verdict", "ratio", "abs", "rel", "tol", "wi", "got",
                "exp", "reason", "conv", "examples", "example", "repro", "extra")
# Record fields given their own place above; any other non-empty field (witnesses, erratum,
# precision flags, whatever a producer adds) travels in a check's ``extra`` JSON.
KNOWN = {"module", "attrs", "framework", "device", "dtype", "mode", "check", "case_id", "status",
         "verdict", "convention", "reason", "max_abs_err", "max_rel_err", "tolerance", "ratio",
         "worst_index", "got", "expected", "examples", "example", "repro", "composed", "citations",
         "family",
         "duration_s", "timing"}  # per case, shown in the Timings section (reports/timings.py)
REPRO_PREFIX = "python -m conformance repro "


class Strings:
    """Interns strings: each distinct string is stored once and referred to by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.items: list[str] = []

    def __call__(self, value) -> int:
        value = "" if value is None else str(value)
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.items)
            self.items.append(value)
        return i


def family_of(module: str, record: dict | None = None) -> str:
    """The record's ``family`` field (results.json schema), else "other" (results written
    before records carried it). The report reads results only: it imports no suite code."""
    return (record or {}).get("family") or "other"


def module_id(record: dict) -> str:
    variant = (record.get("attrs") or {}).get("variant")
    return f"{record['module']}[{variant}]" if variant else record["module"]


def _short(v):
    """A float at 4 significant digits; inf/nan (stored as strings by records.py) kept."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        f = float(v)
        if not math.isfinite(f):
            return str(f)
        return float(f"{f:.4g}")
    return v


def _exact(v):
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


def example_json(example) -> str:
    return "" if example is None else json.dumps(example, separators=(",", ":"), sort_keys=True)


def repro_of(quoted_id: str, example: str) -> str:
    """The standard repro command (what ``conformance.results.records.repro_command`` writes for
    a built-in adapter); the page's JavaScript rebuilds it the same way."""
    return f"{REPRO_PREFIX}{quoted_id} --example " + shlex.quote(example)


MEASURED = ". Measured: "  # an expected failure's reason: its explanation, then the measurement


def _reason(reason, s: Strings):
    """The reason's index, or [explanation, measurement] indices: an expected failure's
    explanation is stored once however many checks it explains."""
    head, sep, tail = (reason or "").partition(MEASURED)
    return [s(head), s(sep + tail)] if sep else s(reason)


def _check_row(r: dict, s: Strings, quoted_id: str) -> list:
    example = example_json(r.get("example"))
    repro = r.get("repro") or ""
    if repro and example and repro == repro_of(quoted_id, example):
        repro = 1  # rebuilt by the page
    extra = {k: v for k, v in r.items() if k not in KNOWN and v not in (None, "", {}, [])}
    quiet = r.get("status") == "pass" and r.get("verdict") == "agree"  # results.json has the rest
    return [s(r.get("check")), s(r.get("status")), s(r.get("verdict")),
            _short(r.get("ratio")), _short(r.get("max_abs_err")),
            None if quiet else _short(r.get("max_rel_err")), _short(r.get("tolerance")),
            None if quiet else r.get("worst_index"), None if quiet else _exact(r.get("got")),
            None if quiet else _exact(r.get("expected")), _reason(r.get("reason"), s), r.get("convention"),
            r.get("examples", 0), s(example), repro or 0,
            [[s(k), s(json.dumps(extra[k], sort_keys=True, default=str))] for k in sorted(extra)]]


def precision_mode(r: dict) -> str:
    """The case's precision mode when it is not the default true-dtype arithmetic."""
    p = r.get("precision")
    mode = p.get("mode") if isinstance(p, dict) else p
    return "" if mode in (None, "", "highest") else str(mode)


def build(records: list[dict]) -> dict:
    s = Strings()
    cases: dict[str, list] = {}
    families: dict[str, str] = {}
    for r in records:
        cid = r["case_id"]
        case = cases.get(cid)
        if case is None:
            module = r["module"]
            if module not in families:
                families[module] = family_of(module, r)
            attrs = {k: v for k, v in (r.get("attrs") or {}).items() if k != "variant"}
            quoted = shlex.quote(cid)
            case = cases[cid] = [
                cid, s(module_id(r)), s(module), s(families[module]), s(r.get("framework")),
                s(r.get("device")), s(r.get("dtype")), s(r.get("mode") or "eager"),
                s(json.dumps(attrs, sort_keys=True) if attrs else ""), int(bool(r.get("composed"))),
                [s(c) for c in r.get("citations") or ()], 0 if quoted == cid else quoted,
                s(precision_mode(r)), []]
        case[-1].append(_check_row(r, s, case[CASE_FIELDS.index("qid")] or cid))
    return {"strings": s.items, "case_fields": list(CASE_FIELDS),
            "check_fields": list(CHECK_FIELDS), "cases": list(cases.values())}


def link_findings(data: dict, findings: list[dict]) -> dict:
    """The findings the page links cells to: ``findings`` [[id, title, status], ...] and
    ``case_findings`` {case id: [finding index, ...]} (the index is the row's position in
    the report's findings section, ``#finding-N``)."""
    data["findings"] = [[f["id"], f["title"], f["status"]] for f in findings]
    links: dict[str, list[int]] = {}
    for n, f in enumerate(findings):
        for key in f["checks"]:
            ids = links.setdefault(key.partition(" ")[0], [])
            if n not in ids:
                ids.append(n)
    data["case_findings"] = links
    return data


def to_script_json(data) -> str:
    """Compact JSON safe inside ``<script type="application/json">`` (no ``</``, no
    ``<!--``: every ``<`` is written as its escape)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
