"""``python -m conformance merge DIR... --out DIR``: sharded runs back into one run.

Each DIR is the output of ``run --shard K/N`` (its ``shard.json``). The parts may also
split the frameworks (a CI matrix of shards × frameworks): parts with the same frameworks
must be the shards 1..N of one N, and parts with different frameworks must not share one.
Every part must have the same plan (modules, dtypes, devices, modes, precision, profile,
seed, examples per case, adapters, suite version) and agree on the versions both report;
otherwise merging is refused with the first difference.

The merged records are the parts' records before run-wide verdicts, so the verdicts,
errata, conventions and known discrepancies are settled over all of them exactly as in an
unsharded run: results.json, junit.xml and index.html equal the unsharded run's apart from
timings (``duration_s``/``timing`` and the run's ``wall_s``, ``workers``, ``shard(s)``).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from conformance.harness.shards import SHARD_SCHEMA
from conformance.run.timings import without_timings

VOLATILE_RUN = ("wall_s", "workers", "shard", "shards", "cache", "cache_dir", "database",
                "peak_rss_mb", "peak_rss_mb_max", "cpu_s", "cpu_s_max")  # harness/memory.py
# Environment entries that describe the machine, not the software: parts may differ.
MACHINE_KEYS = ("platform", "cpu", "threads", "devices", "precision")


class MergeError(ValueError):
    """Parts that do not belong to one run (a usage error, exit 2)."""


def load_piece(directory) -> dict:
    d = Path(directory)
    path = d / "shard.json" if d.is_dir() else d
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MergeError(f"{directory}: no shard.json (the output of 'run --shard K/N')") from None
    except (OSError, ValueError) as exc:
        raise MergeError(f"{path}: unreadable ({exc})") from None
    if doc.get("schema") != SHARD_SCHEMA:
        raise MergeError(f"{path}: not a shard file (schema {doc.get('schema')!r}, expected {SHARD_SCHEMA!r})")
    doc["_path"] = str(directory)
    return doc


def _first_difference(a: dict, b: dict, prefix: str = "") -> str:
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        if va != vb:
            if isinstance(va, dict) and isinstance(vb, dict):
                return _first_difference(va, vb, f"{prefix}{key}.")
            return f"{prefix}{key}: {json.dumps(va)} vs {json.dumps(vb)}"
    return ""


def check(pieces: list[dict]) -> None:
    if not pieces:
        raise MergeError("nothing to merge: give the output directories of 'run --shard K/N'")
    first = pieces[0]
    for p in pieces[1:]:
        diff = _first_difference(first["plan"], p["plan"])
        if diff:
            raise MergeError(f"{p['_path']} is not part of the same run as {first['_path']}: "
                             f"different {diff}")
    versions: dict[str, tuple[str, str]] = {}
    for p in pieces:
        for key, value in p["environment"].items():
            if key in MACHINE_KEYS or value is None:
                continue
            seen = versions.setdefault(key, (json.dumps(value), p["_path"]))
            if seen[0] != json.dumps(value):
                raise MergeError(f"{p['_path']} and {seen[1]} ran different versions: {key} "
                                 f"{json.dumps(value)} vs {seen[0]}")
    groups: dict[tuple, list[dict]] = {}
    for p in pieces:
        groups.setdefault(tuple(p["frameworks"]), []).append(p)
    owner: dict[str, str] = {}
    for frameworks, group in groups.items():
        for fw in frameworks:
            if fw in owner:
                raise MergeError(f"framework {fw} is in parts of different framework lists "
                                 f"({owner[fw]} and {','.join(frameworks)})")
            owner[fw] = ",".join(frameworks)
        counts = {p["shard"]["count"] for p in group}
        if len(counts) != 1:
            raise MergeError(f"the parts for {','.join(frameworks)} were split differently: "
                             f"N = {sorted(counts)}")
        (n,) = counts
        if any(p["cases"] != group[0]["cases"] for p in group):
            raise MergeError(f"the parts for {','.join(frameworks)} selected different cases")
        got = sorted(p["shard"]["index"] for p in group)
        if got != list(range(1, n + 1)):
            missing = sorted(set(range(1, n + 1)) - set(got))
            twice = sorted({k for k in got if got.count(k) > 1})
            raise MergeError(f"the parts for {','.join(frameworks)} are not the shards 1..{n}: "
                             + (f"missing {', '.join(f'{k}/{n}' for k in missing)}" if missing else "")
                             + (f" twice {', '.join(f'{k}/{n}' for k in twice)}" if twice else ""))
        seen: dict[str, str] = {}
        for p in group:
            for cid in {r["case_id"] for r in p["records"]}:
                if cid in seen:
                    raise MergeError(f"case {cid} is in two parts: {seen[cid]} and {p['_path']}")
                seen[cid] = p["_path"]
        lost = sorted(set(group[0]["cases"]) - set(seen))
        if lost:
            raise MergeError(f"{len(lost)} selected cases are in no part, e.g. {lost[0]}")


def _framework_order(names: list[str]) -> list[str]:
    from adapters import BUILTIN

    order = {name: i for i, name in enumerate(BUILTIN)}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def merge(pieces: list[dict]) -> tuple[dict, list[dict], dict, dict]:
    """(environment, records, meta, extras) of the run the parts make up."""
    from conformance.results.environment import environment
    from conformance.harness.settle import settle

    check(pieces)
    records = sorted((r for p in pieces for r in copy.deepcopy(p["records"])),
                     key=lambda r: (r["case_id"], r["check"]))
    defaults = sorted((d for p in pieces for d in p["defaults"]), key=lambda d: d["framework"])
    known = [k for p in pieces for k in p["known"]]
    meta = copy.deepcopy(pieces[0]["meta"])
    for key in VOLATILE_RUN:
        meta.pop(key, None)
    meta["selection"]["frameworks"] = _framework_order(
        list(dict.fromkeys(f for p in pieces for f in p["frameworks"])))
    walls = [p["meta"].get("wall_s") for p in pieces]
    meta["wall_s"] = max((w for w in walls if w is not None), default=None)
    meta["workers"] = pieces[0]["meta"].get("workers")
    meta["shards"] = {"parts": len(pieces), "wall_s": walls,
                      "from": [f"{','.join(p['frameworks'])} {p['shard']['index']}/{p['shard']['count']}"
                               for p in pieces],
                      "peak_rss_mb_max": [p["meta"].get("peak_rss_mb_max") for p in pieces],
                      "cpu_s_max": [p["meta"].get("cpu_s_max") for p in pieces]}
    peaks = [p["meta"].get("peak_rss_mb_max") for p in pieces if p["meta"].get("peak_rss_mb_max")]
    if peaks:  # the largest worker of any part: what one runner must hold per worker
        meta["peak_rss_mb_max"] = max(peaks)
    env = environment(records)  # devices from every part's records; the rest from the parts
    keys = [k for p in pieces for k in p["environment"] if k != "devices"]
    for key in dict.fromkeys(keys):
        values = [p["environment"].get(key) for p in pieces if p["environment"].get(key) is not None]
        if key == "precision":
            merged = {k: v for value in values for k, v in value.items()}
            env.pop("precision", None)
            if merged:
                env["precision"] = merged
        else:
            env[key] = values[0] if values else None
    extras = settle(records, defaults, known)
    return env, records, meta, extras


TIMING_KEYS = ("wall_s", "duration_s", "timing")  # wherever they are (errata time their search too)


def comparable(doc: dict) -> dict:
    """A results.json document without what may differ between equal runs: timings, the
    worker count, shard and cache bookkeeping."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in TIMING_KEYS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    out = strip(copy.deepcopy(doc))
    out["cases"] = without_timings(out.get("cases") or [])
    for key in VOLATILE_RUN:
        out.get("run", {}).pop(key, None)
    return out


def cmd_merge(args) -> int:
    from reports import write_all

    from conformance.plan.selection import UsageError

    try:
        pieces = [load_piece(d) for d in args.parts]
        env, records, meta, extras = merge(pieces)
    except MergeError as exc:
        raise UsageError(str(exc)) from None
    paths = write_all(args.out, env, records, meta, extras)
    print(f"merged {len(pieces)} parts ({len(records)} records): " + ", ".join(str(p) for p in paths))
    from conformance.run.timings import format_slowest

    for line in format_slowest(records):
        print(line)
    bad = sum(r["status"] in ("fail", "error") for r in records)
    return 1 if bad else 0
