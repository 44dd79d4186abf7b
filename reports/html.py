"""index.html: one self-contained page (inline CSS, JavaScript and SVG; no network).

It shows the environment and a verdict summary, the unexplained results first, a matrix
module × framework × device × dtype (× mode) whose cells are coloured by their worst
ratio of error to tolerance, a sortable case list, a drill-down per case (every check's
error, tolerance, ratio, worst index, got/expected, repro command, citations, verdict),
the findings other tools add to results.json (errata, conventions, known discrepancies)
as generic tables, and — given pytest-benchmark JSON — the benchmark timings and plots.

The records travel as one compact JSON blob (``reports.payload``) and the page builds its
DOM from it, which keeps a 5,000-case report within a few MB and renders it in well
under a second here. ``?selftest=1`` makes the page exercise itself (see ``script.py``).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from . import benchmarks, findings_section, payload, sections, timings
from . import capabilities  # the forward-mode / second-order matrix
from . import error_chart  # worst error per module in epsilons of each dtype
from .assets import CSS
from .findings import absent, findings_of
from .results import SCHEMA, summary
from .script import JS

TOOLBAR = """<div class="toolbar">
<label>module <input id="f-module" type="search" placeholder="filter modules" size="18"></label>
<label>family <select id="f-family"><option value="">all</option></select></label>
<label>framework <select id="f-framework"><option value="">all</option></select></label>
<label>status <select id="f-status"><option value="">all</option></select></label>
<label>sort <select id="f-sort"><option value="module">module</option><option value="family">family</option>
<option value="status">status (worst first)</option><option value="ratio">worst ratio</option></select></label>
<span id="f-count" class="muted"></span></div>"""

LEGEND = """<div class="legend">worst |error| / tolerance over the case's checks:
<span class="grad" style="background:linear-gradient(90deg,hsl(130,62%,80%),hsl(85,62%,78%),hsl(40,62%,76%))"></span>
10⁻³ … 1 (pass) <span class="sw" style="background:hsl(0,72%,74%)"></span> &gt;1 fail
<span class="sw" style="background:hsl(0,72%,32%)"></span> ≥10³ / ∞
<span class="sw" style="background:#6a1b4d;color:#fff">err</span> error
<span class="sw" style="background:#e2e2e2">–</span> skip (reason on hover)
markers: <b>c</b> convention · <b>d</b> framework discrepancy · <b>e</b> document erratum ·
<b>n</b> nondeterministic · <b>x</b> framework crash · <b>?</b> other verdict · <b>!</b> unexplained (outlined). Click a cell for its checks and repro command.</div>"""


def render_doc(doc: dict, bench: dict | None = None) -> str:
    """The page for a results.json document (and optional pytest-benchmark JSON)."""
    records = doc.get("cases") or []
    env, meta = doc.get("environment") or {}, doc.get("run") or {}
    s = summary(records)
    found = doc.get("findings") or findings_of(records, doc)
    notes = absent(records, meta)  # columns where nothing ran: a note, not thousands of dashes
    hidden = {tuple(c) for n in notes for c in n["columns"]}
    shown = [r for r in records if (r.get("framework"), r.get("device"), r.get("dtype")) not in hidden]
    data = payload.build(shown)
    payload.link_findings(data, found)
    # The matrix's column order: the run's selection (the registry's order by default).
    data["framework_order"] = list((meta.get("selection") or {}).get("frameworks") or [])
    blob = payload.to_script_json(data)
    status = ", ".join(f"{s[k]} {k}" for k in ("pass", "fail", "error", "skip", "xfail") if s[k])
    unexplained = sum(r.get("verdict") == "unexplained" for r in records)
    title = f"Gradient conformance: {status or 'no cases'}" + (f", {unexplained} unexplained" if unexplained else "")
    nav = ["<a href='#findings'>findings</a>", "<a href='#matrix-sec'>matrix</a>", "<a href='#cases-sec'>cases</a>"]
    nav += [f"<a href='#sec-{escape(k)}'>{escape(sections.finding_title(k).lower())}</a>"
            for k in sections.finding_keys(doc)]
    if bench:
        nav.append("<a href='#benchmarks'>benchmarks</a>")
    timing = timings.section(records, meta)
    if timing:
        nav.append("<a href='#timings'>timings</a>")
    if (doc.get("derivative_capabilities") or {}).get("cells"):
        nav.append("<a href='#sec-derivatives'>forward mode and second order</a>")
    if error_chart.worst_errors(records):
        nav.append("<a href='#error-chart'>error by dtype</a>")
    nav.append("<a href='#environment'>environment</a>")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)}</title><style>{CSS}{findings_section.CSS}</style></head><body>
<header><h1>Gradient conformance</h1>
<nav>{' '.join(nav)}</nav></header><main>
{findings_section.section(records, found, notes)}
<section id="counts">{sections.verdict_summary(records, meta)}</section>
<section id="matrix-sec"><h2>Matrix</h2>{TOOLBAR}{LEGEND}
<div class="scroll"><table id="matrix"></table></div></section>
<section id="cases-sec"><h2>Cases <span id="list-count" class="count"></span></h2>
<div class="scroll"><table id="caselist"></table></div><button id="more" hidden>show all</button></section>
{sections.findings(doc)}
{error_chart.section(records, tuple(data["framework_order"]))}
{capabilities.section(doc)}
{benchmarks.section(bench)}
{timing}
<section id="environment"><h2>Environment</h2>{sections.environment_table(env, meta)}</section>
</main><aside id="detail" hidden></aside>
<script type="application/json" id="cf-data">{blob}</script>
<script>{JS}</script></body></html>
"""


def write_report(path, doc: dict, bench: dict | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_doc(doc, bench), encoding="utf-8")
    return path


def write_html(path, environment: dict, records: list[dict], meta: dict,
               bench: dict | None = None, extra: dict | None = None) -> Path:
    doc = {"schema": SCHEMA, "environment": environment, "run": meta, "cases": records, **(extra or {})}
    return write_report(path, doc, bench)
