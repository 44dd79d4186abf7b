"""Replay one case in this process and print its outcome as one JSON line (run by
``bisect`` inside each release's throwaway environment).

``python -m conformance.upgrade.replay CASE_ID [--example JSON] [--adapter M:C] [--seed N]``

The line starts with ``OUTCOME``; its ``outcome`` is ``pass``, ``fail`` (a check off its
tolerance), ``error`` (the framework raised), ``skip`` (the case cannot run on this
release, in the framework's words) or ``unavailable`` (the framework does not import).
A crash shows as the process's death, which the caller reads.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import traceback

MARK = "OUTCOME "


def _ratio(values) -> float | None:
    finite = [v for v in values if v is not None]
    if not finite:
        return None
    worst = max(finite)
    return worst if math.isfinite(worst) else float("inf")


def replay(case_id: str, example: dict | None, adapters: list[str], seed: int) -> dict:
    from adapters import BUILTIN, load_adapter

    from conformance.plan.cases import parse_case_id
    from conformance.plan.selection import third_party

    case = parse_case_id(case_id)
    extra = third_party(adapters)
    target = extra.get(case.framework) or BUILTIN[case.framework]
    adapter = load_adapter(target)
    out = {"case": case_id, "framework": case.framework, "version": adapter.version()}
    reason = adapter.unavailable_reason()
    if reason:
        return {**out, "outcome": "unavailable", "detail": reason}
    if example is None:
        return {**out, **_search(case, adapter, seed, extra.get(case.framework))}
    from adapters.base import Unsupported

    from conformance.run.example import run_example
    from conformance.run.case import _no_kernel, skip_reason

    reason = skip_reason(case, adapter)
    if reason:
        return {**out, "outcome": "skip", "detail": reason}
    try:
        outcome = run_example(case, adapter, example, seed=example["seed"])
    except Unsupported as exc:
        return {**out, "outcome": "skip", "detail": str(exc)}
    except Exception as exc:  # noqa: BLE001 - the framework's own error is the outcome
        missing = _no_kernel(adapter, exc, case)
        if missing:
            return {**out, "outcome": "skip", "detail": missing}
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return {**out, "outcome": "error", "detail": text.splitlines()[-1][:400]}
    worst = max(outcome.checks, key=lambda c: c.ratio if not math.isnan(c.ratio) else math.inf)
    return {**out, "outcome": "pass" if outcome.passed else "fail",
            "ratio": _ratio(c.ratio for c in outcome.checks),
            "detail": "" if outcome.passed else worst.describe()}


def _search(case, adapter, seed: int, adapter_spec: str | None) -> dict:
    """No example given: the quick profile's Hypothesis search for this case."""
    from conformance.plan.profiles import PROFILES
    from conformance.run.case import run_case

    records = run_case(case, adapter, PROFILES["quick"], seed=seed, adapter_spec=adapter_spec)
    statuses = {r.status for r in records}
    status = next((s for s in ("error", "fail", "pass", "skip") if s in statuses), "skip")
    worst = next((r for r in records if r.status == status), None)
    ratios = [float(r.ratio) if r.ratio is not None else None for r in records
              if r.status in ("pass", "fail")]
    return {"outcome": status, "ratio": _ratio(ratios),
            "detail": "" if status == "pass" or worst is None else worst.reason[:400],
            "example": getattr(worst, "example", None)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance.upgrade.replay")
    p.add_argument("case_id")
    p.add_argument("--example")
    p.add_argument("--adapter", action="append", default=[])
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    example = json.loads(args.example) if args.example else None
    start = time.perf_counter()
    result = replay(args.case_id, example, args.adapter, args.seed)
    result["seconds"] = round(time.perf_counter() - start, 2)
    sys.stdout.flush()
    print(MARK + json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
