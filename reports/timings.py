"""The report's "Timings" section: where the run's time went.

Per framework the cases' summed wall time and compile estimate, and the slowest cases,
from the records' ``duration_s`` and ``timing`` (``conformance/run/timings.py`` says how they
are measured). Absent when no record has a duration (an older results.json).
"""

from __future__ import annotations

from html import escape

SLOWEST = 15


def _case_rows(records: list[dict]) -> list[dict]:
    rows: dict[str, dict] = {}
    for r in records:
        d = r.get("duration_s")
        if isinstance(d, (int, float)) and r.get("case_id") not in rows:
            t = r.get("timing") or {}
            rows[r["case_id"]] = {"case": r["case_id"], "framework": r.get("framework") or "",
                                  "wall": float(d), "framework_s": t.get("framework_s"),
                                  "first": t.get("first_s"), "steady": t.get("steady_s"),
                                  "compile": t.get("compile_s"), "calls": t.get("calls")}
    return sorted(rows.values(), key=lambda x: (-x["wall"], x["case"]))


def _s(x) -> str:
    return "" if x is None else f"{x:.3f}"


def section(records: list[dict], meta: dict | None = None) -> str:
    rows = _case_rows(records)
    if not rows:
        return ""
    totals: dict[str, list[float]] = {}
    for row in rows:
        t = totals.setdefault(row["framework"], [0, 0.0, 0.0])
        t[0] += 1
        t[1] += row["wall"]
        t[2] += row["compile"] or 0.0
    fw = "".join(f"<tr><td>{escape(k)}</td><td>{n}</td><td>{w:.2f}</td><td>{c:.2f}</td></tr>"
                 for k, (n, w, c) in sorted(totals.items(), key=lambda kv: -kv[1][1]))
    slow = "".join(
        f"<tr><td><a href='#' class='caselink' data-case='{escape(r['case'], quote=True)}'>"
        f"{escape(r['case'])}</a></td><td>{r['wall']:.3f}</td><td>{_s(r['framework_s'])}</td>"
        f"<td>{_s(r['first'])}</td><td>{_s(r['steady'])}</td><td>{_s(r['compile'])}</td>"
        f"<td>{'' if r['calls'] is None else r['calls']}</td></tr>" for r in rows[:SLOWEST])
    wall = (meta or {}).get("wall_s")
    head = f"<p class='muted'>run wall time {escape(str(wall))} s; " if wall is not None else "<p class='muted'>"
    return (f"<section id='timings'><h2>Timings</h2>{head}summed case times per framework "
            "(compile: each shape's first call beyond a warm call of it)</p>"
            "<div class='scroll'><table class='findings'><thead><tr><th>framework</th><th>cases</th>"
            f"<th>wall s</th><th>compile s</th></tr></thead><tbody>{fw}</tbody></table></div>"
            f"<h3>Slowest {min(SLOWEST, len(rows))} cases</h3><div class='scroll'><table class='findings'>"
            "<thead><tr><th>case</th><th>wall s</th><th>in framework s</th><th>first calls s</th>"
            "<th>steady call s</th><th>compile s</th><th>calls</th></tr></thead>"
            f"<tbody>{slow}</tbody></table></div></section>")
