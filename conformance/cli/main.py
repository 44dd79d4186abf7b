"""The command line: ``python -m conformance COMMAND``, with the commands ``run``, ``list``,
``repro``, ``report``, ``bench``, ``compare``, ``claims``, ``merge`` and ``bisect``
(``--help`` on each says what it takes).

Exit status: 0 when everything selected passed (or was skipped with a reason), 1 when any
check failed or errored (``compare``: when anything regressed), 2 for a usage error (the
message lists the valid names).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from conformance.plan.selection import Selection, UsageError

EXAMPLES = """examples:
  python -m conformance run                                  # everything installed, quick profile
  python -m conformance run --frameworks torch,jax --modules elu,softmax --dtypes float32
  python -m conformance run --profile full --seed 7 --out reports/full
  python -m conformance run --adapter mypkg.adapters:MyAdapter   # test a third-party adapter
  python -m conformance list
  python -m conformance repro 'elu-torch-float32-cpu' --example '{"dims":{"D":8,"N":3},"seed":1}'
  python -m conformance run --bench --out reports/latest      # conformance + timings, one report
  python -m conformance bench --frameworks torch,jax --modules softmax --out reports/bench
  python -m conformance report reports/latest/results.json --bench reports/bench/bench.json
  python -m conformance compare reports/main reports/latest --max-slowdown 10%
  python -m conformance claims --check ID                   # one formula of the documents, judged
  python -m conformance run --shard 1/2 --out part1 && ... && python -m conformance merge part1 part2 --out merged
  python -m conformance bisect 'relu-jax-float32-cpu-compiled' --framework jax --versions 0.4.30..0.10.2
"""


def default_workers() -> int:
    """One xdist worker per CPU this process may use, at most 4 (each worker loads every
    selected framework: about 3-4 GiB with all of them)."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m conformance",
        description="Cross-framework gradient conformance: compare PyTorch, TensorFlow, JAX "
                    "(and third-party adapters) against hand-written float64 NumPy references "
                    "of documented formulas, on Hypothesis-drawn inputs.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True,
                           metavar="{run,list,repro,report,bench,compare,claims,merge,bisect}")

    run = sub.add_parser("run", help="run the conformance suite and write results",
                         description="Run the suite; writes DIR/results.json, DIR/junit.xml "
                                     "and DIR/index.html. Exit 0: all passed; 1: a check "
                                     "failed or errored; 2: usage error.")
    run.add_argument("--frameworks", help="comma-separated (default: every known framework; "
                     "missing ones are recorded as skips)")
    run.add_argument("--modules", help="comma-separated module names (default: all; see 'list')")
    run.add_argument("--dtypes", help="float32,float64,bfloat16,float16 (default: all four)")
    run.add_argument("--devices", help="cpu,gpu or all (default: all = every device this machine has; a device "
                     "named but absent is recorded as skips, with each framework's reason)")
    run.add_argument("--modes", help="eager,compiled (default: the profile's modes)")
    run.add_argument("--precision", help="highest,default,autocast (default: highest = true float32; "
                     "'default' adds float32 GPU cases at the framework's own defaults, TF32 included; "
                     "'autocast' adds bfloat16 mixed-precision cases of matmul/convolution modules)")
    run.add_argument("--forms", help="forms besides the canonical call: all (default), canonical (the canonical call only), "
                     "kinds axis,size,layout, or form names such as axis=0, D=1, transposed, strided, "
                     "channels_last, axis=0+D=1 (README, section Forms)")
    run.add_argument("--check-determinism", action="store_true", help="rerun every example and "
                     "record whether results are bitwise identical (always on for GPU cases)")
    run.add_argument("--deterministic", action="store_true",
                     help="switch on each framework's determinism mode before running")
    run.add_argument("--profile", default="quick", help="quick (CI gate) or full (default: quick)")
    run.add_argument("--max-examples", type=int, help="Hypothesis examples per case")
    run.add_argument("--orders", help="which derivatives: 1 (forward output and VJP), jvp "
                     "(forward mode, checks jvp:<arg>@<route>), hvp or 2 (Hessian-vector "
                     "products, hvp:<arg>@<route>), jac and hess (the Jacobian and Hessian "
                     "APIs); e.g. --orders 1,jvp,2 (default: all of them; --orders 1 for "
                     "first order only)")
    from conformance.cli.ci import seed_value

    run.add_argument("--seed", type=seed_value, default=0, help="Hypothesis seed: the same seed and "
                     "selection replay the same run; 'random' draws one and prints it (default: 0)")
    run.add_argument("--adapter", action="append", default=[], metavar="MODULE:CLASS",
                     help="load a third-party adapter (repeatable)")
    run.add_argument("--ops", action="append", default=[], metavar="FRAMEWORK=MODULE",
                     help="replace entries of a built-in adapter's op table with MODULE's "
                     "build(framework) or OPS (your own kernels; repeatable)")
    run.add_argument("--out", default="reports/latest", help="output directory (default: reports/latest)")
    run.add_argument("--workers", type=int, default=default_workers(), help="pytest-xdist worker "
                     f"processes (default: one per CPU this process may use, at most 4: here "
                     f"{default_workers()}; a framework that kills a worker costs one case, recorded "
                     "as framework-crash; results.json is the same for any count)")
    run.add_argument("--bench", action="store_true", help="also time the selected modules (default "
                     "modules: the quick benchmark set) and put the timings into the same report; "
                     "writes DIR/bench.json beside results.json")
    run.add_argument("--threads", type=int, default=0, help="benchmark threads, the same for every "
                     "framework (default: every CPU this process may use)")
    from conformance.cli.ci import add_run_options

    add_run_options(run)
    run.add_argument("pytest_args", nargs="*", help="extra arguments for pytest, after --")

    sub.add_parser("list", help="list modules (with citations) and frameworks (with versions)")

    rep = sub.add_parser("repro", help="replay one example of one case and show every check",
                         description="Replay one case's example (the 'repro' field of a record).")
    rep.add_argument("case_id", help="e.g. elu-torch-float32-cpu or max_pool2d[k=3,s=1]-jax-float64-cpu")
    rep.add_argument("--example", help='JSON {"dims": {...}, "seed": N}; omitted: run a fresh '
                     "Hypothesis search for that case")
    rep.add_argument("--adapter", action="append", default=[], metavar="MODULE:CLASS")
    rep.add_argument("--ops", action="append", default=[], metavar="FRAMEWORK=MODULE")
    rep.add_argument("--seed", type=int, default=0)
    rep.add_argument("--orders", help="1,jvp,hvp: which checks to replay (default: all)")
    rep.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    _bench_parsers(sub)
    from conformance.cli.claims import add_parser as add_claims

    add_claims(sub)
    from conformance.cli.ci import add_parsers as add_ci

    add_ci(sub)
    from conformance.upgrade.bisect import add_parser as add_bisect

    add_bisect(sub)
    return p


def _bench_parsers(sub) -> None:
    rp = sub.add_parser("report", help="regenerate the HTML report from results.json (+ timings)",
                        description="Render one self-contained HTML file from RESULTS (a results.json "
                                    "or a directory holding one) and optional pytest-benchmark JSON.")
    rp.add_argument("results", help="results.json, or a directory with results.json [and bench.json]")
    rp.add_argument("--bench", help="pytest-benchmark JSON (default: bench.json beside RESULTS, if any)")
    rp.add_argument("--out", help="the HTML file to write (default: index.html beside RESULTS)")

    b = sub.add_parser("bench", help="time forward and forward+VJP per module × framework × device",
                       description="pytest-benchmark timings, one worker process per framework at the "
                                   "same thread count; writes DIR/bench.json and DIR/index.html (with "
                                   "DIR/results.json when present). Exit 1 if a benchmark failed.")
    b.add_argument("--frameworks", help="comma-separated (default: numpy,torch,tensorflow,jax)")
    b.add_argument("--modules", help="comma-separated, or 'all' (default: the quick set: "
                   "conv2d, lstm, softmax where present)")
    b.add_argument("--devices", default="cpu", help="cpu,gpu (default: cpu)")
    b.add_argument("--dtypes", default="float32", help="float32,float64 (default: float32)")
    b.add_argument("--modes", default="eager,compiled", help="eager,compiled (default: both)")
    b.add_argument("--passes", default="forward,forward+vjp", help="forward,forward+vjp (default: both)")
    b.add_argument("--threads", type=int, default=0, help="threads for every framework "
                   "(default: every CPU this process may use)")
    b.add_argument("--no-scaling", action="store_true", help="leave out the scaling series")
    b.add_argument("--thorough", action="store_true", help="more and longer rounds (steadier, slower)")
    b.add_argument("--processes", type=int, default=1, help="fresh worker processes per framework, "
                   "ABBA order; the timing gate decides from their medians (default: 1; gate: 5)")
    b.add_argument("--instructions", action="store_true", help="also count instructions per call "
                   "under valgrind (eager module rows, small shapes, one thread)")
    b.add_argument("--interleave", metavar="PYTHON", help="another environment's interpreter: its "
                   "worker processes alternate with this one's (ABBA); writes DIR/a and DIR/b")
    b.add_argument("--out", default="reports/latest", help="output directory (default: reports/latest)")

    c = sub.add_parser("compare", help="regression gate: new failures, fixes, slower timings",
                       description="Compare two runs (results.json / bench.json files or directories "
                                   "holding them). Exit 1 when a check newly fails or errors or a "
                                   "median timing is slower by more than --max-slowdown; 0 otherwise; "
                                   "2 on usage errors.")
    c.add_argument("old")
    c.add_argument("new")
    c.add_argument("--max-slowdown", default="10%", help="allowed median slowdown: 10%% or 0.1 "
                   "(default: 10%%)")
    c.add_argument("--metric", default="time", choices=("time", "instructions"),
                   help="what the timing gate decides from (default: time)")
    c.add_argument("--calibrate", nargs=2, metavar=("A1", "A2"), help="an A/A pair (two bench runs of "
                   "the same code): how far identical code moves on this machine widens the time gate's band")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from conformance.cli.ci import cmd_merge
        from conformance.cli.claims import cmd_claims
        from conformance.upgrade.bisect import cmd_bisect

        return {"run": cmd_run, "list": cmd_list, "repro": cmd_repro, "report": cmd_report,
                "bench": cmd_bench, "compare": cmd_compare, "claims": cmd_claims,
                "merge": cmd_merge, "bisect": cmd_bisect}[args.command](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _check_ops(values) -> dict[str, list[str]]:
    """--ops FRAMEWORK=MODULE, validated before any framework is imported."""
    from adapters import BUILTIN
    from adapters.user_ops import parse_ops_option

    try:
        ops = parse_ops_option(values)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    unknown = sorted(set(ops) - set(BUILTIN))
    if unknown:
        raise UsageError(f"--ops replaces ops of the built-in adapters {', '.join(BUILTIN)}; "
                         f"not {', '.join(unknown)}")
    return ops


def cmd_run(args) -> int:
    if args.max_examples is not None and args.max_examples < 1:
        raise UsageError("--max-examples must be at least 1")
    # Validate before any framework is imported.
    Selection.parse(modules=args.modules, frameworks=args.frameworks, dtypes=args.dtypes,
                    devices=args.devices, modes=args.modes, profile=args.profile,
                    adapters=args.adapter, precision=args.precision, forms=args.forms)
    _check_ops(args.ops)
    if (args.devices or "all").strip() == "all":
        from adapters.machine import absent_devices

        for device, why in absent_devices().items():
            print(f"{device}: not run: {why}", flush=True)
    import pytest

    suite = Path(__file__).resolve().parents[1] / "test_suite.py"
    # No log capture (pytest's logging plugin): the suite reads no log records, and
    # capturing them cost ~0.4 ms per case and phase.
    opts = [str(suite), "-q", "-p", "no:cacheprovider", "-p", "no:logging", "-rfE", "--tb=short",
            f"--cf-profile={args.profile}", f"--cf-seed={args.seed}", f"--cf-out={args.out}"]
    from conformance.run.derivative_case import parse_orders

    try:
        parse_orders(args.orders)
    except ValueError as exc:
        raise UsageError(f"--orders: {exc}") from None
    for name in ("modules", "frameworks", "dtypes", "devices", "modes", "precision", "orders", "forms"):
        if getattr(args, name):
            opts.append(f"--cf-{name}={getattr(args, name)}")
    opts += ["--cf-check-determinism"] if args.check_determinism else []
    opts += ["--cf-deterministic"] if args.deterministic else []
    if args.max_examples:
        opts.append(f"--cf-max-examples={args.max_examples}")
    opts += [f"--cf-adapter={a}" for a in args.adapter]
    opts += [f"--cf-ops={o}" for o in args.ops]
    from conformance.cli.ci import run_options

    opts += run_options(args)
    if args.workers < 1:
        raise UsageError("--workers must be at least 1 (the cases run in worker processes, so "
                         "that a crashing framework costs one case, not the run)")
    # Replace a crashed worker as often as needed: each crash is one recorded case.
    opts += ["-n", str(args.workers), "--max-worker-restart", "1000000"]
    from conformance.cli.keyword import check_keyword

    check_keyword(list(args.pytest_args))
    code = pytest.main(opts + list(args.pytest_args))
    code = {0: 0, 1: 1, 5: 2}.get(int(code), 2 if int(code) == 4 else 1)
    if args.bench and code != 2:
        sel = Selection.parse(modules=args.modules, frameworks=args.frameworks, dtypes=args.dtypes,
                              devices=args.devices, modes=args.modes)
        bench_code = _bench(out=args.out, frameworks=_builtin(sel.frameworks),
                            modules=sel.modules if args.modules else None, devices=sel.devices,
                            dtypes=sel.dtypes if args.dtypes else ["float32"], threads=args.threads)
        code = max(code, bench_code)
    return code


def _builtin(frameworks: list[str]) -> list[str]:
    from conformance.bench.driver import FRAMEWORKS

    return [f for f in frameworks if f in FRAMEWORKS]


def _bench(*, out, **kw) -> int:
    from reports.inputs import render_run

    from conformance.bench.driver import run_bench

    code, path = run_bench(out=out, **kw)
    print(f"report: {render_run(path.parent if path else out)}")
    return code


def cmd_bench(args) -> int:
    from conformance.bench.driver import FRAMEWORKS, MODES, PASSES
    from conformance.plan.selection import split

    modules = None if args.modules in (None, "", "all") else args.modules
    sel = Selection.parse(modules=modules, frameworks=args.frameworks, dtypes=args.dtypes,
                          devices=args.devices)
    bad = [f for f in split(args.frameworks) if f not in FRAMEWORKS]
    if bad:
        raise UsageError(f"benchmarks cover the built-in frameworks {', '.join(FRAMEWORKS)}; not {', '.join(bad)}")
    for name, given, valid in (("mode", split(args.modes), MODES), ("pass", split(args.passes), PASSES)):
        if not given or any(g not in valid for g in given):
            raise UsageError(f"--{name}s must be some of {', '.join(valid)}")
    if args.threads < 0:
        raise UsageError("--threads must be positive")
    if args.interleave and not shutil.which(args.interleave):
        raise UsageError(f"--interleave: no interpreter {args.interleave!r}")
    return _bench(out=args.out, frameworks=_builtin(sel.frameworks),
                  modules=sel.modules if args.modules else None, devices=sel.devices, dtypes=sel.dtypes,
                  modes=split(args.modes), passes=split(args.passes), threads=args.threads,
                  scaling=not args.no_scaling, thorough=args.thorough, processes=max(1, args.processes),
                  instructions=args.instructions, interleave=args.interleave)


def cmd_report(args) -> int:
    from reports.inputs import InputError, render_run

    try:
        print(render_run(args.results, bench=args.bench, out=args.out))
    except InputError as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_compare(args) -> int:
    from reports.compare import compare_paths, format_comparison, parse_slowdown
    from reports.inputs import InputError

    try:
        result = compare_paths(args.old, args.new, parse_slowdown(args.max_slowdown), metric=args.metric,
                               calibrate=args.calibrate)
    except InputError as exc:
        raise UsageError(str(exc)) from None
    print(format_comparison(result, args.old, args.new))
    return 1 if result.regressed else 0


def cmd_list(_args) -> int:
    from adapters import BUILTIN, entry_point_adapters, load_adapter

    from conformance.specs import SPECS

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

    from conformance.plan.cases import parse_case_id
    from conformance.run.example import run_example
    from conformance.plan.profiles import PROFILES
    from conformance.run.case import run_case
    from conformance.plan.selection import third_party

    try:
        case = parse_case_id(args.case_id)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    extra = third_party(args.adapter)
    target = extra.get(case.framework) or BUILTIN.get(case.framework)
    if target is None:
        raise UsageError(f"unknown framework {case.framework!r}; valid: "
                         f"{', '.join(list(BUILTIN) + list(extra))} (third-party: --adapter)")
    if not args.in_process:  # a fresh process: a framework crash is reported, not suffered
        from conformance.harness.crashes import repro_in_fresh_process

        return repro_in_fresh_process(args)
    adapter = load_adapter(target)
    if adapter.unavailable_reason() is None:
        for source in _check_ops(args.ops).get(case.framework, ()):
            adapter.override_ops(source)
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
    from conformance.run.derivative_case import parse_orders, replay

    try:
        orders = parse_orders(args.orders, "full")  # a replay shows every order by default
    except ValueError as exc:
        raise UsageError(f"--orders: {exc}") from None
    if "1" not in orders:  # forward mode / second order only
        print(f"{case.id}  example {json.dumps(example)}")
        return 0 if replay(case, adapter, example, orders) else 1
    outcome = run_example(case, adapter, example, seed=example["seed"])
    print(f"{case.id}  example {json.dumps(example)}")
    for c in outcome.checks:
        print(f"  {'ok  ' if c.passed else 'FAIL'} {c.describe()}")
    for key, checks in list(outcome.rule_checks.items())[1:]:
        if all(c.passed for c in checks):
            print(f"  explained by the alternative rule {key}")
    if outcome.passed and not all(c.passed for c in outcome.checks):
        print("  (a convention: the documented rule does not hold, an alternative does)")
    derivatives_ok = replay(case, adapter, example, orders)  # jvp:* and hvp:* checks
    return 0 if outcome.passed and derivatives_ok else 1
