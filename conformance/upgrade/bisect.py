"""``python -m conformance bisect CASE_ID --framework F --versions A..B``: which release
changed this case's outcome.

Each release is installed into its own throwaway environment (``venvs.py``) and the case
is replayed there (``replay.py``, in a fresh process, so a crash is an outcome). A binary
search finds the first release whose outcome (pass, fail, error, crash) differs from the
oldest runnable release's, assuming one change in the range; the endpoints are always
run. A release that cannot be installed, whose framework does not import, or on which the
case cannot run (a skip, in the framework's words) is listed as such and stepped over.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from conformance.plan.selection import UsageError
from conformance.upgrade.replay import MARK
from conformance.upgrade.venvs import create, pick_installer
from conformance.upgrade.versions import Wanted, index_versions

RUNS = ("pass", "fail", "error", "crash")  # outcomes of a release that ran the case


@dataclass
class Release:
    version: str
    outcome: str                 # RUNS, or skip / unavailable / unrunnable / not-installable / timeout
    ratio: float | None = None
    detail: str = ""
    seconds: float = 0.0

    @property
    def ran(self) -> bool:
        return self.outcome in RUNS


@dataclass
class Plan:
    case_id: str
    framework: str
    requirements: list[str]      # with {version}: what one release installs
    index_options: list[str] = field(default_factory=list)
    example: dict | None = None
    adapters: list[str] = field(default_factory=list)
    seed: int = 0
    installer: str = "pip"
    pre: bool = False
    timeout: float = 900.0
    keep: Path | None = None

    def requirements_for(self, version: str) -> list[str]:
        return [r.format(version=version) for r in self.requirements]


def evaluate(plan: Plan, version: str, workdir: Path) -> Release:
    """Install ``version`` into a new environment and replay the case there."""
    from conformance.harness.crashes import describe_exit, failed_check

    start = time.perf_counter()
    env = create(workdir / f"env-{version}", plan.installer)
    ok, text = env.install(plan.requirements_for(version), plan.index_options, plan.pre,
                           timeout=plan.timeout)
    if not ok:
        last = [line for line in text.splitlines() if line.strip()][-1:] or ["no output"]
        return Release(version, "not-installable", detail=last[0][:400],
                       seconds=round(time.perf_counter() - start, 1))
    argv = [str(env.python), "-m", "conformance.upgrade.replay", plan.case_id,
            "--seed", str(plan.seed)]
    argv += ["--example", json.dumps(plan.example)] if plan.example is not None else []
    argv += [f"--adapter={a}" for a in plan.adapters]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=plan.timeout)
    except subprocess.TimeoutExpired:
        return Release(version, "timeout", detail=f"no outcome within {plan.timeout:.0f} s",
                       seconds=round(time.perf_counter() - start, 1))
    seconds = round(time.perf_counter() - start, 1)
    line = next((l for l in reversed(proc.stdout.splitlines()) if l.startswith(MARK)), None)
    if proc.returncode < 0 and line is None:  # the framework killed the process while replaying
        last = [l.strip() for l in proc.stderr.splitlines() if l.strip()][-1:] or [""]
        return Release(version, "crash", seconds=seconds, detail=failed_check(proc.stderr)
                       or describe_exit(proc.returncode, last[0][:300]))
    if line is None:  # the replay itself failed: this release cannot run the case
        last = [l for l in proc.stderr.splitlines() if l.strip()][-1:] or ["no output"]
        return Release(version, "unrunnable", detail=last[0][:400], seconds=seconds)
    got = json.loads(line[len(MARK):])
    if got.get("version") != version:  # the layer's copy was imported, not the release's
        return Release(version, "unavailable", seconds=seconds,
                       detail=f"the environment reports {plan.framework} {got.get('version')}, "
                              f"not {version}")
    ratio = got.get("ratio")
    detail = got.get("detail", "")
    if proc.returncode < 0:  # after the outcome was out: the interpreter's teardown died
        last = [l.strip() for l in proc.stderr.splitlines() if l.strip()][-1:] or [""]
        detail = (detail + "; " if detail else "") + "then, at exit, " + describe_exit(
            proc.returncode, last[0][:200])
    return Release(version, got["outcome"], None if ratio is None else float(ratio), detail,
                   seconds)


def search(versions: list[str], run) -> tuple[dict[str, Release], str | None, str | None]:
    """Binary search over ``versions`` (oldest first) with ``run(version) -> Release``.

    Returns (every release run, the last release with the baseline outcome, the first
    release whose outcome differs from it), the last two None where they do not exist."""
    seen: dict[str, Release] = {}

    def at(i: int) -> Release:
        if versions[i] not in seen:
            seen[versions[i]] = run(versions[i])
        return seen[versions[i]]

    lo = next((i for i in range(len(versions)) if at(i).ran), None)
    if lo is None:
        return seen, None, None
    hi = next((i for i in reversed(range(lo + 1, len(versions))) if at(i).ran), None)
    if hi is None or at(hi).outcome == at(lo).outcome:
        return seen, versions[hi if hi is not None else lo], None
    base = at(lo).outcome
    while hi - lo > 1:
        mid = (lo + hi) // 2
        # The untried release nearest the middle that can run the case.
        order = sorted(range(lo + 1, hi), key=lambda i: (abs(i - mid), i))
        probe = next((i for i in order if at(i).ran), None)
        if probe is None:  # nothing between them runs: the change is somewhere in (lo, hi]
            break
        if at(probe).outcome == base:
            lo = probe
        else:
            hi = probe
    return seen, versions[lo], versions[hi]


def table(versions: list[str], seen: dict[str, Release]) -> str:
    rows = [("release", "outcome", "ratio", "seconds", "detail")]
    for v in versions:
        r = seen.get(v)
        if r is None:
            rows.append((v, "(not run)", "", "", ""))
            continue
        ratio = "" if r.ratio is None else f"{r.ratio:.3g}"
        rows.append((v, r.outcome, ratio, f"{r.seconds:.0f}", r.detail[:90]))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row[:4], widths)) + "  " + row[4]
                     for row in rows)


def answer(plan: Plan, versions: list[str], seen, last_same, first_diff) -> str:
    ran = [seen[v] for v in versions if v in seen and seen[v].ran]
    if not ran:
        return (f"no release in {versions[0]}..{versions[-1]} could run {plan.case_id} "
                "(see the table)")
    base = ran[0]
    if first_diff is None:
        return (f"{plan.case_id}: {base.outcome} on every release tried from {base.version} to "
                f"{last_same} (the oldest and the newest that ran agree)")
    between = [v for v in versions[versions.index(last_same) + 1:versions.index(first_diff)]]
    text = (f"{plan.case_id}: first {seen[first_diff].outcome} on {plan.framework} "
            f"{first_diff} ({base.outcome} on {base.version}"
            + (f" to {last_same}" if last_same != base.version else "") + ")")
    if between:
        text += (f"; releases between them could not run it ({', '.join(between)}), so the "
                 f"change lies in ({last_same}, {first_diff}]")
    return text


# -- command line -----------------------------------------------------------------------------

def add_parser(sub) -> None:
    b = sub.add_parser(
        "bisect", help="find the first release of a framework where a case's outcome changes",
        description="Install each release of FRAMEWORK into a throwaway virtual environment "
                    "(uv when installed, else pip), replay CASE_ID there and binary-search for "
                    "the first release whose outcome differs from the oldest one's. Prints a "
                    "table (release, outcome, ratio) and the answer. Exit 0 when it found the "
                    "release or no change; 1 when no release could run the case; 2 usage error.")
    b.add_argument("case_id", help="e.g. 'relu-jax-float32-cpu-compiled' (a record's case_id)")
    b.add_argument("--framework", required=True, help="the framework the case runs on (its "
                   "adapter's name; third-party ones with --adapter)")
    b.add_argument("--versions", required=True, help="A..B (every release the index lists "
                   "from A to B; A.. or ..B leave an end open) or A,B,C")
    b.add_argument("--example", help='JSON {"dims": {...}, "seed": N} to replay (default: the '
                   "failing example of CASE_ID in --results, else a fresh quick-profile search)")
    b.add_argument("--results", help="a results.json (or its directory) whose record of "
                   "CASE_ID gives the example")
    b.add_argument("--install", action="append", default=[], metavar="REQUIREMENT",
                   help="what one release installs, with {version} (repeatable; default: "
                   "the adapter's package at that version and its released_with requirements, "
                   "e.g. 'jax=={version}' 'jaxlib<={version}')")
    b.add_argument("--package", help="the distribution whose releases are listed (default: "
                   "the adapter's package)")
    b.add_argument("--index-url", help="package index (default: pip's configuration)")
    b.add_argument("--find-links", action="append", default=[], metavar="DIR_OR_URL",
                   help="look for releases here too (repeatable)")
    b.add_argument("--no-index", action="store_true", help="only --find-links")
    b.add_argument("--pre", action="store_true", help="include pre-releases in A..B")
    b.add_argument("--installer", default="auto", help="uv, pip or auto (default: uv when "
                   "installed, else pip)")
    b.add_argument("--adapter", action="append", default=[], metavar="MODULE:CLASS")
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--timeout", type=float, default=900.0,
                   help="seconds per release for installing and for replaying (default: 900)")
    b.add_argument("--keep", help="create the environments under this directory and keep them")
    b.add_argument("--out", help="write the table and the answer as JSON here")


def _example(args) -> dict | None:
    if args.example:
        try:
            example = json.loads(args.example)
            return {"dims": dict(example["dims"]), "seed": int(example["seed"])}
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f'--example must be JSON {{"dims": {{...}}, "seed": N}}: {exc}') from None
    if not args.results:
        return None
    path = Path(args.results)
    path = path / "results.json" if path.is_dir() else path
    try:
        records = json.loads(path.read_text())["cases"]
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(f"--results {args.results}: {exc}") from None
    found = [r for r in records if r.get("case_id") == args.case_id and r.get("example")]
    found.sort(key=lambda r: r.get("status") not in ("fail", "error"))
    if not found:
        raise UsageError(f"--results {args.results}: no record of {args.case_id} with an example")
    return found[0]["example"]


def _requirements(args, adapter) -> tuple[str, list[str]]:
    package = args.package or adapter.package
    if not package:
        raise UsageError(f"{adapter.name}: its adapter names no package; give --package")
    if args.install:
        if not all("{version}" in r for r in args.install):
            raise UsageError("--install takes requirements with {version}, e.g. 'jax=={version}'")
        return package, list(args.install)
    return package, [f"{package}=={{version}}", *getattr(adapter, "released_with", ())]


def cmd_bisect(args) -> int:
    from adapters import BUILTIN, load_adapter

    from conformance.plan.cases import parse_case_id
    from conformance.plan.selection import third_party

    try:
        case = parse_case_id(args.case_id)
        wanted = Wanted.parse(args.versions)
        installer = pick_installer(args.installer)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if case.framework != args.framework:
        raise UsageError(f"{args.case_id} runs on {case.framework}, not --framework {args.framework}")
    target = third_party(args.adapter).get(args.framework) or BUILTIN.get(args.framework)
    if target is None:
        raise UsageError(f"unknown framework {args.framework!r}; valid: {', '.join(BUILTIN)} "
                         "(third-party: --adapter)")
    package, requirements = _requirements(args, load_adapter(target))
    index_options = ([f"--index-url={args.index_url}"] if args.index_url else [])
    index_options += [f"--find-links={f}" for f in args.find_links]
    index_options += ["--no-index"] if args.no_index else []
    pre = args.pre or wanted.wants_pre
    try:
        available = index_versions(package, index_options, pre) if wanted.needs_index else []
    except RuntimeError as exc:
        raise UsageError(str(exc)) from None
    versions = wanted.select(available, pre)
    if len(versions) < 2:
        raise UsageError(f"{args.versions}: {len(versions)} release(s) of {package} in that range "
                         f"(the index lists {', '.join(available[:12]) or 'none'})")
    plan = Plan(args.case_id, args.framework, requirements, index_options, _example(args),
                list(args.adapter), args.seed, installer, pre, args.timeout,
                Path(args.keep) if args.keep else None)
    print(f"bisect {args.case_id}: {len(versions)} releases of {package} "
          f"({versions[0]} .. {versions[-1]}), installer {installer}, installs "
          f"{' '.join(shlex.quote(r) for r in requirements)}", flush=True)

    def run(version: str) -> Release:
        r = evaluate(plan, version, workdir)
        print(f"  {version}: {r.outcome}" + (f" (ratio {r.ratio:.3g})" if r.ratio is not None else "")
              + (f" — {r.detail[:120]}" if r.detail and not r.ran else "") + f" [{r.seconds:.0f} s]",
              flush=True)
        if plan.keep is None:
            import shutil

            shutil.rmtree(workdir / f"env-{version}", ignore_errors=True)
        return r

    with tempfile.TemporaryDirectory(prefix="conformance-bisect-") as tmp:
        workdir = plan.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        seen, last_same, first_diff = search(versions, run)
    text = answer(plan, versions, seen, last_same, first_diff)
    print()
    print(table(versions, seen))
    print()
    print(text)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({
            "schema": "gradient-conformance/bisect/1", "case_id": args.case_id,
            "framework": args.framework, "package": package, "requirements": requirements,
            "installer": installer, "example": plan.example, "versions": versions,
            "releases": [asdict(seen[v]) for v in versions if v in seen],
            "last_same": last_same, "first_different": first_diff, "answer": text}, indent=1,
            default=str) + "\n")
        print(f"written: {out}")
    return 0 if any(r.ran for r in seen.values()) else 1
