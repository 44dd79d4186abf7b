"""results.json: ``{"schema", "environment", "run", "summary", "cases": [record, ...]}``.

One record per (module, attrs, framework, device, dtype, check); the record's fields are
documented in ``conformance/records.py`` and README.md.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

SCHEMA = "gradient-conformance/results/1"


def summary(records: list[dict]) -> dict:
    by_status = Counter(r["status"] for r in records)
    by_verdict = Counter(r["verdict"] for r in records if r.get("verdict"))
    return {"records": len(records), "cases": len({r["case_id"] for r in records}),
            **{s: by_status.get(s, 0) for s in ("pass", "fail", "error", "skip", "xfail")},
            "verdicts": dict(sorted(by_verdict.items()))}


def write_results(path, environment: dict, records: list[dict], meta: dict,
                  extras: dict | None = None) -> Path:
    doc = {"schema": SCHEMA, "environment": environment, "run": meta,
           "summary": summary(records), "cases": records, **(extras or {})}
    path = Path(path)
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


def load_results(path) -> dict:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if "cases" not in doc:
        raise ValueError(f"{path} is not a results.json (no 'cases')")
    return doc
