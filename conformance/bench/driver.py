"""``python -m conformance bench``: one pytest-benchmark worker process per framework,
merged into one bench.json, rendered into the report.

Each worker is started with the thread-count environment (``OMP_NUM_THREADS``,
``MKL_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``) already set and pinned to the same first
``threads`` CPUs before Python starts, so no framework's pool sees another's and every
framework gets the same CPUs; inside, the framework's own thread API is set before its
first op (``conformance.bench.plugin``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from adapters.timing import bench_frameworks

from conformance.bench.workers import ROOT, _worker_env, available_cpus  # noqa: F401  (re-exported)

TEST_FILE = Path(__file__).with_name("test_bench.py")
FRAMEWORKS = tuple(bench_frameworks())  # the registry's frameworks with a benchmark worker
MODES = ("eager", "compiled")
PASSES = ("forward", "forward+vjp")


def _worker(framework: str, opts: list[str], json_path: Path, threads: int, log,
            python: str | None = None) -> tuple[int, str]:
    cpus = available_cpus()[:threads]
    argv = [python or sys.executable, "-m", "pytest", str(TEST_FILE), "--noconftest", "-p",
            "conformance.bench.plugin", "-p", "no:cacheprovider", "-q", "-rs",
            "-p", "no:xdist", "-W", "ignore::DeprecationWarning", f"--benchmark-json={json_path}",
            "--benchmark-columns=median,iqr,rounds,iterations",
            "--benchmark-sort=name", f"--cb-framework={framework}", f"--cb-threads={threads}", *opts]
    pin = (lambda: os.sched_setaffinity(0, cpus)) if hasattr(os, "sched_setaffinity") else None
    t0 = time.time()
    proc = subprocess.run(argv, cwd=ROOT, env=_worker_env(threads), capture_output=True, text=True,
                          preexec_fn=pin)
    tail = [l for l in proc.stdout.splitlines() if l.strip()][-1:] or ["(no output)"]
    log(f"  {framework:<11} {tail[0]}  [{time.time() - t0:.0f} s]")
    if proc.returncode not in (0, 5):
        log(proc.stdout[-4000:] + proc.stderr[-2000:])
    return proc.returncode, proc.stdout


def merge(parts: list[dict], meta: dict) -> dict:
    """One pytest-benchmark document from the per-framework ones (same format)."""
    doc = {k: v for k, v in (parts[0] if parts else {}).items() if k != "benchmarks"}
    doc["benchmarks"] = [b for p in parts for b in p.get("benchmarks", [])]
    doc["conformance"] = meta
    return doc


def _timing_for(timing, framework: str) -> str | None:
    """``timing`` is one worker class for every framework, or {framework: class}."""
    return timing.get(framework) if isinstance(timing, dict) else timing


def run_bench(*, out, frameworks=None, modules=None, devices=("cpu",), dtypes=("float32",),
              modes=MODES, passes=PASSES, threads=0, scaling=True, gemm=True, thorough=False,
              log=print, timing=None, processes: int = 1, instructions: bool = False,
              interleave: str | None = None) -> tuple[int, Path | None]:
    """Run the benchmarks; write OUT/bench.json and OUT/index.html. Returns (exit code,
    bench.json path).

    ``processes``: fresh worker processes per framework (ABBA order, ``processes.py``);
    each row keeps one median per process for the gate. ``instructions``: also count
    instructions per call under callgrind (``count.py``). ``interleave``: another Python
    interpreter (another environment: other framework versions) whose processes alternate
    with this one's; writes OUT/a (this interpreter) and OUT/b (that one), and returns
    OUT/b's bench.json."""
    from adapters import load_adapter

    from conformance.results.environment import environment
    from conformance.bench.plugin import default_modules
    from conformance.bench.processes import merge_processes, schedule

    out = Path(out)
    sides = {"a": (out / "a", sys.executable), "b": (out / "b", interleave)} if interleave else {"a": (out, None)}
    for d, _ in sides.values():
        d.mkdir(parents=True, exist_ok=True)
    threads = threads or len(available_cpus())
    modules = list(modules or default_modules())
    skipped, skipped_benchmarks, code = {}, {}, 0
    parts: dict = {s: {} for s in sides}  # side -> framework -> [process docs]
    opts = [f"--cb-modules={','.join(modules)}", f"--cb-devices={','.join(devices)}",
            f"--cb-dtypes={','.join(dtypes)}", f"--cb-modes={','.join(modes)}",
            f"--cb-passes={','.join(passes)}"]
    opts += [] if scaling else ["--cb-no-scaling"]
    opts += [] if gemm else ["--cb-no-gemm"]
    opts += ["--cb-thorough"] if thorough else []
    t0 = time.time()
    log(f"benchmarks: {', '.join(modules)} × {', '.join(frameworks or FRAMEWORKS)}; {threads} threads, "
        f"devices {', '.join(devices)}, dtypes {', '.join(dtypes)}, modes {', '.join(modes)}"
        + (f"; {processes} processes each" if processes > 1 else "")
        + (f"; interleaved with {interleave}" if interleave else ""))
    present = []
    for fw in frameworks or FRAMEWORKS:
        if load_adapter(fw).version() is None and not interleave:
            skipped[fw] = f"{fw} is not installed"
            log(f"  {fw:<11} skipped: not installed")
        else:
            present.append(fw)
    for side, fw, k in schedule(present, processes, tuple(sides)):
        d, python = sides[side]
        part, skips = d / f".bench-{fw}-{k}.json", d / f".bench-{fw}-{k}-skips.json"
        extra = [f"--cb-timing={_timing_for(timing, fw)}"] if _timing_for(timing, fw) else []
        rc, _ = _worker(fw, opts + extra + [f"--cb-skips={skips}"], part, threads, log,
                        python=python if side == "b" else None)
        if rc not in (0, 5):
            code = 1
        if part.exists():
            parts[side].setdefault(fw, []).append(json.loads(part.read_text(encoding="utf-8")))
            part.unlink()
        if skips.exists():
            skipped_benchmarks.update(json.loads(skips.read_text(encoding="utf-8")))
            skips.unlink()
    counted: dict = {s: {} for s in sides}
    if instructions:
        from conformance.bench.count import count_instructions

        for fw in present:
            for side, (d, python) in sides.items():
                rows = count_instructions(framework=fw, modules=modules, dtypes=dtypes, passes=passes,
                                          timing=_timing_for(timing, fw), python=python, log=log)
                counted[side]["_" + fw] = rows.pop("_")
                counted[side].update(rows)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    meta = {"threads": threads, "loadavg_after": [round(x, 2) for x in load] if load else None,
            "cpu_count": os.cpu_count(), "cpus": available_cpus()[:threads], "frameworks": list(frameworks or FRAMEWORKS),
            "skipped": skipped,
            "skipped_benchmarks": skipped_benchmarks, "modules": modules, "devices": list(devices), "dtypes": list(dtypes),
            "modes": list(modes), "passes": list(passes), "wall_s": round(time.time() - t0, 1),
            "processes": processes, "environment": environment()}
    path = None
    for side, (d, python) in sides.items():
        docs = [merge_processes(ps) for ps in parts[side].values()]
        side_meta = dict(meta, interleaved={"side": side, "python": python or sys.executable,
                                            "order": "ABBA"} if interleave else None)
        if instructions:
            side_meta["instructions"] = {k: v for k, v in counted[side].items() if not k.startswith("_")}
            side_meta["instruction_counts"] = {k[1:]: v for k, v in counted[side].items() if k.startswith("_")}
        first = [ps[0] for ps in parts[side].values()]
        doc = merge(first, side_meta)
        doc["benchmarks"] = [b for rows in docs for b in rows]
        path = d / "bench.json"
        path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
        log(f"benchmarks: {len(doc['benchmarks'])} rows in {meta['wall_s']} s -> {path}")
    return code, path
