"""``compare OLD NEW`` in findings (``reports.findings``): which causes are new, which
were fixed, which changed (worst ratio moved by more than ``MOVED``, or status changed).

A new finding (an id NEW has with status ``new`` that OLD did not have as ``new``) is a
regression; a fixed one is one OLD had as ``new``, ``expected`` or ``known-upstream`` and
NEW has no more, or has as ``fixed``."""

from __future__ import annotations

import math

from .findings import findings_of
from .findings_text import ratio_text

MOVED = 2.0  # a worst ratio that grew or shrank by this factor is a change


def of(doc: dict) -> list[dict]:
    return doc.get("findings") or findings_of(doc.get("cases") or [], doc)


def _ratio(f: dict) -> float | None:
    try:
        v = float(f.get("worst_ratio"))
    except (TypeError, ValueError):
        return None
    return v if not math.isnan(v) else None


def _moved(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    if math.isinf(a) or math.isinf(b):
        return a != b
    lo, hi = sorted((abs(a), abs(b)))
    return hi > MOVED * lo if lo > 0 else hi > 0


def compare_findings(old: dict, new: dict) -> dict:
    a = {f["id"]: f for f in of(old)}
    b = {f["id"]: f for f in of(new)}
    out = {"new": [], "fixed": [], "changed": []}
    for fid, f in b.items():
        o = a.get(fid)
        if f["status"] == "new" and (o is None or o["status"] != "new"):
            out["new"].append(f)
        elif f["status"] == "fixed" and o is not None and o["status"] != "fixed":
            out["fixed"].append(f)
        elif o is not None and (o["status"] != f["status"] or _moved(_ratio(o), _ratio(f))
                                or len(o["checks"]) != len(f["checks"])):
            out["changed"].append((o, f))
    for fid, o in a.items():
        if fid not in b and o["status"] in ("new", "expected", "known-upstream"):
            out["fixed"].append(o)
    return out


def format_findings(d: dict) -> list[str]:
    out = []
    if d.get("new"):
        out.append(f"new findings ({len(d['new'])}):")
        for f in d["new"]:
            out.append(f"  {f['id']}  ratio {ratio_text(f.get('worst_ratio'))}, {len(f['checks'])} checks: {f['title']}")
            if f.get("repro"):
                out.append(f"      repro: {f['repro']}")
    if d.get("fixed"):
        out.append(f"findings fixed ({len(d['fixed'])}):")
        out += [f"  {f['id']}: {f['title']}" for f in d["fixed"]]
    if d.get("changed"):
        out.append(f"findings changed ({len(d['changed'])}):")
        out += [f"  {o['id']}: {o['status']} -> {f['status']}, worst ratio {ratio_text(o.get('worst_ratio'))} -> "
                f"{ratio_text(f.get('worst_ratio'))}, checks {len(o['checks'])} -> {len(f['checks'])}"
                for o, f in d["changed"]]
    return out
