"""The report's "Forward mode and second order" section: the measured capability matrix.

One row per module, one column per framework × kind × route (× mode when compiled ran),
from results.json ``derivative_capabilities`` (``conformance.results.capabilities``): ✓ works,
✗ wrong, n/i not implemented (the framework's own text on hover), err error, – skipped.
"""

from __future__ import annotations

from html import escape

MARK = {"works": ("✓", "#cdeccd"), "wrong": ("✗", "#f2a7a7"), "not implemented": ("n/i", "#f3e3b5"),
        "error": ("err", "#d9a3c6"), "skipped": ("–", "#e2e2e2")}


def section(doc: dict) -> str:
    caps = doc.get("derivative_capabilities") or {}
    cells = caps.get("cells") or []
    if not cells:
        return ""
    modes = sorted({c["mode"] for c in cells})
    cols = sorted({(c["framework"], c["kind"], c["route"], c["mode"]) for c in cells})
    by = {(c["module"], c["framework"], c["kind"], c["route"], c["mode"]): c for c in cells}
    head = "".join(
        f"<th title='{escape(f'{fw} {kind} by {route}')}'>{escape(fw)}<br>{escape(kind)}@{escape(route)}"
        + (f"<br>{escape(mode)}" if len(modes) > 1 else "") + "</th>" for fw, kind, route, mode in cols)
    rows = []
    for module in sorted({c["module"] for c in cells}):
        tds = []
        for fw, kind, route, mode in cols:
            c = by.get((module, fw, kind, route, mode))
            if c is None:
                tds.append("<td></td>")
                continue
            mark, colour = MARK.get(c["state"], ("?", "#fff"))
            tip = c["state"] + (" (expected failure)" if c.get("expected") else "") + (
                f": {c['reason']}" if c.get("reason") else "")
            tds.append(f"<td style='background:{colour};text-align:center' title='{escape(tip)}'>{mark}</td>")
        rows.append(f"<tr><th>{escape(module)}</th>{''.join(tds)}</tr>")
    summary = caps.get("summary") or {}
    totals = "; ".join(f"{escape(k)}: " + ", ".join(f"{n} {escape(s)}" for s, n in sorted(v.items()))
                       for k, v in summary.items())
    disagree = caps.get("route_disagreements") or []
    note = (f"<p>Routes of one framework that disagree: {len(disagree)} module(s).</p>" if disagree else "")
    return (f"<section id='sec-derivatives'><h2>Forward mode and second order <span class='count'>"
            f"{len(cells)}</span></h2><p class='muted'>jvp: output tangent J v; hvp: Hessian-vector "
            f"product of ⟨u, f(x)⟩. ✓ works · ✗ wrong · n/i not implemented (the framework's own "
            f"error on hover) · err error · – skipped.</p>{note}<div class='scroll'><table class='findings'>"
            f"<thead><tr><th>module</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            f"<details><summary>per route</summary><p>{totals}</p></details></section>")
