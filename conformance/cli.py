"""The command line: ``python -m conformance {run,list,repro}``.

Exit status: 0 when everything selected passed (or was skipped with a reason), 1 when any
check failed or errored, 2 for a usage error (the message lists the valid names).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .selection import Selection, UsageError

EXAMPLES = """examples:
  python -m conformance run                                  # everything installed, quick profile
  python -m conformance run --frameworks torch,jax --modules elu,softmax --dtypes float32
  python -m conformance run --profile full --seed 7 --out reports/full
  python -m conformance run --adapter mypkg.adapters:MyAdapter   # test a third-party adapter
  python -m conformance list
  python -m conformance repro 'elu-torch-float32-cpu' --example '{"dims":{"D":8,"N":3},"seed":1}'
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Cross-framework gradient conformance: compare PyTorch, TensorFlow, JAX "
                    "(and third-party adapters) against hand-written float64 NumPy references "
                    "of documented formulas, on Hypothesis-drawn inputs.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="{run,list,repro}")

    run = sub.add_parser("run", help="run the conformance suite and write results",
                         description="Run the suite; writes DIR/results.json, DIR/junit.xml "
                                     "and DIR/index.html. Exit 0: all passed; 1: a check "
                                     "failed or errored; 2: usage error.")
    run.add_argument("--frameworks", help="comma-separated (default: every known framework; "
                     "missing ones are recorded as skips)")
    run.add_argument("--modules", help="comma-separated module names (default: all; see 'list')")
    run.add_argument("--dtypes", help="float32,float64 (default: both)")
    run.add_argument("--devices", help="cpu,gpu or all (default: all; absent devices are skips)")
    run.add_argument("--modes", help="eager,compiled (default: the profile's modes)")
    run.add_argument("--profile", default="quick", help="quick (CI gate) or full (default: quick)")
    run.add_argument("--max-examples", type=int, help="Hypothesis examples per case")
    run.add_argument("--seed", type=int, default=0, help="Hypothesis seed: the same seed and "
                     "selection replay the same run (default: 0)")
    run.add_argument("--adapter", action="append", default=[], metavar="MODULE:CLASS",
                     help="load a third-party adapter (repeatable)")
    run.add_argument("--out", default="reports/latest", help="output directory (default: reports/latest)")
    run.add_argument("--workers", type=int, default=0, help="pytest-xdist workers (default: 0, in-process)")
    run.add_argument("pytest_args", nargs="*", help="extra arguments for pytest, after --")

    sub.add_parser("list", help="list modules (with citations) and frameworks (with versions)")

    rep = sub.add_parser("repro", help="replay one example of one case and show every check",
                         description="Replay one case's example (the 'repro' field of a record).")
    rep.add_argument("case_id", help="e.g. elu-torch-float32-cpu or max_pool2d[k=3,s=1]-jax-float64-cpu")
    rep.add_argument("--example", help='JSON {"dims": {...}, "seed": N}; omitted: run a fresh '
                     "Hypothesis search for that case")
    rep.add_argument("--adapter", action="append", default=[], metavar="MODULE:CLASS")
    rep.add_argument("--seed", type=int, default=0)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"run": cmd_run, "list": cmd_list, "repro": cmd_repro}[args.command](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def cmd_run(args) -> int:
    if args.max_examples is not None and args.max_examples < 1:
        raise UsageError("--max-examples must be at least 1")
    Selection.parse(modules=args.modules, frameworks=args.frameworks, dtypes=args.dtypes,
                    devices=args.devices, modes=args.modes, profile=args.profile,
                    adapters=args.adapter)  # validate before any framework is imported
    import pytest

    suite = Path(__file__).with_name("test_suite.py")
    opts = [str(suite), "-q", "-p", "no:cacheprovider", "-rfE", "--tb=short",
            f"--cf-profile={args.profile}", f"--cf-seed={args.seed}", f"--cf-out={args.out}"]
    for name in ("modules", "frameworks", "dtypes", "devices", "modes"):
        if getattr(args, name):
            opts.append(f"--cf-{name}={getattr(args, name)}")
    if args.max_examples:
        opts.append(f"--cf-max-examples={args.max_examples}")
    opts += [f"--cf-adapter={a}" for a in args.adapter]
    if args.workers:
        opts += ["-n", str(args.workers)]
    code = pytest.main(opts + list(args.pytest_args))
    return {0: 0, 1: 1, 5: 2}.get(int(code), 2 if int(code) == 4 else 1)


def cmd_list(_args) -> int:
    from adapters import BUILTIN, entry_point_adapters, load_adapter

    from .specs import SPECS

    print("modules:")
    for spec in SPECS:
        variants = ", ".join(v.name for v in spec.variants if v.name)
        print(f"  {spec.name:<22} {spec.family:<14} {spec.formula}")
        if variants:
            print(f"  {'':<22} variants: {variants}")
        for c in spec.citations:
            print(f"  {'':<22} cites {c}")
    print("frameworks:")
    for name, target in {**BUILTIN, **dict(entry_point_adapters())}.items():
        adapter = load_adapter(target)
        version = adapter.version()
        state = f"installed {version}" if version else "not installed"
        print(f"  {name:<12} {state:<24} {target}")
    return 0


def cmd_repro(args) -> int:
    from adapters import BUILTIN, load_adapter

    from .cases import parse_case_id
    from .execute import run_example
    from .profiles import PROFILES
    from .runner import run_case
    from .selection import third_party

    try:
        case = parse_case_id(args.case_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    extra = third_party(args.adapter)
    target = extra.get(case.framework) or BUILTIN.get(case.framework)
    if target is None:
        raise UsageError(f"unknown framework {case.framework!r}; valid: "
                         f"{', '.join(list(BUILTIN) + list(extra))} (third-party: --adapter)")
    adapter = load_adapter(target)
    if args.example is None:
        records = run_case(case, adapter, PROFILES["quick"], seed=args.seed,
                           adapter_spec=extra.get(case.framework))
        for r in records:
            print(f"{r.check:<12} {r.status:<5} {r.reason}")
            if r.repro and r.status != "pass":
                print(f"  repro: {r.repro}")
        return 1 if any(r.status in ("fail", "error") for r in records) else 0
    try:
        example = json.loads(args.example)
        example = {"dims": dict(example["dims"]), "seed": int(example["seed"])}
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f'--example must be JSON {{"dims": {{...}}, "seed": N}}: {exc}') from None
    reason = adapter.unavailable_reason() or adapter.device_reason(case.device)
    if reason:
        print(f"skip: {reason}")
        return 0
    outcome = run_example(case, adapter, example, seed=example["seed"])
    print(f"{case.id}  example {json.dumps(example)}")
    for c in outcome.checks:
        print(f"  {'ok  ' if c.passed else 'FAIL'} {c.describe()}")
    for key, checks in list(outcome.rule_checks.items())[1:]:
        if all(c.passed for c in checks):
            print(f"  explained by the alternative rule {key}")
    if outcome.passed and not all(c.passed for c in outcome.checks):
        print("  (a convention: the documented rule does not hold, an alternative does)")
    return 0 if outcome.passed else 1
