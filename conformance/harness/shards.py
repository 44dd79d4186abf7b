"""``--shard K/N``: one of N deterministic, cost-balanced parts of the selected tests.

The split happens at collection time (``pytest_collection_modifyitems``), in whatever
process collects (the single process, or each xdist worker alike), over every collected
test: the conformance cases and the per-framework probes. Each test's expected cost is its
``duration_s`` in a previous results.json (``--durations FILE``), else an estimate from the
case's shape pool and checks (scaled to seconds by the tests the file does time); tests are
dealt, most expensive first, to the part with the least total so far (ties: by id, then the
lowest part), so every test lands in exactly one part and the parts' costs differ by at
most one test's.

A sharded run writes ``shard.json`` beside results.json: the records before the run-wide
verdicts were settled, the probes' outputs, the run's plan and which tests were its own.
``python -m conformance merge`` (``conformance/harness/merge.py``) puts the parts back together.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

SHARD_SCHEMA = "gradient-conformance/shard/1"
CONFORMANCE_TEST = "test_conformance"


class ShardError(ValueError):
    """A bad --shard or --durations value (a usage error)."""


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in str(text).split("/"))
    except ValueError:
        raise ShardError(f"--shard must be K/N with whole numbers, e.g. 1/4; got {text!r}") from None
    if not (n >= 1 and 1 <= k <= n):
        raise ShardError(f"--shard {text}: need 1 <= K <= N")
    return k, n


def load_durations(path) -> dict[str, float]:
    """case id -> duration_s from a results.json (or a directory holding one)."""
    from conformance.run.timings import case_durations

    p = Path(path)
    p = p / "results.json" if p.is_dir() else p
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
        return case_durations(doc["cases"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ShardError(f"--durations {path}: not a readable results.json ({exc})") from None


def estimate(case) -> float:
    """Relative cost of a case without a measurement: its checks × the elements of the
    largest shape it draws (each example computes every output and gradient once)."""
    from conformance.draw.strategies import shape_pool, shapes_of

    try:
        pool = shape_pool(case.spec.dims(case.variant.attrs))
        elements = max(sum(math.prod(s) for s in shapes_of(case.spec, dims).values())
                       for dims in pool)
        checks = len(case.spec.checks(case.variant))
    except Exception:  # an estimate must never break collection
        return 1.0
    return checks * (1.0 + math.log2(1.0 + elements)) * len(pool)


def item_key(item) -> tuple[str, object]:
    """(the test's id in results, its case or None): a case id for conformance cases, the
    node id for anything else."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    case = params.get("case") if getattr(item, "originalname", "") == CONFORMANCE_TEST else None
    return (case.id if case is not None else item.nodeid), case


def assign(items: list[tuple[str, float]], n: int) -> list[list[str]]:
    """Greedy longest-processing-time split of (id, cost) into n parts, deterministic."""
    parts: list[list[str]] = [[] for _ in range(n)]
    load = [0.0] * n
    for key, cost in sorted(items, key=lambda kc: (-kc[1], kc[0])):
        i = min(range(n), key=lambda j: (load[j], j))
        parts[i].append(key)
        load[i] += cost
    return parts


def costs(keyed: list[tuple[str, object]], durations: dict[str, float]) -> list[tuple[str, float]]:
    est = {key: (estimate(case) if case is not None else 1.0) for key, case in keyed}
    measured = [(durations[k], est[k]) for k, _ in keyed if k in durations and est[k] > 0]
    scale = 1.0
    if measured:  # put estimates in the file's seconds
        ratios = sorted(d / e for d, e in measured)
        scale = ratios[len(ratios) // 2]
    return [(k, durations[k] if k in durations else est[k] * scale) for k, _ in keyed]


class ShardHooks:
    """Registered by the conformance plugin: keeps this shard's tests, remembers the plan."""

    def __init__(self, config):
        self.config = config
        self.shard = None
        text = getattr(config.option, "cf_shard", None)
        if text:
            try:
                self.shard = parse_shard(text)
                path = getattr(config.option, "cf_durations", None)
                self.durations = load_durations(path) if path else {}
            except ShardError as exc:
                raise pytest.UsageError(str(exc)) from None

    pending = None

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        if self.pending is None:
            return
        path, meta, doc = self.pending
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({**doc, "meta": meta}, allow_nan=False) + "\n", encoding="utf-8")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items):
        if self.shard is None:
            return
        k, n = self.shard
        keyed = [item_key(it) for it in items]
        ids = [key for key, _ in keyed]
        if len(set(ids)) != len(ids):
            raise pytest.UsageError("--shard: two collected tests share an id")
        mine = set(assign(costs(keyed, self.durations), n)[k - 1])
        keep = [it for it, key in zip(items, ids) if key in mine]
        dropped = [it for it, key in zip(items, ids) if key not in mine]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def add_options(group) -> None:
    group.addoption("--cf-shard", default=None, help="K/N: run the K-th of N cost-balanced parts")
    group.addoption("--cf-durations", default=None,
                    help="a previous results.json whose duration_s balance the shards")


def run_meta(config) -> dict:
    text = getattr(config.option, "cf_shard", None)
    return {"shard": text} if text else {}


def save_piece(config, out, records: list[dict], defaults: list[dict], known: list[dict],
               meta: dict, case_ids: list[str]) -> None:
    """shard.json: what ``merge`` needs to rebuild the unsharded run's files. Call it
    before the run-wide verdicts are settled on ``records`` (they change them in place;
    the records are copied now); ``meta`` is written as it stands when the session ends;
    ``case_ids`` are every case of the selection, this shard's and the others'."""
    text = getattr(config.option, "cf_shard", None)
    hooks = config.pluginmanager.get_plugin("conformance-shards")
    if not text or hooks is None:
        return
    k, n = parse_shard(text)
    from conformance.results.environment import environment, package_version

    o = config.option
    plan = {"selection": {key: v for key, v in meta.get("selection", {}).items() if key != "frameworks"},
            "profile": meta.get("profile"), "seed": meta.get("seed"),
            "max_examples": meta.get("max_examples"),
            "deterministic_mode": meta.get("deterministic_mode"),
            "check_determinism": bool(getattr(o, "cf_check_determinism", False)),
            "adapters": sorted(getattr(o, "cf_adapter", []) or []),
            "suite_version": package_version("gradient-conformance")}
    hooks.pending = (Path(out) / "shard.json", meta, {
        "schema": SHARD_SCHEMA, "plan": plan, "frameworks": list(meta["selection"]["frameworks"]),
        "shard": {"index": k, "count": n, "balanced_by": getattr(o, "cf_durations", None) or "estimate"},
        "cases": sorted(case_ids), "environment": environment(records),
        "records": json.loads(json.dumps(records)), "defaults": list(defaults), "known": list(known)})
