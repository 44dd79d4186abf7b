"""index.html: a plain, complete, self-contained table of every record.

No external assets: inline CSS only, so the file opens from a downloaded CI artifact.
Cells are coloured by the ratio of error to tolerance, not just by pass/fail.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from .results import summary

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:3px 6px;
vertical-align:top}th{background:#f3f3f3;text-align:left}code{font-size:12px}
.pass{background:#e7f6e7}.fail,.error{background:#fbe3e3}.skip{color:#777;background:#f7f7f7}
.convention{background:#fff5d6}.num{text-align:right;font-variant-numeric:tabular-nums}
.env td:first-child{font-weight:600}
"""


def _ratio_colour(ratio) -> str:
    """Green (ratio 0) to amber (ratio 1); red beyond."""
    try:
        r = float(ratio)
    except (TypeError, ValueError):
        return ""
    if r > 1:
        return "background:#f4b6b6"
    hue = 120 - 80 * min(max(r, 0.0), 1.0) ** 0.5
    return f"background:hsl({hue:.0f},70%,85%)"


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3g}"
    return html.escape(str(v))


def render(environment: dict, records: list[dict], meta: dict) -> str:
    s = summary(records)
    e = html.escape
    env_rows = "".join(f"<tr><td>{e(k)}</td><td>{e(json.dumps(v) if isinstance(v, dict) else str(v))}</td></tr>"
                       for k, v in environment.items())
    rows = []
    for r in records:
        cls = "convention" if r.get("verdict") == "convention" else r["status"]
        repro = f"<br><code>{e(r['repro'])}</code>" if r.get("repro") and r["status"] != "pass" else ""
        rows.append(
            f"<tr class='{cls}'><td>{e(r['case_id'])}</td><td>{e(r['check'])}</td>"
            f"<td>{e(r['status'])}</td><td>{_fmt(r.get('verdict'))}</td>"
            f"<td class='num' style='{_ratio_colour(r.get('ratio'))}'>{_fmt(r.get('ratio'))}</td>"
            f"<td class='num'>{_fmt(r.get('max_abs_err'))}</td><td class='num'>{_fmt(r.get('tolerance'))}</td>"
            f"<td class='num'>{r.get('examples', 0)}</td><td>{'yes' if r.get('composed') else ''}</td>"
            f"<td>{e(r.get('reason') or '')}{repro}</td></tr>")
    counts = ", ".join(f"{s[k]} {k}" for k in ("pass", "fail", "error", "skip"))
    verdicts = ", ".join(f"{v} {k}" for k, v in s["verdicts"].items())
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Gradient conformance: {counts}</title><style>{CSS}</style></head><body>
<h1>Gradient conformance</h1>
<p><b>{s['cases']} cases, {s['records']} checks:</b> {counts}. Verdicts: {verdicts or 'none'}.
Profile {e(str(meta.get('profile')))}, seed {e(str(meta.get('seed')))}, {meta.get('wall_s', '?')} s.</p>
<h2>Environment</h2><table class="env">{env_rows}</table>
<h2>Checks</h2>
<p>ratio = worst |got − expected| / tolerance over all examples (≤ 1 passes).</p>
<table><thead><tr><th>case</th><th>check</th><th>status</th><th>verdict</th><th>ratio</th>
<th>max abs err</th><th>tolerance</th><th>examples</th><th>composed</th><th>reason / repro</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></body></html>
"""


def write_html(path, environment: dict, records: list[dict], meta: dict) -> Path:
    path = Path(path)
    path.write_text(render(environment, records, meta), encoding="utf-8")
    return path
