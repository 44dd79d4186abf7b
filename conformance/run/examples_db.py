"""The example database (``--database DIR``): each case's failing example, replayed first.

Hypothesis' own database is switched off by the ``@seed`` every search here runs under
(reproducible runs), so the suite keeps its own: when a case fails, its failing example
(the shrunk one, ``{"dims": {...}, "seed": N}``, as in the record) is saved under the
case id; the next run with the database runs the saved examples of a case before its
Hypothesis search, so a failure found once (say by a ``--seed random`` nightly run) is the
first thing tried next time; a case that passes drops its entries (the failure is fixed).
One small JSON file per case (``<hash of the case id>.json``, written atomically), so
parallel workers never share a file. Off unless ``--database`` is given or the seed is
random (``conformance/harness/caches.py``): a fixed seed then replays exactly.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

DATABASE_ENV = "GRADIENT_CONFORMANCE_DATABASE"  # published by the run (conformance.harness.caches); "": none


def _file(case_id: str) -> Path | None:
    directory = os.environ.get(DATABASE_ENV, "")
    if not directory:
        return None
    return Path(directory) / (hashlib.sha256(case_id.encode()).hexdigest()[:20] + ".json")


def saved(case_id: str) -> list[dict]:
    path = _file(case_id)
    if path is None or not path.exists():
        return []
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in doc.get("examples", []) if isinstance(e, dict) and doc.get("case_id") == case_id]


def remember(case_id: str, example: dict | None) -> None:
    path = _file(case_id)
    if path is None or example is None:
        return
    examples = [example] + [e for e in saved(case_id) if e != example]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"case_id": case_id, "examples": examples[:10]}, sort_keys=True),
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # an unwritable database never fails a run
        pass


def forget(case_id: str) -> None:
    path = _file(case_id)
    if path is not None:
        try:
            path.unlink()
        except OSError:
            pass


def replay_saved(body, case) -> None:
    """Run ``case``'s saved examples through the search's ``body`` (which raises the
    case's failure when one fails); examples whose dims no longer fit the spec are skipped."""
    try:
        names = set(case.spec.dims(case.variant.attrs))
    except Exception:
        return
    for example in saved(case.id):
        dims, seed = example.get("dims"), example.get("seed")
        if isinstance(dims, dict) and set(dims) == names and isinstance(seed, int):
            body({"dims": {k: int(v) for k, v in dims.items()}, "seed": seed})
