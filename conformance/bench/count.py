"""Instructions per call, counted under callgrind (``callgrind.py``): one counting process
per framework, single-threaded, module rows in eager mode at the small ``COUNT`` shapes.

The driver (:func:`count_instructions`) starts ``valgrind ... python -m
conformance.bench.count ARGS`` with one thread everywhere and ``PYTHONHASHSEED=0``; the
child (:func:`main`) prepares each row with the framework's benchmark worker exactly as the
timing worker does, warms it up uninstrumented, then counts N, 2N and 3N calls. Rows keep
the timed rows' ids, so ``compare --metric instructions`` matches them across runs.
Cost: Valgrind's base slow-down while the framework imports (no instrumentation then),
about 50x on the 6N counted calls per row (N calls: ~10 million instructions).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conformance.bench import callgrind

CHILD = "conformance.bench.count"
# N per row: enough calls for ~10 million instructions (a probe call is counted first):
# one call of a hundred thousand instructions is a region whose allocator and cache state
# move its count by a percent or two; at most 50 calls.
REGION_INSTRUCTIONS = 10_000_000
MAX_CALLS = 50


def count_cases(*, framework: str, modules, dtypes, passes) -> list:
    """The rows counted: module rows, eager, CPU, at ``count_dims``."""
    from conformance.specs import BY_NAME
    from conformance.bench.cases import expand
    from conformance.bench.shapes import count_dims

    out = []
    for bc in expand(modules=modules, framework=framework, devices=["cpu"], dtypes=dtypes, modes=["eager"],
                     passes=passes, scaling=False, gemm=False):
        spec = BY_NAME[bc.module]
        out.append(dataclasses.replace(bc, dims=count_dims(spec, spec.variant(bc.variant))))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog=f"python -m {CHILD}")
    p.add_argument("--framework", required=True)
    p.add_argument("--timing", default="", help="a worker class 'package.module:Class' (default: the framework's)")
    p.add_argument("--modules", required=True)
    p.add_argument("--dtypes", default="float32")
    p.add_argument("--passes", default="forward,forward+vjp")
    p.add_argument("--dumps", required=True, help="callgrind's output directory (the probe reads it)")
    p.add_argument("--out", required=True, help="JSON: {bench_id: {dims, skip}}")
    a = p.parse_args(argv)

    from adapters.timing import timing

    from conformance.bench.work import work_for

    worker = timing(a.timing or a.framework)
    threads = worker.setup_threads(1)
    requests = callgrind.ClientRequests()
    rows: dict = {"_": {"on_valgrind": requests.on_valgrind(), "threads": threads}}
    for bc in count_cases(framework=a.framework, modules=a.modules.split(","), dtypes=a.dtypes.split(","),
                          passes=a.passes.split(",")):
        row = rows[bc.id] = {"dims": dict(bc.dims)}
        reason = worker.skip_reason(bc)
        if reason:
            row["skip"] = reason
            continue
        try:
            prepared = worker.prepare(bc, work_for(bc))
        except Exception as exc:  # a row the worker cannot build: recorded, the others go on
            row["skip"] = f"{type(exc).__name__}: {str(exc)[:300]}"
            continue
        one = callgrind.probe(requests, prepared.call, prepared.sync, Path(a.dumps))
        n = max(1, min(MAX_CALLS, round(REGION_INSTRUCTIONS / one))) if one else 1
        callgrind.count_calls(requests, bc.id, prepared.call, prepared.sync, n=n)
    Path(a.out).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


def count_instructions(*, framework: str, modules, dtypes=("float32",), passes=("forward", "forward+vjp"),
                       timing: str | None = None, python: str | None = None, log=print,
                       timeout: float = 1800) -> dict:
    """Run the counting child under callgrind; returns ``{bench_id: {"per_call", "jitter",
    "calls", "regions", "dims"}}`` (a skipped row: ``{"skip": reason}``), plus
    ``"_": {...}`` describing the count (or why none was made)."""
    from conformance.bench.workers import ROOT, _worker_env

    why = callgrind.supported()
    if why:
        log(f"  {framework:<11} instructions not counted: {why}")
        return {"_": {"unavailable": why}}
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="cg-") as tmp:
        rows_path = Path(tmp) / "rows.json"
        argv = [callgrind.valgrind(), *callgrind.VALGRIND_ARGS, f"--callgrind-out-file={tmp}/cg.out",
                python or sys.executable, "-m", CHILD, f"--framework={framework}",
                f"--modules={','.join(modules)}", f"--dtypes={','.join(dtypes)}",
                f"--passes={','.join(passes)}", f"--out={rows_path}", f"--dumps={tmp}"] + ([f"--timing={timing}"] if timing else [])
        env = _worker_env(1)
        env["PYTHONHASHSEED"] = "0"
        proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0 or not rows_path.exists():
            log(f"  {framework:<11} instruction count failed (exit {proc.returncode}): {proc.stderr[-1500:]}")
            return {"_": {"failed": f"exit {proc.returncode}", "stderr": proc.stderr[-1500:]}}
        rows = json.loads(rows_path.read_text(encoding="utf-8"))
        counts = callgrind.read_dumps(sorted(Path(tmp).glob("cg.out.*")))
    for bid, row in rows.items():
        if bid != "_" and "skip" not in row:
            row.update(callgrind.per_call(counts.get(bid, {})) or {"skip": "no callgrind dump for this row"})
    rows["_"].update(wall_s=round(time.time() - t0, 1), tool="valgrind --tool=callgrind")
    log(f"  {framework:<11} instructions counted for {sum('per_call' in r for r in rows.values())} rows "
        f"[{rows['_']['wall_s']:.0f} s]")
    return rows


if __name__ == "__main__":
    sys.exit(main())
