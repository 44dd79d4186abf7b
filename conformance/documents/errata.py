"""Errata: the documents' formulas judged against finite differences, by search.

For every claim (``conformance.documents.claims``) and every reading of it, Hypothesis searches the
claim's dims (time steps, batch, channels, window and stride sizes, each range starting
where an index slip can show) and value seeds for an example where the formula as written
disagrees with float64 central finite differences of the documented forward, projected
on a random direction (the cotangent is random too), and shrinks it. The corrected
formula is evaluated on every example of the search and must agree with finite
differences on all of them (else the claim's status is ``corrected-fails``: the suite's
own derivation is wrong, never hidden).

Statuses: ``verified`` (every reading agrees on every example), ``erratum`` (no reading
agrees; the shrunk counterexample with the as-written value, finite differences and the
corrected value), ``ambiguous`` (several readings, some agree: which ones is listed),
``text erratum`` (no numerical content, listed with its location) and ``untranscribed``
(with the reason). Nothing here is typed in as a result: statuses come from the search.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from conformance.documents.claims import CLAIMS, TEXT_ERRATA, UNTRANSCRIBED, Claim, Program, Reading

RTOL, ATOL, STEP = 1e-6, 1e-9, 1e-5
RUN_EXAMPLES = 12     # per reading, in the default run (the errata part's budget is 30 s)
CHECK_EXAMPLES = 100  # per reading, for `claims --check`
SEED_MAX = 2 ** 16 - 1


class NotEvaluable(Exception):
    """The formula as read has no value here (a shape that does not fit, a missing index)."""


# ---------------------------------------------------------------------------- examples
def resolve_dims(spec, drawn: dict) -> dict:
    dims = dict(drawn)
    for k, v in spec.items():
        if callable(v):
            dims[k] = int(v(dims))
    return dims


def _strategy(spec) -> st.SearchStrategy:
    ranges = {k: st.integers(lo, hi) for k, (lo, hi) in
              ((k, v) for k, v in spec.items() if not callable(v))}
    return st.fixed_dictionaries({"dims": st.fixed_dictionaries(ranges),
                                  "seed": st.integers(0, SEED_MAX)})


def materialise(program: Program, example: dict):
    dims = resolve_dims(program.dims, example["dims"])
    rng = np.random.default_rng(example["seed"])
    args = {}
    for name, (shape, sampler) in program.args.items():
        args[name] = np.asarray(sampler(tuple(dims[d] if isinstance(d, str) else d
                                              for d in shape), rng), dtype=np.float64)
    outs = program.forward(**args)
    cts = tuple(rng.standard_normal(np.shape(o)) for o in outs)
    if program.direction is not None:
        v = program.direction(args)
    else:
        v = {k: rng.uniform(-1, 1, args[k].shape) for k in program.wrt}
    return dims, args, cts, v


def _loss(program, args, cts) -> float:
    return sum(float(np.sum(c * o)) for c, o in zip(cts, program.forward(**args)))


def finite_differences(program, args, cts, v, step: float = STEP) -> float:
    h = step * max(1.0, max(float(np.abs(args[k]).max(initial=0.0)) for k in v))
    plus = {k: a + h * v[k] if k in v else a for k, a in args.items()}
    minus = {k: a - h * v[k] if k in v else a for k, a in args.items()}
    return (_loss(program, plus, cts) - _loss(program, minus, cts)) / (2 * h)


def gradients(program, cts, args, written) -> dict:
    try:
        g = program.backward(cts, args, written)
    except (ValueError, IndexError, KeyError) as exc:
        raise NotEvaluable(f"{type(exc).__name__}: {exc}") from exc
    out = {}
    for k in program.wrt:
        gk = g.get(k)
        gk = np.zeros_like(args[k]) if gk is None else np.asarray(gk, dtype=np.float64)
        if gk.shape != args[k].shape:
            raise NotEvaluable(f"dL/d{k} as read has shape {gk.shape}, {k} has {args[k].shape}")
        out[k] = gk
    return out


def _project(g, v) -> float:
    return float(sum(np.sum(g[k] * v[k]) for k in v))


def _agree(value: float, fd: float, scale: float) -> bool:
    return abs(value - fd) <= RTOL * (abs(fd) + scale) + ATOL


# ---------------------------------------------------------------------------- measuring
def measure(claim: Claim, reading: str, example: dict, detail: bool = False) -> dict[str, Any]:
    """As written (this reading), corrected and finite differences on one example."""
    if claim.value is not None:
        dims = resolve_dims(claim.value_dims, example["dims"])
        try:
            w = float(claim.value(dims, reading))
        except (ValueError, ZeroDivisionError) as exc:
            w, err = None, str(exc)
        else:
            err = None
        m = float(claim.measured(dims, reading))
        c = float(claim.corrected_value(dims, reading))
        return {"dims": dims, "as_written": w, "measured": m, "corrected": c, "error": err,
                "written_agrees": w is not None and abs(w - m) < 1e-9,
                "corrected_agrees": abs(c - m) < 1e-9}
    program = _program(claim, reading)
    dims, args, cts, v, fd, right, scale, c = _oracle(program, example)
    out = {"dims": dims, "finite_differences": fd, "corrected": c, "scale": scale,
           "corrected_agrees": _agree(c, fd, scale)}
    try:
        wrong = gradients(program, cts, args, {claim.line: reading})
    except NotEvaluable as exc:
        out.update(as_written=None, error=str(exc), written_agrees=False)
        return out
    w = _project(wrong, v)
    out.update(as_written=w, error=None, written_agrees=_agree(w, fd, scale))
    if detail:
        out["element"] = _worst_element(program, args, cts, v, wrong, right)
        out["inputs"] = {k: np.round(a, 4).tolist() for k, a in args.items() if a.size <= 24}
    return out


def _program(claim: Claim, reading: str) -> Program:
    r = next((r for r in claim.readings if r.name == reading), None)
    return r.program if r is not None and r.program is not None else claim.program


_ORACLE: dict = {}


def _oracle(program: Program, example: dict):
    """The example's inputs, finite differences and corrected gradient. Claims about lines
    of one program share them (the search is derandomized: the same examples recur), so
    they are kept for the run (a few hundred small arrays)."""
    key = (id(program), example["seed"], tuple(sorted(example["dims"].items())))
    hit = _ORACLE.get(key)
    if hit is None:
        dims, args, cts, v = materialise(program, example)
        fd = finite_differences(program, args, cts, v)
        right = gradients(program, cts, args, {})
        scale = float(sum(np.sum(np.abs(right[k] * v[k])) for k in v))
        hit = _ORACLE[key] = (dims, args, cts, v, fd, right, scale, _project(right, v))
        if len(_ORACLE) > 20000:
            _ORACLE.clear()
    return hit


def _worst_element(program, args, cts, v, wrong, right) -> dict | None:
    """The gradient element where as written and corrected differ most, with the finite
    differences of that one element (not where the claim has its own direction: ties)."""
    best = max(program.wrt, key=lambda k: float(np.abs(wrong[k] - right[k]).max(initial=0)))
    diff = np.abs(wrong[best] - right[best])
    if diff.size == 0 or program.direction is not None:
        return None
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
    e = {k: np.zeros_like(args[k]) for k in program.wrt}
    e[best][idx] = 1.0
    return {"arg": best, "index": [int(i) for i in idx],
            "as_written": float(wrong[best][idx]), "corrected": float(right[best][idx]),
            "finite_differences": finite_differences(program, args, cts, e)}


# ---------------------------------------------------------------------------- searching
class CorrectedFails(Exception):
    pass


def _search(claim: Claim, reading: Reading, max_examples: int) -> dict[str, Any]:
    seen = {"n": 0}

    def wrong(example):
        seen["n"] += 1
        m = measure(claim, reading.name, example)
        if not m["corrected_agrees"]:
            raise CorrectedFails(f"{claim.id}: the corrected formula disagrees with finite "
                                 f"differences at {example}: {m}")
        return not m["written_agrees"]

    # Hypothesis generates; the shrinking is the greedy pass below (each call of a recurrent
    # program costs milliseconds, and Hypothesis' own shrinker spends hundreds of them)
    cfg = settings(max_examples=max_examples, database=None, derandomize=True, deadline=None,
                   suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    spec = claim.value_dims if claim.value is not None else _program(claim, reading.name).dims
    out = {"reading": reading.name, "text": reading.text}
    try:
        example = find(_strategy(spec), wrong, settings=cfg)
    except NoSuchExample:
        return {**out, "agrees": True, "examples": seen["n"]}
    example = shrink(spec, example, wrong)
    m = measure(claim, reading.name, example, detail=True)
    return {**out, "agrees": False, "examples": seen["n"],
            "counterexample": {"example": example, **_plain(m)}}


def shrink(spec, example: dict, fails, seeds: int = 16) -> dict:
    """The smallest failing example this finds: each dim lowered as far as it still fails
    (in the spec's order, repeated until nothing moves), then the smallest failing seed."""
    best = {"dims": dict(example["dims"]), "seed": example["seed"]}
    lows = {k: v[0] for k, v in spec.items() if not callable(v)}
    moved = True
    while moved:
        moved = False
        for k, lo in lows.items():
            for value in range(lo, best["dims"][k]):
                trial = {"dims": {**best["dims"], k: value}, "seed": best["seed"]}
                if fails(trial):
                    best, moved = trial, True
                    break
    for seed in range(min(seeds, best["seed"])):
        trial = {"dims": best["dims"], "seed": seed}
        if fails(trial):
            return trial
    return best


def _plain(m: dict) -> dict:
    return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in m.items()
            if k not in ("written_agrees", "corrected_agrees", "scale")}


def summary_line(ce: dict) -> str:
    el = ce.get("element")
    if el:
        where = f"dL/d{el['arg']}{el['index']}"
        return (f"{where}: as written {el['as_written']:.6g}, finite differences "
                f"{el['finite_differences']:.6g}, corrected {el['corrected']:.6g}")
    w = ce.get("as_written")
    shown = "not evaluable (" + str(ce.get("error")) + ")" if w is None else f"{w:.6g}"
    ref = ce.get("finite_differences", ce.get("measured"))
    what = "finite differences" if "finite_differences" in ce else "the forward's own value"
    return f"as written {shown}, {what} {ref:.6g}, corrected {ce['corrected']:.6g}"


def evaluate(claim: Claim, max_examples: int = CHECK_EXAMPLES) -> dict[str, Any]:
    t0 = time.perf_counter()
    base = {"id": claim.id, "seed": claim.seed, "also": list(claim.also), "where": claim.where,
            "quote": claim.quote, "as_written": claim.as_written, "corrected": claim.corrected,
            "note": claim.note, "module": claim.module, "check": claim.check,
            "variants": list(claim.variants) if claim.variants is not None else None}
    try:
        readings = [_search(claim, r, max_examples) for r in claim.readings]
    except CorrectedFails as exc:
        return {**base, "status": "corrected-fails", "why": str(exc),
                "evidence": {"summary": str(exc)}}
    agree = [r for r in readings if r["agrees"]]
    status = ("verified" if len(agree) == len(readings) else
              "erratum" if not agree else "ambiguous")
    out = {**base, "status": status, "readings": readings,
           "wall_s": round(time.perf_counter() - t0, 3)}
    failing = [r for r in readings if not r["agrees"]]
    if failing:
        ce = failing[0]["counterexample"]
        out["counterexample"] = ce
        out["evidence"] = {"summary": summary_line(ce), "reading": failing[0]["reading"]}
        out["repro"] = check_command(claim.id, ce["example"])
    return out


def check_command(claim_id: str, example: dict) -> str:
    import json

    return (f"python -m conformance claims --check {claim_id} --example "
            f"'{json.dumps(example, sort_keys=True)}'")


def replay(claim: Claim, example: dict) -> dict[str, Any]:
    """Every reading measured on one given example (what ``claims --check --example`` prints)."""
    return {"id": claim.id, "example": example,
            "readings": {r.name: _replayed(measure(claim, r.name, example, detail=True))
                         for r in claim.readings}}


def _replayed(m: dict) -> dict:
    return {**_plain(m), "agrees": bool(m["written_agrees"]),
            "corrected_agrees": bool(m["corrected_agrees"])}


# ---------------------------------------------------------------------------- the run
def text_entries() -> list[dict]:
    return ([{"id": t.id, "seed": t.seed, "where": t.where, "quote": t.quote,
              "status": "text erratum", "why": t.what} for t in TEXT_ERRATA]
            + [{"id": f"untranscribed:{u.seed[:3]}:{i}", "seed": u.seed, "where": u.where,
                "quote": u.quote, "status": "untranscribed", "why": u.reason}
               for i, u in enumerate(UNTRANSCRIBED)])


def evaluate_all(max_examples: int | None = None, modules: set[str] | None = None,
                 verify_examples: int | None = None) -> tuple[list[dict], list[dict]]:
    """(errata, claims) for every claim (those tied to a module outside ``modules`` are
    skipped). ``claims`` lists every claim with its status and readings, then the text
    errata and the untranscribed formulas."""
    n = max_examples or RUN_EXAMPLES
    results = _cached(n)
    if results is None:
        caching = _cache_file(n) is not None   # then every claim, so the next run reuses them
        results = [evaluate(c, n) for c in CLAIMS
                   if caching or modules is None or c.module is None or c.module in modules]
        if caching:
            _store(n, results)
    results = [r for r in results if modules is None or r["module"] is None
               or r["module"] in modules]
    errata = [r for r in results if r["status"] in ("erratum", "corrected-fails")]
    keep = ("id", "seed", "also", "where", "as_written", "corrected", "status", "module", "check")
    summary = [{**{k: r.get(k) for k in keep},
                "readings": "; ".join(f"{x['reading']}: {'agrees' if x['agrees'] else 'disagrees'}"
                                      for x in r.get("readings", ())),
                "why": (r.get("evidence") or {}).get("summary") or r.get("why") or ""}
               for r in results]
    return errata, summary + text_entries()


# The run's cache directory (conformance/harness/caches.py publishes it; empty or unset: no cache).
# The search is derandomized, so its results are a function of the claims' and this file's
# code, the example count and the NumPy/Hypothesis versions: the key hashes all of them.
from adapters.cache import ENV as CACHE_ENV  # noqa: E402  (one name for every cache)


def _cache_file(n: int):
    import hashlib
    import os
    from pathlib import Path

    import hypothesis

    root = os.environ.get(CACHE_ENV, "")
    if not root:
        return None
    h = hashlib.sha256(f"{n} {np.__version__} {hypothesis.__version__}".encode())
    here = Path(__file__).resolve().parent
    for f in [Path(__file__).resolve(), *sorted((here / "claims").glob("*.py"))]:
        h.update(f.read_bytes())
    return Path(root) / "claims" / f"{h.hexdigest()[:24]}.json"


def _cached(n: int) -> list[dict] | None:
    import json

    f = _cache_file(n)
    try:
        return json.loads(f.read_text()) if f is not None and f.is_file() else None
    except (OSError, ValueError):
        return None


def _store(n: int, results: list[dict]) -> None:
    import json

    f = _cache_file(n)
    if f is None:
        return
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(results, ensure_ascii=False))
    except (OSError, TypeError, ValueError):  # a cache only saves time, never fails a run
        pass


STATUSES = ("verified", "erratum", "ambiguous", "text erratum", "untranscribed")


def coverage(entries: list[dict]) -> dict[str, dict[str, int]]:
    """Per seed file: transcribed, and each status. A claim counts for every seed file
    that prints it (``also``)."""
    from conformance.documents.claims import SEEDS

    table = {s: {"transcribed": 0, **{k: 0 for k in STATUSES}, "corrected-fails": 0}
             for s in SEEDS.values()}
    for e in entries:
        for seed in [e["seed"], *(e.get("also") or ())]:
            row = table.setdefault(seed, {"transcribed": 0, **{k: 0 for k in STATUSES},
                                          "corrected-fails": 0})
            row[e["status"]] = row.get(e["status"], 0) + 1
            if e["status"] not in ("text erratum", "untranscribed"):
                row["transcribed"] += 1
    return table
