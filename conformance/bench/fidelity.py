"""Timing fidelity: does the suite's forward+VJP median agree with an independent
``torch.utils.benchmark.Timer`` measurement at the same thread count?

    python -m conformance.bench.fidelity [--modules conv2d,lstm,tanh] [--threads 1,2] [--repeats 5] [--jax]

For each module (default: conv2d and lstm, else whichever of softmax / max_pool2d exist),
``repeats`` times and at each thread count: (a) the benchmark worker (pytest-benchmark through
``conformance.bench``: torch, eager, forward+vjp, thorough budget) in its own pinned
process; (b) a fresh pinned process timing the same op on the same arrays with
``torch.utils.benchmark.Timer(num_threads=N).blocked_autorange()``, in ABBA order so
that a drift of the machine's load hits both alike. On a shared machine other processes
only ever add time, so the figure of merit is the ratio of the best (lowest) medians,
suite / Timer; the median of the per-pair ratios is printed too. ``--json`` writes the
figures. Exit 1 when a module's ratio of best medians is more than ``--tolerance``
(default 10%) away from 1.

Issue 19's criteria are printed per module and thread count: every *pair* ratio within
``--pair-tolerance`` (default 5%) of 1, and the suite's relative IQR at most
``--iqr-factor`` (default 1.5) times the reference's (median over pairs); ``--strict``
makes them the exit status. ``--jax`` adds the JAX rows: the suite's compiled
forward+VJP against a fresh process timing ``jax.block_until_ready`` of the same jitted
VJP with ``timeit`` (JAX's own recipe: JAX has no timer class).
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

from conformance.bench.driver import ROOT, _worker, _worker_env, available_cpus

FRAMEWORK = "torch"  # the reference timer's framework (its Timer) and the suite rows judged
PREFERRED = ("conv2d", "lstm", "tanh")  # a convolution, a recurrent layer, an elementwise op
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


JAX_CODE = r"""
import json, statistics, sys, timeit
import jax
from conformance.bench.cases import expand
from conformance.bench.work import work_for
from adapters import load_adapter
module, threads, min_run = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
bc = [c for c in expand(modules=[module], framework="jax", devices=["cpu"], dtypes=["float32"],
                        modes=["compiled"], passes=["forward+vjp"], scaling=False, gemm=False)][0]
work = work_for(bc)
op, kw = load_adapter("jax").ops()[module], dict(work.attrs)
arrays = [jax.device_put(a) for a in work.args]
flags = list(work.differentiable)
cts = [jax.device_put(c) for c in work.cotangents]
def loss_vjp(diff, const, ct):
    def f(*d):
        it_d, it_c = iter(d), iter(const)
        out = op(*[next(it_d) if fl else next(it_c) for fl in flags], **kw)
        return tuple(out) if isinstance(out, (tuple, list)) else out
    y, back = jax.vjp(f, *diff)
    return y, back(ct)
diff = tuple(a for a, fl in zip(arrays, flags) if fl)
const = tuple(a for a, fl in zip(arrays, flags) if not fl)
ct = tuple(cts) if work.multiple else cts[0]
g = jax.jit(loss_vjp)
jax.block_until_ready(g(diff, const, ct))
t = timeit.Timer(lambda: jax.block_until_ready(g(diff, const, ct)))
number, _ = t.autorange()  # calls per block: a block lasts >= 0.2 s
number = max(1, number // 10)  # blocks of >= 20 ms, as many as fit in min_run
reps = max(5, int(min_run / max(t.timeit(number), 1e-9)))
times = sorted(x / number for x in t.repeat(repeat=reps, number=number))
q = statistics.quantiles(times, n=4)
print(json.dumps({"median": statistics.median(times), "iqr": q[2] - q[0], "runs": len(times),
                  "per_run": number, "threads": len(__import__("os").sched_getaffinity(0))}))
"""


def suite_median(module: str, threads: int, framework: str = FRAMEWORK, mode: str = "eager") -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.json"
        opts = [f"--cb-modules={module}", "--cb-devices=cpu", "--cb-dtypes=float32", f"--cb-modes={mode}",
                "--cb-passes=forward+vjp", "--cb-no-scaling", "--cb-no-gemm", "--cb-thorough"]
        rc, out = _worker(framework, opts, path, threads, lambda *_: None)
        if rc != 0 or not path.exists():
            raise RuntimeError(f"benchmark worker failed ({rc}):\n{out[-2000:]}")
        b = json.loads(path.read_text())["benchmarks"][0]
        return {"median": b["stats"]["median"], "iqr": b["stats"]["iqr"], "rounds": b["stats"]["rounds"],
                "iterations": b["stats"]["iterations"], "threads": b["extra_info"]["threads"]["actual"],
                "median_ci": b["extra_info"].get("median_ci"), "gc_collections": b["extra_info"].get("gc_collections")}


def timer_median(module: str, threads: int, min_run: float, code: str = TIMER_CODE) -> dict:
    cpus = available_cpus()[:threads]
    proc = subprocess.run([sys.executable, "-c", code, module, str(threads), str(min_run)],
                          cwd=ROOT, env=_worker_env(threads), capture_output=True, text=True,
                          preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    if proc.returncode != 0:
        raise RuntimeError(f"Timer process failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def default_modules() -> list[str]:
    from conformance.specs import BY_NAME

    chosen = [m for m in PREFERRED if m in BY_NAME]
    return chosen or [m for m in FALLBACK if m in BY_NAME][:2]


def measure(modules, threads: int, repeats: int, min_run: float = 2.0, log=print,
            framework: str = FRAMEWORK) -> dict:
    """``framework`` "torch": eager rows against Timer; "jax": compiled rows against
    ``jax.block_until_ready`` of the jitted VJP (``JAX_CODE``)."""
    mode, code, ref = (("compiled", JAX_CODE, "jit+block") if framework == "jax"
                       else ("eager", TIMER_CODE, "Timer"))
    results = {}
    for module in modules:
        pairs = []
        for i in range(repeats):
            if i % 2 == 0:
                s = suite_median(module, threads, framework, mode)
                t = timer_median(module, threads, min_run, code)
            else:
                t = timer_median(module, threads, min_run, code)
                s = suite_median(module, threads, framework, mode)
            iqr_ratio = (s["iqr"] / s["median"]) / (t["iqr"] / t["median"]) if t["iqr"] > 0 else float("inf")
            pairs.append({"suite": s, "timer": t, "ratio": s["median"] / t["median"], "iqr_ratio": iqr_ratio})
            log(f"  {module:<10} {threads}t pair {i + 1}: suite {s['median'] * 1e3:9.3f} ms "
                f"(IQR {100 * s['iqr'] / s['median']:4.1f}%)   {ref} {t['median'] * 1e3:9.3f} ms "
                f"(IQR {100 * t['iqr'] / t['median']:4.1f}%)   ratio {pairs[-1]['ratio']:.3f}")
        best = min(p["suite"]["median"] for p in pairs) / min(p["timer"]["median"] for p in pairs)
        results[module] = {"pairs": pairs, "median_ratio": statistics.median(p["ratio"] for p in pairs),
                           "best_ratio": best, "framework": framework, "mode": mode, "reference": ref,
                           "threads": threads,
                           "pair_ratios": [p["ratio"] for p in pairs],
                           "median_iqr_ratio": statistics.median(p["iqr_ratio"] for p in pairs)}
    return results


def criteria(r: dict, pair_tol: float, iqr_factor: float) -> tuple[bool, str]:
    """Issue 19's bar for one module at one thread count: every pair ratio within
    ``pair_tol`` of 1 and the suite's relative IQR at most ``iqr_factor`` × the reference's."""
    lo, hi = min(r["pair_ratios"]), max(r["pair_ratios"])
    ok_pairs = all(abs(x - 1) <= pair_tol for x in r["pair_ratios"])
    ok_iqr = r["median_iqr_ratio"] <= iqr_factor
    return ok_pairs and ok_iqr, (f"pair ratios {lo:.3f}–{hi:.3f} ({'all' if ok_pairs else 'NOT all'} within "
                                 f"{100 * pair_tol:g}%), IQR suite/{r['reference']} {r['median_iqr_ratio']:.2f} "
                                 f"({'≤' if ok_iqr else 'ABOVE'} {iqr_factor:g})")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance.bench.fidelity", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--modules", help="comma-separated (default: conv2d,lstm where present)")
    p.add_argument("--threads", default="", help="comma-separated thread counts (default: every CPU this "
                   "process may use)")
    p.add_argument("--repeats", type=int, default=4)
    p.add_argument("--jax", action="store_true", help="also the JAX compiled rows against jit + block_until_ready")
    p.add_argument("--pair-tolerance", type=float, default=0.05)
    p.add_argument("--iqr-factor", type=float, default=1.5)
    p.add_argument("--strict", action="store_true", help="exit 1 unless the fidelity criteria hold (README, 'Timings you can compare')")
    p.add_argument("--min-run", type=float, default=2.0, help="Timer.blocked_autorange min_run_time (s)")
    p.add_argument("--tolerance", type=float, default=0.10)
    p.add_argument("--json", help="write the figures to this file")
    args = p.parse_args(argv)
    modules = [m for m in (args.modules or "").split(",") if m] or default_modules()
    thread_counts = [int(t) for t in args.threads.split(",") if t] or [len(available_cpus())]
    ok, strict_ok, everything = True, True, []
    for threads in thread_counts:
        for fw in [FRAMEWORK] + (["jax"] if args.jax else []):
            load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
            print(f"timing fidelity: {fw} {'compiled' if fw == 'jax' else 'eager'} forward+vjp, {threads} "
                  f"threads, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
            results = measure(modules, threads, args.repeats, args.min_run, framework=fw)
            for module, r in results.items():
                good = abs(r["best_ratio"] - 1) <= args.tolerance
                ok &= good
                met, line = criteria(r, args.pair_tolerance, args.iqr_factor)
                strict_ok &= met
                print(f"{module} ({fw}, {threads} threads): best-median ratio suite/{r['reference']} = "
                      f"{r['best_ratio']:.3f} ({'within' if good else 'OUTSIDE'} {100 * args.tolerance:g}%); "
                      f"median of pair ratios {r['median_ratio']:.3f}; {line}")
                everything.append({**r, "module": module, "load": list(load), "criteria_met": met})
    if args.json:
        Path(args.json).write_text(json.dumps({"results": everything}, indent=1))
    return 0 if (strict_ok if args.strict else ok) else 1


if __name__ == "__main__":
    sys.exit(main())
