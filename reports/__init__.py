"""Output of a conformance run: results.json (the machine record), junit.xml (for CI
systems) and index.html (for people). ``write_all`` writes all three; ``write_report``
re-renders index.html from a results.json document (plus pytest-benchmark JSON);
``reports.compare`` diffs two runs (the regression gate).

The report reads results through their documented schema (README "results.json",
``conformance/results/records.py``) and imports nothing of the suite: ``conformance`` writes
results and imports ``reports``, never the other way (tests/test_package_layers.py)."""

from __future__ import annotations

from pathlib import Path

from .findings import findings_of
from .html import write_html, write_report
from .junit import write_junit
from .results import load_results, write_results


def write_all(out_dir, environment: dict, records: list[dict], meta: dict,
              extra: dict | None = None, bench: dict | None = None) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    extra = {**(extra or {}), "findings": findings_of(records, extra)}  # one row per cause
    return [write_results(out / "results.json", environment, records, meta, extra),
            write_junit(out / "junit.xml", records),
            write_html(out / "index.html", environment, records, meta, bench=bench, extra=extra)]


__all__ = ["write_all", "write_results", "write_junit", "write_html", "write_report", "load_results"]
