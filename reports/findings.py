"""Findings: what a run found, one row per cause.

A finding is one cause with a stable id, built from the records of results.json and the
sections written beside them (``expected_failures``, ``known_discrepancies``, ``errata``):

* ``expected:<hash>`` — one expected failure (its explanation; the ``xfail`` records whose
  reason starts with it), or ``fixed`` when the entry's checks now pass (``xpass``);
* ``known:<id>:<framework>`` — a known upstream discrepancy that reproduces (or no longer
  does: ``fixed``), ``crash:<id>`` / ``error:<id>`` — a framework crash or error that a
  plain-framework snippet reproduces (the snippet travels with the finding);
* ``erratum:<id>`` — a document erratum the frameworks agree with;
* ``convention:<framework>:<rule=value,...>`` — a named alternative rule a framework follows;
* ``<verdict>:<framework>:<family>:<check kind>:<form>`` — the otherwise unexplained
  failures sharing those fields.

Every record that is neither a skip nor ``agree`` belongs to exactly one finding
(``findings_of`` asserts nothing; ``tests/test_findings.py`` checks the partition).
This module reads dicts only: the report, ``compare`` and the run's end share it.
"""

from __future__ import annotations

import hashlib
import math
import re

STATUS_ORDER = {"new": 0, "fixed": 1, "known-upstream": 2, "expected": 3}
XFAIL_PREFIX = "expected failure — "


def record_key(r: dict) -> str:
    """The key a finding lists for a record: ``case_id check`` (and `` form`` when the
    record ran a form other than the canonical one)."""
    form = r.get("form")
    return f"{r['case_id']} {r['check']}" + (f" {form}" if form and form != "canonical" else "")


def ratio_of(r: dict) -> float | None:
    v = r.get("ratio")
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def check_kind(check: str) -> str:
    """``grad:x`` -> ``grad``; ``jvp:x@route`` -> ``jvp``; ``forward`` -> ``forward``."""
    return (check or "").split(":", 1)[0]


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


class _Finding:
    def __init__(self, fid: str, title: str, who: str, status: str, framework: str = "",
                 url: str | None = None, snippet: str | None = None, why: str = ""):
        self.row = {"id": fid, "title": title, "who": who, "status": status,
                    "framework": framework, "checks": [], "worst_ratio": None, "repro": "",
                    "snippet": snippet, "url": url, "why": why, "failing": 0}
        self._worst = -1.0

    def add(self, r: dict) -> None:
        self.row["checks"].append(record_key(r))
        if r.get("status") in ("fail", "error"):
            self.row["failing"] += 1
        ratio = ratio_of(r)
        if ratio is not None and ratio > self._worst:
            self._worst = ratio
            self.row["worst_ratio"] = ratio if math.isfinite(ratio) else str(ratio)
            if r.get("repro"):
                self.row["repro"] = r["repro"]
        if not self.row["repro"] and r.get("repro"):
            self.row["repro"] = r["repro"]


def _first_sentence(text: str, limit: int = 220) -> str:
    text = " ".join((text or "").split())
    m = re.search(r"(?<=[.;])\s", text)
    head = text[:m.start()] if m else text
    return head if len(head) <= limit else head[:limit - 1] + "…"


def _titled(framework: str, text: str) -> str:
    """The explanation's first sentence, led by the framework unless it already is."""
    head = _first_sentence(text)
    return head if not framework or head.lower().startswith(framework.lower()) else f"{framework}: {head}"


def _expected_why(r: dict) -> str | None:
    reason = r.get("reason") or ""
    if r.get("status") != "xfail" or not reason.startswith(XFAIL_PREFIX):
        return None
    return reason[len(XFAIL_PREFIX):]


def findings_of(records: list[dict], extras: dict | None = None) -> list[dict]:
    """The findings of a run, newest and worst first (see the module docstring)."""
    extras = extras or {}
    found: dict[str, _Finding] = {}

    def get(fid, *args, **kw) -> _Finding:
        if fid not in found:
            found[fid] = _Finding(fid, *args, **kw)
        return found[fid]

    entries = [e for e in extras.get("expected_failures") or () if isinstance(e, dict) and e.get("why")]
    # Longest explanation first: one explanation may begin with another's words.
    by_why = sorted(entries, key=lambda e: -len(e["why"]))
    by_label = {e.get("case"): e for e in entries}
    errata = {e.get("id"): e for e in extras.get("errata") or () if isinstance(e, dict)}
    for r in records:
        status, verdict = r.get("status"), r.get("verdict")
        if status == "skip" or (verdict == "agree" and status == "pass"):
            continue
        fw = r.get("framework", "")
        why = _expected_why(r)
        if why is not None:
            label = ((r.get("witnesses") or {}).get("expected_failure") or {}).get("entry")
            entry = (by_label.get(label) if label else None) or next(
                (e for e in by_why if why.startswith(e["why"])), None)
            text = entry["why"] if entry else why.split(". Measured:")[0]
            get(f"expected:{_hash(text)}", _titled(fw, text), "framework", "expected",
                fw, why=text).add(r)
            continue
        w = r.get("witnesses") or {}
        known = w.get("known_crash") or w.get("known_error")
        if verdict in ("framework-crash", "framework-error") and known and known.get("reproduces"):
            kind = "crash" if "known_crash" in w else "error"
            get(f"{kind}:{known['id']}", f"{fw}: {_first_sentence(known.get('summary', known['id']))}",
                "framework", "expected", fw, snippet=known.get("snippet"),
                why=known.get("result", "")).add(r)
            continue
        if verdict == "document-erratum":
            e = errata.get(r.get("erratum")) or {}
            eid = r.get("erratum") or "?"
            title = (f"{e.get('where') or r.get('module')}: written {e['as_written']}" if e.get("as_written")
                     else e.get("title") or e.get("claim") or r.get("module"))
            f = get(f"erratum:{eid}", f"document erratum {eid}, {_first_sentence(str(title), 160)}",
                    "document", "expected", why=f"corrected: {e['corrected']}" if e.get("corrected") else "")
            f.add(r)
            f.row["repro"] = e.get("repro") or f.row["repro"]
            continue
        if verdict == "convention" and status == "pass":
            conv = r.get("convention") or {}
            if "~" in r.get("check", ""):  # two routes, each following a known rule of its own
                rules = "; ".join(f"{route} follows {v}" for route, v in sorted(conv.items())) or "?"
                get(f"convention:{fw}:{rules}", f"{fw}'s routes follow different known rules "
                    f"where the derivative does not exist: {rules}", "convention", "expected",
                    fw).add(r)
                continue
            rules = ",".join(f"{k}={v}" for k, v in sorted(conv.items())) or "?"
            get(f"convention:{fw}:{rules}", f"{fw} follows {rules} (a named alternative to the "
                "documented rule)", "convention", "expected", fw).add(r)
            continue
        v = verdict or ("unexplained" if status in ("fail", "error", "xfail") else status or "?")
        family, kind = r.get("family") or "other", check_kind(r.get("check", ""))
        form = r.get("form") or "canonical"
        who = "framework" if v in ("framework-discrepancy", "framework-crash", "framework-error",
                                   "nondeterministic") else "unknown"
        words = {"unexplained": "unexplained", "framework-discrepancy": "framework discrepancy",
                 "framework-crash": "crash", "framework-error": "error",
                 "nondeterministic": "nondeterministic"}.get(v, v)
        get(f"{v}:{fw}:{family}:{kind}:{form}",
            f"{fw} {family} {kind} ({form}): {words} — nobody explained these",
            who, "new", fw, why=_first_sentence(r.get("reason", ""), 300)).add(r)
    for e in entries:  # fixed: the entry's checks all pass now
        if e.get("status") != "xpass":
            continue
        cases = set(e.get("cases") or ())
        hits = [r for r in records if r.get("status") == "pass" and r.get("check") in (e.get("checks") or ())
                and r["case_id"] in cases]
        fw = hits[0].get("framework", "") if hits else ""
        fid = f"expected:{_hash(e['why'])}"
        if fid in found:
            continue  # the same explanation still holds elsewhere in this run
        f = get(fid, _titled(fw, e["why"]), "framework", "fixed",
                fw, why=e["why"])
        for r in hits:
            f.add(r)
    for k in extras.get("known_discrepancies") or ():
        if not isinstance(k, dict) or k.get("status") not in ("reproduces", "does not reproduce"):
            continue
        fixed = k["status"] == "does not reproduce"
        get(f"known:{k.get('id')}:{k.get('framework')}",
                f"{k.get('framework')}: {k.get('title')}" + (" — no longer reproduces" if fixed else ""),
                "framework", "fixed" if fixed else "known-upstream", k.get("framework", ""),
                url=k.get("upstream"), snippet=k.get("snippet"), why=str(k.get("detail") or ""))
    rows = [f.row for f in found.values()]
    rows.sort(key=lambda f: (STATUS_ORDER.get(f["status"], 9), -_sortable(f["worst_ratio"]),
                             -len(f["checks"]), f["id"]))
    return rows


def _sortable(v) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return -1.0
    return f if math.isfinite(f) or f > 0 else -1.0


def run_passed(records: list[dict]) -> bool:
    """No failure and no error, but for the framework errors a plain-framework snippet
    reproduced in this run (verdict ``framework-error``): those are explained, as the exit
    code has it (``conformance.known.expected_failures.known_error``)."""
    return not any(r.get("status") == "fail"
                   or r.get("status") == "error" and r.get("verdict") != "framework-error"
                   for r in records)


def headline(records: list[dict], findings: list[dict]) -> str:
    """One sentence: did the run pass, and how many findings are new."""
    new = sum(f["status"] == "new" for f in findings)
    fixed = sum(f["status"] == "fixed" for f in findings)
    explained = sum(f["status"] in ("expected", "known-upstream") for f in findings)
    verdict = "PASSED" if run_passed(records) else "FAILED"
    parts = [f"{new} new finding{'s' if new != 1 else ''}"]
    if fixed:
        parts.append(f"{fixed} fixed")
    parts.append(f"{explained} explained")
    return f"Run {verdict}: " + ", ".join(parts) + "."


def absent(records: list[dict], run: dict | None = None) -> list[dict]:
    """The matrix columns (framework, device, dtype) where nothing ran, grouped into one
    note per cause: a device no case ran on ("no gpu on this machine"), else a framework's
    dtypes; and the devices a run of every device left out because this machine has none
    (results.json ``run.absent_devices``). Each note: {what, cases, reason, columns}."""
    cols: dict[tuple, dict] = {}
    for r in records:
        key = (r.get("framework", ""), r.get("device", ""), r.get("dtype", ""))
        c = cols.setdefault(key, {"ran": False, "cases": set(), "reasons": {}})
        c["cases"].add(r["case_id"])
        if r.get("status") != "skip":
            c["ran"] = True
        elif r.get("reason"):
            c["reasons"][r["reason"]] = c["reasons"].get(r["reason"], 0) + 1
    empty = {k: c for k, c in cols.items() if not c["ran"]}
    ran_devices = {k[1] for k, c in cols.items() if c["ran"]}
    groups: dict[tuple, list] = {}
    for k in empty:
        groups.setdefault(("device", k[1]) if k[1] not in ran_devices else ("framework", k[0], k[1]),
                          []).append(k)
    notes = []
    for g, keys in sorted(groups.items()):
        cases = sum(len(empty[k]["cases"]) for k in keys)
        reasons: dict[str, int] = {}
        for k in keys:
            for why, n in empty[k]["reasons"].items():
                reasons[why] = reasons.get(why, 0) + n
        reason = max(reasons, key=reasons.get) if reasons else ""
        if g[0] == "device":
            what = f"no {g[1].upper() if g[1] == 'gpu' else g[1]} on this machine"
        else:
            dtypes = sorted({k[2] for k in keys})
            what = f"{g[1]} {', '.join(dtypes)} on {g[2]}"
        notes.append({"what": what, "cases": cases, "reason": reason,
                      "columns": [list(k) for k in sorted(keys)]})
    for device, info in sorted(((run or {}).get("absent_devices") or {}).items()):
        notes.insert(0, {"what": f"no {device.upper() if device == 'gpu' else device} on this machine",
                         "cases": int(info.get("cases") or 0), "reason": info.get("reason", ""),
                         "columns": []})
    return notes
