"""The command line's options for running at CI scale: ``run --shard K/N --durations FILE``,
``run --cache-dir DIR | --no-cache`` and ``merge DIR... --out DIR`` (``conformance/harness/shards.py``,
``conformance/harness/caches.py``, ``conformance/harness/merge.py``)."""

from __future__ import annotations

import secrets

from conformance.plan.selection import UsageError


class RandomSeed(int):
    """A seed drawn for ``--seed random`` (printed, so that the run can be replayed)."""


def seed_value(text: str) -> int:
    """``--seed N`` or ``--seed random`` (a fresh 32-bit seed)."""
    if str(text).strip().lower() == "random":
        return RandomSeed(secrets.randbits(32))
    try:
        return int(text)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(f"--seed must be a whole number or 'random', not {text!r}") from None


def add_run_options(run) -> None:
    run.add_argument("--shard", metavar="K/N", help="run only the K-th of N parts of the selected "
                     "cases, balanced by expected cost; writes DIR/shard.json for 'merge'")
    run.add_argument("--durations", metavar="RESULTS", help="a previous results.json (or its "
                     "directory) whose per-case duration_s balance --shard (default: an estimate)")
    run.add_argument("--cache-dir", metavar="DIR", help="the suite's cache directory: compile "
                     "caches and the example database of --seed random runs (default: $GRADIENT_CONFORMANCE_CACHE, "
                     "else ~/.cache/gradient-conformance, or $XDG_CACHE_HOME's)")
    run.add_argument("--no-cache", action="store_true", help="use no cache: every program compiles "
                     "afresh (results are the same either way)")
    run.add_argument("--database", metavar="DIR", help="example database: failing examples are "
                     "saved there and replayed first by later runs ('cache': hypothesis/ in the cache "
                     "directory; 'none'). Default: none for --seed N (a seed replays exactly), 'cache' "
                     "for --seed random")


def run_options(args) -> list[str]:
    """The pytest options for these arguments, validated (exit 2 on a bad value)."""
    from conformance.harness.shards import ShardError, load_durations, parse_shard

    opts = []
    try:
        if args.shard:
            parse_shard(args.shard)
            opts.append(f"--cf-shard={args.shard}")
        if args.durations:
            if not args.shard:
                raise ShardError("--durations balances --shard K/N; give --shard too")
            load_durations(args.durations)
            opts.append(f"--cf-durations={args.durations}")
    except ShardError as exc:
        raise UsageError(str(exc)) from None
    if args.no_cache and args.cache_dir:
        raise UsageError("--no-cache and --cache-dir contradict each other; give one")
    opts += [f"--cf-cache-dir={args.cache_dir}"] if args.cache_dir else []
    opts += ["--cf-no-cache"] if args.no_cache else []
    database = args.database or ("cache" if isinstance(args.seed, RandomSeed) else None)
    if database == "cache" and args.no_cache and args.database:
        raise UsageError("--database cache needs the cache: drop --no-cache or name a directory")
    opts += [f"--cf-database={database}"] if database else []
    if isinstance(args.seed, RandomSeed):
        print(f"seed: {int(args.seed)} (random; replay this run with --seed {int(args.seed)})", flush=True)
    return opts


def add_parsers(sub) -> None:
    m = sub.add_parser("merge", help="merge the outputs of 'run --shard K/N' into one run",
                       description="Merge sharded runs (directories holding shard.json) into one "
                                   "results.json, junit.xml and index.html, equal to an unsharded "
                                   "run's apart from timings. Refused (exit 2) when the parts differ "
                                   "in selection, seed, profile or versions, or do not cover the "
                                   "shards 1..N; exit 1 when a merged check failed or errored.")
    m.add_argument("parts", nargs="+", metavar="DIR", help="output directories of the shards")
    m.add_argument("--out", default="reports/latest", help="output directory (default: reports/latest)")


def cmd_merge(args) -> int:
    from conformance.harness.merge import cmd_merge as run_merge

    return run_merge(args)
