"""Timing fidelity: does the suite's forward+VJP median agree with an independent
``torch.utils.benchmark.Timer`` measurement at the same thread count?

    python -m conformance.bench.fidelity [--modules conv2d,lstm] [--threads N] [--repeats 3]

For each module (default: conv2d and lstm, else whichever of softmax / max_pool2d exist),
``repeats`` times: (a) the benchmark worker (pytest-benchmark through
``conformance.bench``: torch, eager, forward+vjp, thorough budget) in its own pinned
process; (b) a fresh pinned process timing the same op on the same arrays with
``torch.utils.benchmark.Timer(num_threads=N).blocked_autorange()``, in ABBA order so
that a drift of the machine's load hits both alike. On a shared machine other processes
only ever add time, so the figure of merit is the ratio of the best (lowest) medians,
suite / Timer; the median of the per-pair ratios is printed too. ``--json`` writes the
figures. Exit 1 when a module's ratio of best medians is more than ``--tolerance``
(default 10%) away from 1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .driver import ROOT, _worker, _worker_env, available_cpus

PREFERRED = ("conv2d", "lstm")
FALLBACK = ("softmax", "max_pool2d")

TIMER_CODE = r"""
import json, sys
import torch
from torch.utils import benchmark
from conformance.bench.cases import expand
from conformance.bench.work import work_for
from adapters import load_adapter
module, threads, min_run = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
torch.set_num_threads(threads)
bc = [c for c in expand(modules=[module], framework="torch", devices=["cpu"], dtypes=["float32"],
                        modes=["eager"], passes=["forward+vjp"], scaling=False, gemm=False)][0]
work = work_for(bc)
op, kw = load_adapter("torch").ops()[module], dict(work.attrs)
ts = [torch.tensor(a, requires_grad=d) for a, d in zip(work.args, work.differentiable)]
src = [t for t, d in zip(ts, work.differentiable) if d]
cts = [torch.tensor(c) for c in work.cotangents]
def step():
    out = op(*ts, **kw)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return torch.autograd.grad(outs, src, grad_outputs=cts[:len(outs)], allow_unused=True, materialize_grads=True)
step()
m = benchmark.Timer(stmt="step()", globals={"step": step}, num_threads=threads).blocked_autorange(min_run_time=min_run)
print(json.dumps({"median": m.median, "iqr": m.iqr, "runs": len(m.times), "per_run": m.number_per_run,
                  "threads": torch.get_num_threads()}))
"""


def suite_median(module: str, threads: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.json"
        opts = [f"--cb-modules={module}", "--cb-devices=cpu", "--cb-dtypes=float32", "--cb-modes=eager",
                "--cb-passes=forward+vjp", "--cb-no-scaling", "--cb-no-gemm", "--cb-thorough"]
        rc, out = _worker("torch", opts, path, threads, lambda *_: None)
        if rc != 0 or not path.exists():
            raise RuntimeError(f"benchmark worker failed ({rc}):\n{out[-2000:]}")
        b = json.loads(path.read_text())["benchmarks"][0]
        return {"median": b["stats"]["median"], "iqr": b["stats"]["iqr"], "rounds": b["stats"]["rounds"],
                "iterations": b["stats"]["iterations"], "threads": b["extra_info"]["threads"]["actual"]}


def timer_median(module: str, threads: int, min_run: float) -> dict:
    cpus = available_cpus()[:threads]
    proc = subprocess.run([sys.executable, "-c", TIMER_CODE, module, str(threads), str(min_run)],
                          cwd=ROOT, env=_worker_env(threads), capture_output=True, text=True,
                          preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    if proc.returncode != 0:
        raise RuntimeError(f"Timer process failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def default_modules() -> list[str]:
    from ..specs import BY_NAME

    chosen = [m for m in PREFERRED if m in BY_NAME]
    return chosen or [m for m in FALLBACK if m in BY_NAME][:2]


def measure(modules, threads: int, repeats: int, min_run: float = 2.0, log=print) -> dict:
    results = {}
    for module in modules:
        pairs = []
        for i in range(repeats):
            if i % 2 == 0:
                s = suite_median(module, threads)
                t = timer_median(module, threads, min_run)
            else:
                t = timer_median(module, threads, min_run)
                s = suite_median(module, threads)
            pairs.append({"suite": s, "timer": t, "ratio": s["median"] / t["median"]})
            log(f"  {module:<10} pair {i + 1}: suite {s['median'] * 1e3:9.3f} ms (IQR {s['iqr'] * 1e3:.3f})"
                f"   Timer {t['median'] * 1e3:9.3f} ms (IQR {t['iqr'] * 1e3:.3f})   ratio {pairs[-1]['ratio']:.3f}")
        best = min(p["suite"]["median"] for p in pairs) / min(p["timer"]["median"] for p in pairs)
        results[module] = {"pairs": pairs, "median_ratio": statistics.median(p["ratio"] for p in pairs),
                           "best_ratio": best}
    return results


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance.bench.fidelity", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--modules", help="comma-separated (default: conv2d,lstm where present)")
    p.add_argument("--threads", type=int, default=0, help="default: every CPU this process may use")
    p.add_argument("--repeats", type=int, default=4)
    p.add_argument("--min-run", type=float, default=2.0, help="Timer.blocked_autorange min_run_time (s)")
    p.add_argument("--tolerance", type=float, default=0.10)
    p.add_argument("--json", help="write the figures to this file")
    args = p.parse_args(argv)
    modules = [m for m in (args.modules or "").split(",") if m] or default_modules()
    threads = args.threads or len(available_cpus())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"timing fidelity: torch eager forward+vjp, {threads} threads, load average {load:.2f} "
          f"on {os.cpu_count()} CPUs")
    results = measure(modules, threads, args.repeats, args.min_run)
    ok = True
    for module, r in results.items():
        good = abs(r["best_ratio"] - 1) <= args.tolerance
        ok &= good
        print(f"{module}: best-median ratio suite/Timer = {r['best_ratio']:.3f} "
              f"({'within' if good else 'OUTSIDE'} {100 * args.tolerance:g}%); "
              f"median of pair ratios {r['median_ratio']:.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"threads": threads, "results": results}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
