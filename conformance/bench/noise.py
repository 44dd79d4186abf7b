"""Where does a benchmark row's spread come from? Controlled experiments on the noise
sources of the timing harness:

    python -m conformance.bench.noise [--framework torch] [--modules conv2d,lstm] \\
        [--threads 1,2] [--seconds 6] [--json FILE]

For each thread count and module, one fresh process set up like a benchmark worker
(pinned to the first N CPUs, the framework's thread pools sized before its first op, the
spec table and pytest imported so the heap is a worker's) times the same prepared call
(``adapters/<framework>/bench.py``, forward+VJP, eager) under variants that differ in one
factor each, **interleaved** in short chunks so a drift of the machine's load hits every
variant alike:

* ``gc on`` — the loop as it was (collector on; each collection inside a round timed);
* ``gc off`` — the harness now (full collection first, collector off during rounds);
* ``1 call/round`` and ``10x calls/round`` — round length (the calibration's choice
  is ``gc off``);
* ``sync per call`` — synchronised after every call instead of once per round.

Each variant's median, relative IQR, bootstrap interval, the number of cyclic
collections and the seconds they took per round; plus ``cold``: the first rounds after
preparation without warm-up, against the steady median. Then the same ``gc off`` loop
in a process *not pinned* and with the framework's default thread pools
(``--no-pin-variant`` to skip): pinning and pool sizing as a factor.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from conformance.bench.driver import ROOT, _worker_env, available_cpus

CHILD = "conformance.bench.noise"
_COUNTING = {"on": False}  # collections are logged only while timed rounds run


def _loop(prepared, rounds: int, iterations: int, per_call_sync: bool, gc_on: bool) -> list[float]:
    from conformance.bench.harness import collector_off

    out = []
    ctx = collector_off({}) if not gc_on else None
    if ctx:
        ctx.__enter__()
    try:
        _COUNTING["on"] = True
        for _ in range(rounds):
            t0 = time.perf_counter()
            r = None
            for _ in range(iterations):
                r = prepared.call()
                if per_call_sync:
                    prepared.sync(r)
            prepared.sync(r)
            out.append((time.perf_counter() - t0) / iterations)
    finally:
        _COUNTING["on"] = False
        if ctx:
            ctx.__exit__(None, None, None)
    return out


def child(framework: str, module: str, threads: int, seconds: float, pin: bool, pools: bool) -> dict:
    """Runs inside the experiment process; returns the figures."""
    import pytest  # noqa: F401  (a worker's heap: pytest, the spec table, Hypothesis)

    from adapters.timing import timing

    from conformance.specs import BY_NAME  # noqa: F401
    from conformance.bench.cases import expand
    from conformance.bench.harness import per_call_seconds, plan, QUICK
    from reports.timing_stats import median_ci, rel_iqr

    if pin:
        os.sched_setaffinity(0, available_cpus()[:threads])
    t = timing(framework)
    threads_info = t.setup_threads(threads) if pools else {"requested": threads, "actual": "framework default"}
    bc = expand(modules=[module], framework=framework, devices=["cpu"], dtypes=["float32"], modes=["eager"],
                passes=["forward+vjp"], scaling=False, gemm=False)[0]
    from conformance.bench.work import work_for

    prepared = t.prepare(bc, work_for(bc))
    gc_log: list = []
    gc_t0 = {}

    def cb(phase, info):
        if not _COUNTING["on"]:
            return
        if phase == "start":
            gc_t0["t"] = time.perf_counter()
        else:
            gc_log.append((info.get("generation"), time.perf_counter() - gc_t0.get("t", time.perf_counter())))
    gc.callbacks.append(cb)
    cold = _loop(prepared, 5, 1, False, True)  # first calls, no warm-up
    gc.disable()
    before = gc.get_count()[0]
    for _ in range(20):
        prepared.sync(prepared.call())
    net_objects = (gc.get_count()[0] - before) / 20  # container objects a call leaves behind (gen-0 count)
    gc.enable()
    per_call = per_call_seconds(prepared)
    _, iters = plan(per_call, QUICK)
    variants = {"gc on": (iters, False, True), "gc off": (iters, False, False),
                "1 call/round": (1, False, False), "10x calls/round": (10 * iters, False, False),
                "sync per call": (iters, True, False)}
    if not pools or not pin:
        variants = {"gc off": variants["gc off"]}
    data = {k: [] for k in variants}
    gcs = {k: [0, 0.0] for k in variants}
    chunk = max(0.2, 5 * per_call * iters)
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        for name, (it, per_call_sync, gc_on) in variants.items():
            n = max(1, int(chunk / max(per_call * it, 1e-9)))
            before = len(gc_log)
            data[name] += _loop(prepared, n, it, per_call_sync, gc_on)
            gcs[name][0] += len(gc_log) - before
            gcs[name][1] += sum(d for _, d in gc_log[before:])
    gc.callbacks.remove(cb)
    steady = statistics.median(data["gc off"])
    out = {"module": module, "framework": framework, "threads": threads_info, "pinned": pin,
           "per_call_s": per_call, "iterations": iters, "cold_first_calls_over_steady": [c / steady for c in cold],
           "gc_net_objects_per_call": net_objects, "gc_thresholds": list(gc.get_threshold()),
           "variants": {}}
    for name, d in data.items():
        lo, hi = median_ci(d)
        out["variants"][name] = {"rounds": len(d), "median": statistics.median(d), "rel_iqr": rel_iqr(d),
                                 "ci": [lo, hi], "gc_collections": gcs[name][0],
                                 "gc_s_per_round": gcs[name][1] / max(1, len(d))}
    return out


def run_child(framework, module, threads, seconds, pin=True, pools=True) -> dict:
    argv = [sys.executable, "-m", CHILD, "--child", framework, module, str(threads), str(seconds),
            str(int(pin)), str(int(pools))]
    env = _worker_env(threads)
    if not pools:
        for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env.pop(k, None)
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"experiment process failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _print(r: dict, log=print) -> None:
    base = r["variants"]["gc off"]["median"]
    log(f"{r['module']} · {r['framework']} · threads {r['threads'].get('actual')} · "
        f"{'pinned' if r['pinned'] else 'NOT pinned'} · {r['iterations']} calls/round (calibrated)")
    for name, v in r["variants"].items():
        log(f"  {name:<16} median {v['median'] * 1e3:8.3f} ms ({v['median'] / base:5.3f}× gc off)  "
            f"IQR/median {100 * v['rel_iqr']:5.1f}%  rounds {v['rounds']:4d}  "
            f"gc {v['gc_collections']} collections, {v['gc_s_per_round'] * 1e6:.0f} µs/round")
    log(f"  net container objects per call {r['gc_net_objects_per_call']} (a gen-0 collection every "
        f"{r['gc_thresholds'][0]} net allocations)")
    if r["cold_first_calls_over_steady"]:
        log("  cold first calls / steady median: " + ", ".join(f"{c:.2f}" for c in r["cold_first_calls_over_steady"]))


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--child":
        fw, module, threads, seconds, pin, pools = argv[1:7]
        print(json.dumps(child(fw, module, int(threads), float(seconds), pin == "1", pools == "1")))
        return 0
    from conformance.bench.fidelity import default_modules

    p = argparse.ArgumentParser(prog="python -m " + CHILD, description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--framework", default=None, help="default: the first benchmark framework with a native "
                   "autodiff (the one fidelity uses)")
    p.add_argument("--modules", help="comma-separated (default: fidelity's modules)")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--seconds", type=float, default=6.0, help="per process, all variants together")
    p.add_argument("--no-pin-variant", action="store_true", help="skip the unpinned, default-pool process")
    p.add_argument("--json", help="write the figures here")
    args = p.parse_args(argv)
    from conformance.bench.fidelity import FRAMEWORK

    fw = args.framework or FRAMEWORK
    modules = [m for m in (args.modules or "").split(",") if m] or default_modules()
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"noise experiments: {fw}, {', '.join(modules)}; load average {load} on {os.cpu_count()} CPUs")
    results = []
    for threads in [int(t) for t in args.threads.split(",") if t]:
        for module in modules:
            r = run_child(fw, module, threads, args.seconds)
            _print(r)
            results.append(r)
            if not args.no_pin_variant:
                u = run_child(fw, module, threads, args.seconds / 3, pin=False, pools=False)
                _print(u)
                results.append(u)
    if args.json:
        Path(args.json).write_text(json.dumps({"load": load, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
