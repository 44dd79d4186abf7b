"""Server-rendered parts of the report: the summary and verdict counts, the environment,
the list of unexplained results, and generic tables for the findings other tools add to
results.json (``errata``, ``conventions``, ``known_discrepancies``, or any other list of
objects): their columns are the objects' keys, so a new field shows up uncoordinated."""

from __future__ import annotations

from .html_text import _linked, e, text_of  # noqa: F401  (re-exported for the renderers)
from .results import summary

# Verdicts, most serious first; anything else a producer adds is shown after these.
VERDICTS = ("unexplained", "framework-crash", "framework-error", "framework-discrepancy", "document-erratum", "explained", "nondeterministic",
            "convention", "agree")
FINDINGS = (("errata", "Document errata"), ("conventions", "Conventions measured"),
            ("known_discrepancies", "Known framework discrepancies"))


def generic_table(rows: list, css: str = "findings") -> str:
    if not rows:
        return "<p class='muted'>none</p>"
    if not all(isinstance(r, dict) for r in rows):
        return "<ul>" + "".join(f"<li>{text_of(r)}</li>" for r in rows) + "</ul>"
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in columns) + "</tr>"
                   for r in rows)
    return f"<div class='scroll'><table class='{css}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _cell(value) -> str:
    html = text_of(value)
    if len(html) > 600:  # long evidence / counterexamples fold away
        return f"<details><summary>{len(html)} chars</summary>{html}</details>"
    return html


def finding_keys(doc: dict) -> list[str]:
    """The top-level lists shown as tables: the known three first, then any other."""
    known = {"schema", "environment", "run", "summary", "cases", "findings"}  # findings: first section
    titles = dict(FINDINGS)
    keys = [k for k, _ in FINDINGS if k in doc]
    return keys + [k for k, v in doc.items() if k not in known and k not in titles
                   and isinstance(v, list) and v]


def finding_title(key: str) -> str:
    return dict(FINDINGS).get(key, key.replace("_", " ").capitalize())


def findings(doc: dict) -> str:
    """Errata, conventions, known discrepancies, and any other top-level list of objects."""
    from .errata_section import render as errata_and_claims

    parts = []
    for key in finding_keys(doc):
        if key in ("errata", "claims"):  # cards and the filterable claims list
            if key == "errata" or "errata" not in doc:
                parts.append(errata_and_claims(doc))
            continue
        rows = doc[key] or []
        title = finding_title(key)
        parts.append(f"<section id='sec-{e(key)}'><h2>{e(title)} <span class='count'>"
                     f"{len(rows)}</span></h2>{generic_table(rows)}</section>")
    return "".join(parts)


def verdict_summary(records: list[dict], meta: dict) -> str:
    s = summary(records)
    chips = [f"<span class='chip st-{k}'>{s[k]} {k}</span>" for k in ("pass", "fail", "error", "skip", "xfail")]
    verdicts = dict(s["verdicts"])
    ordered = [v for v in VERDICTS if v in verdicts] + sorted(v for v in verdicts if v not in VERDICTS)
    vchips = [f"<span class='chip v-{e(v)}'>{verdicts[v]} {e(v)}</span>" for v in ordered]
    run = ", ".join(f"{k} {e(meta.get(k))}" for k in ("profile", "seed", "max_examples", "wall_s")
                    if meta.get(k) is not None)
    return (f"<p class='summary'><b>{s['cases']} cases, {s['records']} checks</b> "
            f"{''.join(chips)}</p><p class='summary'>verdicts (checks): "
            f"{''.join(vchips) or 'none'}</p><p class='muted'>run: {run}</p>")


def unexplained(records: list[dict]) -> str:
    bad = [r for r in records if r.get("verdict") == "unexplained"]
    if not bad:
        return ""
    items = "".join(
        f"<li><a href='#' class='caselink' data-case='{e(r['case_id'])}'>{e(r['case_id'])}</a> "
        f"<b>{e(r.get('check'))}</b> {e(r.get('status'))}: {e((r.get('reason') or '')[:300])}</li>"
        for r in bad[:200])
    more = f"<li>… and {len(bad) - 200} more (filter the matrix by 'unexplained')</li>" if len(bad) > 200 else ""
    return (f"<section class='alarm' id='unexplained'><h2>{len(bad)} unexplained "
            f"check{'s' if len(bad) != 1 else ''}</h2><p>No documented formula, known convention "
            f"or known discrepancy accounts for these.</p><ul>{items}{more}</ul></section>")


def environment_table(env: dict, meta: dict) -> str:
    rows = []
    for k, v in env.items():
        if k == "devices" and isinstance(v, dict):
            v = {dev: "; ".join(filter(None, [
                ("ran: " + ", ".join(d.get("ran", []))) if d.get("ran") else "",
                *(f"{fw} skipped ({why})" for fw, why in (d.get("skipped") or {}).items())]))
                 for dev, d in v.items()}
        rows.append(f"<tr><th>{e(k)}</th><td>{text_of(v)}</td></tr>")
    sel = meta.get("selection")
    if isinstance(sel, dict):
        rows.append("<tr><th>selection</th><td>" + "<br>".join(
            f"<b>{e(k)}</b>: {e(', '.join(map(str, v)) if isinstance(v, list) else v)}"
            for k, v in sel.items()) + "</td></tr>")
    return f"<table class='env'>{''.join(rows)}</table>"
