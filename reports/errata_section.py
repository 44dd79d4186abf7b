"""The report's document-errata section: one card per erratum (seed file and location, the
formula as written and corrected, the smallest counterexample with its three numbers, the
one-line command that replays it), then every claim with per-seed counts and filters.

Reads results.json ``errata`` and ``claims``; every field is optional (older documents and
hand-made fixtures have fewer), and every string is escaped.
"""

from __future__ import annotations

import json
from .html_text import e, text_of

STATUSES = ("erratum", "ambiguous", "verified", "text erratum", "untranscribed", "corrected-fails")

CSS = """
.errata-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}
.ecard{border:1px solid #d0d4da;border-left:4px solid #b8860b;border-radius:6px;padding:10px 12px;background:#fff}
.ecard.corrected-fails{border-left-color:#c62828}
.ecard h3{margin:0 0 4px;font-size:15px}.ecard .loc{color:#555;font-size:12px;margin-bottom:6px}
.ecard dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0;font-size:13px}
.ecard dt{color:#555}.ecard dd{margin:0;word-break:break-word}
.ecard .nums{border-collapse:collapse;font-size:13px;margin:4px 0}
.ecard .nums td,.ecard .nums th{border:1px solid #e0e3e8;padding:2px 8px;text-align:right}
.ecard code.cmd{display:block;white-space:pre-wrap;word-break:break-all;background:#f4f5f7;padding:4px 6px;font-size:12px}
table.claimlist{font-size:13px;border-collapse:collapse}table.claimlist td,table.claimlist th{padding:2px 8px;border-bottom:1px solid #eee;vertical-align:top;text-align:left}
table.claimlist td.why{max-width:520px;color:#444;word-break:break-word}
.st-erratum{color:#8a5a00;font-weight:600}.st-ambiguous{color:#6a4fb3}.st-verified{color:#2e7d32}
.st-text{color:#555}.st-untranscribed{color:#999}.st-corrected-fails{color:#c62828;font-weight:700}
table.seedcounts td,table.seedcounts th{padding:2px 10px;text-align:right}table.seedcounts td:first-child{text-align:left}
"""

SCRIPT = """(function(){var s=document.getElementById('claim-filter-status'),d=document.getElementById('claim-filter-seed'),
q=document.getElementById('claim-filter-text'),rows=document.querySelectorAll('#claimlist tbody tr'),
n=document.getElementById('claim-count');function f(){var a=s.value,b=d.value,c=q.value.toLowerCase(),k=0;
rows.forEach(function(r){var ok=(!a||r.dataset.status===a)&&(!b||(' '+r.dataset.seeds+' ').indexOf(' '+b+' ')>=0)&&
(!c||r.textContent.toLowerCase().indexOf(c)>=0);r.hidden=!ok;if(ok)k++;});n.textContent=k;}
[s,d,q].forEach(function(e){e.addEventListener('input',f);});f();})();"""


def _num(v) -> str:
    if isinstance(v, (int, float)):
        return e(f"{v:.6g}")
    return e(v)


def _numbers(ce: dict) -> str:
    """The three numbers: at the worst gradient element, else along the search direction,
    else (value claims) the text's number against the forward's."""
    el = ce.get("element")
    if isinstance(el, dict):
        where = f"∂L/∂{el.get('arg')}{el.get('index')}"
        row = (el.get("as_written"), el.get("finite_differences"), el.get("corrected"))
        head = ("as written", "finite differences", "corrected")
    elif "finite_differences" in ce:
        where = "along the search direction"
        row = (ce.get("as_written") if ce.get("as_written") is not None
               else "not evaluable: " + str(ce.get("error")), ce.get("finite_differences"), ce.get("corrected"))
        head = ("as written", "finite differences", "corrected")
    elif "measured" in ce:
        where = "the stated quantity"
        row = (ce.get("as_written"), ce.get("measured"), ce.get("corrected"))
        head = ("as written", "the forward (counted)", "corrected")
    else:
        return ""
    cells = "".join(f"<td>{_num(v)}</td>" for v in row)
    return (f"<table class='nums'><tr><th></th>{''.join(f'<th>{h}</th>' for h in head)}</tr>"
            f"<tr><th>{e(where)}</th>{cells}</tr></table>")


def _example(ce: dict) -> str:
    ex = ce.get("example")
    if isinstance(ex, dict) and "dims" in ex:
        dims = ", ".join(f"{k}={v}" for k, v in (ex.get("dims") or {}).items())
        return f"{e(dims)}; seed {e(ex.get('seed'))}"
    return e(json.dumps(ce, sort_keys=True, default=str)[:400])


def card(x: dict) -> str:
    ce = x.get("counterexample") if isinstance(x.get("counterexample"), dict) else {}
    loc = " · ".join(filter(None, [x.get("seed"), x.get("where")]))
    also = ", ".join(x.get("also") or [])
    rows = [("as written", x.get("as_written")), ("corrected", x.get("corrected"))]
    if x.get("quote"):
        rows.append(("the text", x.get("quote")))
    for key in ("problem", "note"):
        if x.get(key):
            rows.append((key, x.get(key)))
    readings = [r for r in (x.get("readings") or []) if isinstance(r, dict)]
    if readings:
        rows.append(("readings", "; ".join(f"{r.get('reading')}: "
                                           f"{'agrees' if r.get('agrees') else 'disagrees'}"
                                           for r in readings)))
    ev = x.get("evidence")
    if isinstance(ev, dict) and ev.get("frameworks"):
        rows.append(("frameworks", ev["frameworks"]))
    dl = "".join(f"<dt>{e(k)}</dt><dd>{'<code>' + e(v) + '</code>' if k == 'the text' else e(v)}</dd>"
                 for k, v in rows)
    if isinstance(ev, (list, str)):  # case ids link to their drill-down
        dl += f"<dt>evidence</dt><dd>{text_of(ev)}</dd>"
    smallest = (f"<div><b>smallest counterexample</b>: {_example(ce)}</div>{_numbers(ce)}"
                if ce else "")
    cmd = f"<code class='cmd'>{e(x['repro'])}</code>" if x.get("repro") else ""
    title = x.get("id") or x.get("claim") or "erratum"
    return (f"<div class='ecard {e(x.get('status', ''))}'><h3>{e(title)}</h3>"
            f"<div class='loc'>{e(loc)}{(' (same text in ' + e(also) + ')') if also else ''}</div>"
            f"<dl>{dl}</dl>{smallest}{cmd}</div>")


def _seeds(c: dict) -> list[str]:
    return [s for s in [c.get("seed"), *(c.get("also") or [])] if s]


def counts(claims: list[dict]) -> str:
    seeds: dict[str, dict[str, int]] = {}
    for c in claims:
        for s in _seeds(c):
            row = seeds.setdefault(s, {})
            row[c.get("status", "")] = row.get(c.get("status", ""), 0) + 1
    cols = [s for s in STATUSES if any(s in r for r in seeds.values())]
    head = "".join(f"<th>{e(c)}</th>" for c in cols)
    body = "".join(
        f"<tr><td>{e(s)}</td><td>{sum(v for k, v in r.items() if k not in ('text erratum', 'untranscribed'))}</td>"
        + "".join(f"<td>{r.get(c, 0)}</td>" for c in cols) + "</tr>" for s, r in sorted(seeds.items()))
    return (f"<table class='seedcounts'><thead><tr><th>seed file</th><th>transcribed</th>{head}"
            f"</tr></thead><tbody>{body}</tbody></table>")


def claims_list(claims: list[dict]) -> str:
    seeds = sorted({s for c in claims for s in _seeds(c)})
    opts_status = "".join(f"<option>{e(s)}</option>" for s in STATUSES
                          if any(c.get("status") == s for c in claims))
    opts_seed = "".join(f"<option>{e(s)}</option>" for s in seeds)
    rows = "".join(
        f"<tr data-status='{e(c.get('status'))}' data-seeds='{e(' '.join(_seeds(c)))}'>"
        f"<td class='st-{e(str(c.get('status', '')).split()[0])}'>{e(c.get('status'))}</td>"
        f"<td>{e(c.get('id'))}</td><td>{e(c.get('seed', '')[:3])}</td><td>{e(c.get('where'))}</td>"
        f"<td class='why'>{e(c.get('readings') or '')}{'<br>' if c.get('readings') and c.get('why') else ''}"
        f"{e(c.get('why') or '')}</td></tr>" for c in claims)
    return (f"<p>status <select id='claim-filter-status'><option value=''>all</option>{opts_status}"
            f"</select> seed <select id='claim-filter-seed'><option value=''>all</option>{opts_seed}"
            f"</select> text <input id='claim-filter-text' size='24'> <span id='claim-count' "
            f"class='count'></span> shown</p><div class='scroll'><table id='claimlist' "
            f"class='claimlist'><thead><tr><th>status</th><th>claim</th><th>seed</th><th>where</th>"
            f"<th>readings / why</th></tr></thead><tbody>{rows}</tbody></table></div>"
            f"<script>{SCRIPT}</script>")


def render(doc: dict) -> str:
    errata = [x for x in (doc.get("errata") or []) if isinstance(x, dict)]
    claims = [c for c in (doc.get("claims") or []) if isinstance(c, dict)]
    cards = "".join(card(x) for x in errata) or "<p class='muted'>none</p>"
    out = (f"<style>{CSS}</style><section id='sec-errata'><h2>Document errata <span class='count'>"
           f"{len(errata)}</span></h2><p class='muted'>Each formula of the source documents is "
           f"transcribed as written and searched for an input where it disagrees with float64 "
           f"finite differences of the documented forward; an erratum's corrected formula agrees "
           f"on every example. Paste the command to replay the counterexample.</p>"
           f"<div class='errata-cards'>{cards}</div></section>")
    if claims:
        out += (f"<section id='sec-claims'><h2>Claims <span class='count'>{len(claims)}</span></h2>"
                f"{counts(claims)}{claims_list(claims)}</section>")
    return out
