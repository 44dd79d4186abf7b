"""Finding and loading a run's files: a results.json, a pytest-benchmark JSON, or a
directory holding ``results.json`` and optionally ``bench.json``."""

from __future__ import annotations

import json
from pathlib import Path

from .benchmarks import load_bench
from .results import SCHEMA, load_results


class InputError(ValueError):
    """A path that is not a run (the message says what was expected)."""


def resolve(path) -> tuple[Path | None, Path | None]:
    """(results.json, bench.json) of ``path`` — either may be None, not both."""
    p = Path(path)
    if p.is_dir():
        results, bench = p / "results.json", p / "bench.json"
        found = (results if results.is_file() else None, bench if bench.is_file() else None)
        if found == (None, None):
            raise InputError(f"{p} holds neither results.json nor bench.json")
        return found
    if not p.is_file():
        raise InputError(f"{p}: no such file or directory")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{p}: not JSON ({exc})") from None
    if isinstance(doc, dict) and "cases" in doc:
        sibling = p.with_name("bench.json")
        return p, (sibling if sibling.is_file() and sibling != p else None)
    if isinstance(doc, dict) and "benchmarks" in doc:
        return None, p
    raise InputError(f"{p} is neither a results.json ('cases') nor pytest-benchmark JSON ('benchmarks')")


def load(results: Path | None, bench: Path | None) -> tuple[dict, dict | None]:
    """The results document (an empty run with this machine's environment when only
    benchmarks were given) and the benchmark document."""
    try:
        if results is not None:
            doc = load_results(results)
        else:  # the environment the benchmark run recorded (bench.json "conformance")
            bench_doc = load_bench(bench) if bench is not None else {}
            env = (bench_doc.get("conformance") or {}).get("environment") or {}
            doc = {"schema": SCHEMA, "environment": env, "run": {}, "cases": []}
        return doc, (load_bench(bench) if bench is not None else None)
    except (OSError, ValueError) as exc:
        raise InputError(str(exc)) from None


def render_run(path, bench=None, out=None) -> Path:
    """Render the report of a run: ``path`` (a results.json or a directory), an optional
    separate pytest-benchmark JSON, written to ``out`` (default: index.html beside it)."""
    from .html import write_report

    results, found_bench = resolve(path)
    if bench is not None:
        _, bench_path = resolve(bench)
        if bench_path is None:
            raise InputError(f"{bench} is not pytest-benchmark JSON")
    else:
        bench_path = found_bench
    doc, bench_doc = load(results, bench_path)
    base = Path(path) if Path(path).is_dir() else Path(path).parent
    return write_report(Path(out) if out else base / "index.html", doc, bench_doc)
