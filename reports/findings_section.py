"""The report's first section: the run's verdict in one line, then one row per finding
(``reports.findings``), newest and worst first, each expandable to its checks, its repro
command, its upstream link and its plain-framework snippet."""

from __future__ import annotations

from html import escape

from .findings import absent, headline, run_passed
from .findings_text import ratio_text

SHOWN_CHECKS = 60  # per finding; the rest are counted (the matrix and results.json hold all)
GROUP_WORDS = {"framework": "framework behaviours explained (expected failures, known crashes and errors)",
               "convention": "conventions a framework follows", "document": "document errata the frameworks agree with"}
STATUS_WORDS = {"new": "new", "known-upstream": "known upstream", "expected": "explained", "fixed": "fixed"}


def e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _checks(keys: list[str]) -> str:
    items = []
    for key in keys[:SHOWN_CHECKS]:
        case, _, check = key.partition(" ")
        items.append(f"<li><a href='#' class='caselink' data-case='{e(case)}'>{e(case)}</a> {e(check)}</li>")
    more = f"<li class='muted'>… and {len(keys) - SHOWN_CHECKS} more</li>" if len(keys) > SHOWN_CHECKS else ""
    return f"<ul class='fchecks'>{''.join(items)}{more}</ul>"


def _row(n: int, f: dict) -> str:
    body = []
    if f.get("why") and f["why"] != f["title"]:
        body.append(f"<p>{e(f['why'][:1500])}</p>")
    if f.get("url"):
        body.append(f"<p>upstream: <a href='{e(f['url'])}'>{e(f['url'])}</a></p>")
    if f.get("repro"):
        body.append(f"<pre class='repro'>{e(f['repro'])}</pre>")
    if f.get("snippet"):
        body.append(f"<p class='muted'>plain-framework reproduction:</p><pre class='snippet'>{e(f['snippet'])}</pre>")
    if f["checks"]:
        body.append(_checks(f["checks"]))
    n_checks = len(f["checks"])
    return (f"<details class='finding fs-{e(f['status'])}' id='finding-{n}' data-fid='{e(f['id'])}'>"
            f"<summary><span class='chip fst-{e(f['status'])}'>{e(STATUS_WORDS.get(f['status'], f['status']))}</span>"
            f"<span class='ftitle'>{e(f['title'])}</span> <span class='muted'>{n_checks} check"
            f"{'s' if n_checks != 1 else ''} · worst ratio {e(ratio_text(f.get('worst_ratio')))} · "
            f"<code>{e(f['id'])}</code></span></summary>{''.join(body)}</details>")


def section(records: list[dict], findings: list[dict], notes: list[dict] | None = None) -> str:
    verdict = "pass" if run_passed(records) else "fail"
    # New, fixed and upstream findings one row each; the explained ones folded by who
    # explained them (expected failures, conventions, document errata), one row each inside.
    rows = "".join(_row(n, f) for n, f in enumerate(findings) if f["status"] != "expected")
    groups: dict[str, list] = {}
    for n, f in enumerate(findings):
        if f["status"] == "expected":
            groups.setdefault(f["who"], []).append((n, f))
    for who, items in groups.items():
        n_checks = sum(len(f["checks"]) for _, f in items)
        rows += (f"<details class='fgroup'><summary><span class='chip fst-expected'>explained</span>"
                 f"{len(items)} {e(GROUP_WORDS.get(who, who))} <span class='muted'>({n_checks:,} checks)</span>"
                 f"</summary>{''.join(_row(n, f) for n, f in items)}</details>")
    rows = rows or "<p class='muted'>nothing to report: every check agrees</p>"
    return (f"<section id='findings'><h2 class='run-{verdict}'>{e(headline(records, findings))}</h2>"
            f"<div class='findings-list'>{rows}</div>{absent_note(records, notes)}</section>")


def absent_note(records: list[dict], notes: list[dict] | None = None) -> str:
    notes = absent(records) if notes is None else notes
    if not notes:
        return ""
    items = "".join(f"<li><b>{e(n['what'])}</b>: {n['cases']:,} cases not run"
                    + (f" <span class='muted'>({e(n['reason'][:200])})</span>" if n["reason"] else "") + "</li>"
                    for n in notes)
    return f"<div class='absent'><p class='muted'>Not run (their matrix columns are hidden):</p><ul>{items}</ul></div>"


CSS = """
#findings h2.run-pass{color:#1b5e20}#findings h2.run-fail{color:#b71c1c}
details.finding{border-left:4px solid #bbb;margin:2px 0;padding:1px 8px;background:#fafafa}
details.finding summary{cursor:pointer;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
details.finding[open] summary{white-space:normal}
details.fs-new{border-color:#c62828;background:#fff4f4}details.fs-fixed{border-color:#2e7d32}
details.fs-known-upstream{border-color:#ef6c00}details.fs-expected{border-color:#90a4ae}
.chip.fst-new{background:#c62828;color:#fff}.chip.fst-fixed{background:#c8e6c9}
.chip.fst-known-upstream{background:#ffe0b2}.chip.fst-expected{background:#eceff1}
.ftitle{margin-right:6px}ul.fchecks{columns:2;font-size:12px}pre.snippet{background:#f4f4f4;padding:6px}
.absent ul{margin-top:0}details.fgroup{margin:2px 0;padding:1px 8px;border-left:4px solid #90a4ae}
details.fgroup summary{cursor:pointer}
"""
