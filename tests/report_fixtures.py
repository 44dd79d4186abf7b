"""Synthetic results.json documents and pytest-benchmark JSON for the report, bench and
compare tests: every status and verdict, skips with reasons, findings tables."""

from __future__ import annotations

import random

from conformance.results.records import repro_command
from conformance.specs import BY_NAME
from reports.results import SCHEMA, summary

FRAMEWORKS = ("numpy", "torch", "tensorflow", "jax")
MODULES = (("softmax", ""), ("max_pool2d", "k=2,s=2"), ("relu", "kink"), ("tanh", ""))


def record(module, variant, framework, dtype, check, status="pass", verdict="agree", ratio=0.1,
           reason="", device="cpu", mode="eager", example=None, **extra) -> dict:
    mid = module + (f"[{variant}]" if variant else "")
    case_id = f"{mid}-{framework}-{dtype}-{device}" + ("-compiled" if mode == "compiled" else "")
    example = example if example is not None else (
        None if status == "skip" else {"dims": {"N": 2, "D": 5}, "seed": 17})
    stats = status != "skip" and ratio is not None
    rec = {"module": module, "attrs": ({"variant": variant} if variant else {}), "framework": framework,
           "device": device, "dtype": dtype, "mode": mode, "check": check, "case_id": case_id,
           "status": status, "verdict": None if status == "skip" else verdict, "convention": None,
           "reason": reason, "max_abs_err": ratio * 1e-6 if stats else None,
           "max_rel_err": ratio * 1e-7 if stats else None, "tolerance": 1e-6 if stats else None,
           "ratio": ratio if stats else None, "worst_index": [1, 0] if stats else None,
           "got": 0.5 + ratio * 1e-6 if stats else None, "expected": 0.5 if stats else None,
           "examples": 0 if status == "skip" else 6, "example": example,
           "repro": "" if status == "skip" else repro_command(case_id, example),
           "composed": False, "citations": [f"000_seed.txt, row '{module}'"],
           "family": BY_NAME[module].family if module in BY_NAME else ""}
    rec.update(extra)
    return rec


def small_doc() -> dict:
    """A run with one of everything the report must show."""
    recs = []
    for module, variant in MODULES:
        for fw in FRAMEWORKS:
            for dt in ("float32", "float64"):
                for check in ("forward", "grad:x"):
                    recs.append(record(module, variant, fw, dt, check, ratio=0.02 if dt == "float64" else 0.3))
    recs = [r for r in recs if not (r["module"] == "tanh" and r["framework"] == "jax" and r["dtype"] == "float32")]
    recs += [record("tanh", "", "jax", "float32", "forward", "fail", "unexplained", 12.5,
                    "forward[1, 0]: got 0.5000125, expected 0.5 (ratio 12.5)"),
             record("tanh", "", "jax", "float32", "grad:x", "pass")]
    for r in recs:
        if r["case_id"] == "relu[kink]-tensorflow-float32-cpu":
            r.update(verdict="convention", convention={"grad_at_zero": "right"},
                     reason="follows grad_at_zero=right where the reference's rule is grad_at_zero=left")
        if r["case_id"] == "softmax-torch-float64-cpu" and r["check"] == "grad:x":
            r.update(status="fail", verdict="framework-discrepancy", ratio=3.0, reason="known: TORCH-1")
        if r["case_id"].startswith("max_pool2d[k=2,s=2]-numpy"):
            r.update(status="skip", verdict=None, reason="numpy: no pooling here (planted skip)", ratio=None,
                     repro="", example=None)
    recs.append(record("softmax", "", "torch", "float32", "forward", "error", "unexplained", None,
                       "RuntimeError: planted crash", mode="compiled"))
    return {"schema": SCHEMA, "environment": {"python": "3.11", "torch": "2.13", "cpu": "test CPU", "threads": 2,
                                              "precision": {"torch": {"float32_matmul_precision": "highest"}}},
            "run": {"profile": "quick", "seed": 0}, "summary": summary(recs), "cases": recs,
            "errata": [{"claim": "dL/dx of Sigmoid", "seed": "000_seed.txt", "where": "row 'Sigmoid'",
                        "as_written": "diag(y(1 − y)ᵀ)", "problem": "transpose slip", "corrected": "diag(y(1 − y))",
                        "counterexample": {"x": [0.5], "fd": 0.235}, "evidence": ["tanh-jax-float32-cpu"]}],
            "conventions": [{"probe": "relu_grad_at_zero", "description": "relu'(0)", "reference": 0,
                             "measured": {"torch": 0, "tensorflow": 1, "jax": 0}}],
            "known_discrepancies": [{"id": "TORCH-1", "title": "softmax float64 backward",
                                     "upstream": "pytorch/pytorch#1", "cases": ["softmax-torch-float64-cpu"],
                                     "status": "open"}]}


def big_records(n_cases: int = 5000, seed: int = 0) -> list[dict]:
    """``n_cases`` synthetic cases (2-3 checks each; ~8% failing with long reasons)."""
    rng = random.Random(seed)
    recs = []
    modules = [f"mod{i:03d}" for i in range(n_cases // 32 + 1)]
    i = 0
    for m in modules:
        for fw in FRAMEWORKS:
            for dev in ("cpu", "gpu"):
                for dt in ("float32", "float64"):
                    for mode in ("eager", "compiled"):
                        if i >= n_cases:
                            return recs
                        i += 1
                        checks = ["forward", "grad:x"] + (["grad:w"] if rng.random() < 0.5 else [])
                        skip = dev == "gpu" and rng.random() < 0.5
                        for check in checks:
                            ex = {"dims": {"N": rng.randint(1, 3), "D": rng.randint(1, 16)},
                                  "seed": rng.randint(0, 2**32 - 1)}
                            if skip:
                                recs.append(record(m, "", fw, dt, check, "skip", device=dev, mode=mode,
                                                   reason=f"{fw}: no CUDA device (CPU-only build)"))
                            elif rng.random() < 0.08:
                                r = rng.uniform(1.5, 1e4)
                                recs.append(record(m, "", fw, dt, check, "fail", "unexplained", r,
                                                   f"{check}[1, 3]: got {rng.random()!r}, expected {rng.random()!r} "
                                                   f"(abs err {r:.3g}, rel err {r:.3g}, tolerance 1e-06, ratio {r:.3g})",
                                                   device=dev, mode=mode, example=ex))
                            else:
                                recs.append(record(m, "", fw, dt, check, ratio=rng.random(), device=dev,
                                                   mode=mode, example=ex))
    return recs


def bench_doc(scale: float = 1.0, frameworks=("numpy", "torch")) -> dict:
    """A pytest-benchmark document shaped like conformance/bench's output."""
    rows = []

    def row(bid, kind, module, fw, mode, pass_, median, flops=None, elements=1000, dims=None):
        rows.append({"name": f"test_bench[{bid}]", "fullname": f"x::test_bench[{bid}]",
                     "group": module, "params": {"bench_id": bid}, "param": bid,
                     "extra_info": {"bench_id": bid, "kind": kind, "module": module, "module_id": module,
                                    "framework": fw, "device": "cpu", "dtype": "float32", "mode": mode,
                                    "pass": pass_, "flops": flops, "elements": elements,
                                    "shapes": {"x": [4, 8]}, "dims": dims or {}, "compile_s": 0.5 if mode == "compiled" else None,
                                    "threads": {"requested": 2, "actual": 2}, "version": "1.0",
                                    "precision": {}},
                     "stats": {"median": median * scale, "q1": 0.9 * median * scale, "q3": 1.1 * median * scale,
                               "iqr": 0.2 * median * scale, "rounds": 10, "iterations": 3,
                               "min": 0.8 * median * scale, "mean": median * scale}})
    for fw in frameworks:
        for mode in (("eager",) if fw == "numpy" else ("eager", "compiled")):
            for p, t in (("forward", 1e-3), ("forward+vjp", 3e-3)):
                tail = "-compiled" if mode == "compiled" else ""
                row(f"linear-{fw}-float32-cpu{tail}:{p}", "module", "linear", fw, mode, p, t,
                    flops=2e6 * (3 if p == "forward+vjp" else 1))
        for n in (256, 1024, 4096):
            row(f"softmax@D={n}-{fw}-float32-cpu:forward+vjp", "scaling", "softmax", fw, "eager",
                "forward+vjp", n * 1e-7, elements=n * 64, dims={"D": n})
        row(f"gemm@1024-{fw}-float32-cpu:forward", "gemm", "gemm", fw, "eager", "forward", 0.05, flops=2 * 1024**3)
    return {"machine_info": {"cpu": {"brand_raw": "test CPU"}}, "benchmarks": rows, "datetime": "now",
            "version": "5", "conformance": {"threads": 2, "cpu_count": 2, "loadavg_after": [0.1, 0.1, 0.1]}}


def default_like_doc(n_cases: int = 6000) -> dict:
    """A run of a default run's size on a machine without a GPU: every GPU case a skip
    (what the report hides as absent columns), ~8% of the CPU checks failing."""
    recs = big_records(n_cases)
    for r in recs:
        if r["device"] == "gpu":
            r.update(status="skip", verdict=None, reason=f"{r['framework']}: no CUDA device (CPU-only build)",
                     ratio=None, repro="", example=None)
    doc = small_doc()
    return {**doc, "cases": recs, "summary": summary(recs)}
