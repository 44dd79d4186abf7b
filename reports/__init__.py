"""Output of a conformance run: results.json (the machine record), junit.xml (for CI
systems) and index.html (for people). ``write_all`` writes all three."""

from __future__ import annotations

from pathlib import Path

from .html import write_html
from .junit import write_junit
from .results import write_results


def write_all(out_dir, environment: dict, records: list[dict], meta: dict,
              extras: dict | None = None) -> list[Path]:
    """``extras``: further top-level sections of results.json (errata, claims,
    conventions, known_discrepancies)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [write_results(out / "results.json", environment, records, meta, extras),
            write_junit(out / "junit.xml", records),
            write_html(out / "index.html", environment, records, meta)]


__all__ = ["write_all", "write_results", "write_junit", "write_html"]
