"""The findings as plain text: the run's end in the terminal and ``compare``'s output."""

from __future__ import annotations

from collections import Counter

from .findings import absent, findings_of, headline

ROWS = 12


def ratio_text(v) -> str:
    if v is None:
        return "-"
    try:
        return f"{float(v):.3g}"
    except (TypeError, ValueError):
        return str(v)


def table(findings: list[dict], limit: int = ROWS, repro: bool = True) -> list[str]:
    """One line per finding (status, id, worst ratio, checks, title), its repro under it."""
    out = []
    for f in findings[:limit]:
        out.append(f"  {f['status']:<14} {f['id']}  ratio {ratio_text(f.get('worst_ratio'))}, "
                   f"{len(f['checks'])} check{'s' if len(f['checks']) != 1 else ''}: {f['title']}")
        if f.get("url"):
            out.append(f"      upstream: {f['url']}")
        if repro and f.get("repro") and f["status"] == "new":
            out.append(f"      repro: {f['repro']}")
    if len(findings) > limit:
        rest = Counter(f["status"] for f in findings[limit:])
        out.append(f"  … and {len(findings) - limit} more (" + ", ".join(
            f"{n} {s}" for s, n in sorted(rest.items())) + ")")
    return out


def run_end(records: list[dict], extras: dict, paths, run: dict | None = None) -> list[str]:
    """What the run's end prints: the verdict, the findings table, counts, absent
    devices, and where the report is."""
    findings = (extras or {}).get("findings") or findings_of(records, extras)
    status = Counter(r.get("status") for r in records)
    lines = ["", headline(records, findings)]
    lines += table(findings)
    lines.append("checks: " + ", ".join(f"{status[s]:,} {s}" for s in ("pass", "fail", "error", "xfail", "skip")
                                        if status[s]))
    for note in absent(records, run):
        lines.append(f"not run: {note['what']}: {note['cases']:,} cases" +
                     (f" ({note['reason']})" if note["reason"] else ""))
    html = [str(p) for p in paths if str(p).endswith(".html")]
    lines.append("report: " + (html[0] if html else ", ".join(str(p) for p in paths)))
    lines.append("files: " + ", ".join(str(p) for p in paths))
    return lines
