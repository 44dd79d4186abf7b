"""What a run covered, from its records: the size thresholds no example crossed."""

from __future__ import annotations


def coverage(records) -> dict[str, list[str]]:
    """module -> the applicable thresholds that no record of it crossed (results.json
    ``cases``; skipped records carry no thresholds and are ignored)."""
    reached: dict[str, dict[str, bool]] = {}
    for r in records:
        marks = r.get("thresholds") or {}
        if not marks:
            continue
        seen = reached.setdefault(r["module"], {})
        for name, hit in marks.items():
            seen[name] = seen.get(name, False) or bool(hit)
    return {m: sorted(n for n, hit in marks.items() if not hit) for m, marks in reached.items()}
