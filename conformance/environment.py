"""The environment block of results.json: versions, CPU, threads, devices.

Versions come from package metadata, so describing the environment imports no framework.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata

PACKAGES = {"numpy": ("numpy",), "torch": ("torch",),
            "tensorflow": ("tensorflow-cpu", "tensorflow"), "jax": ("jax",),
            "jaxlib": ("jaxlib",), "flax": ("flax",), "hypothesis": ("hypothesis",)}


def package_version(*dists: str) -> str | None:
    for dist in dists:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def environment(records: list[dict] | None = None) -> dict:
    env = {"python": platform.python_version(), "platform": platform.platform()}
    env.update({name: package_version(*dists) for name, dists in PACKAGES.items()})
    env["cpu"] = cpu_model()
    env["threads"] = threads()
    devices: dict[str, dict] = {}
    for r in records or ():
        d = devices.setdefault(r["device"], {"ran": [], "skipped": {}})
        if r["status"] != "skip":
            if r["framework"] not in d["ran"]:
                d["ran"].append(r["framework"])
        elif r["framework"] not in d["ran"] and ("device" in r["reason"] or "GPU" in r["reason"]
                                                  or "CUDA" in r["reason"]):
            d["skipped"][r["framework"]] = r["reason"]
    for d in devices.values():
        d["skipped"] = {k: v for k, v in d["skipped"].items() if k not in d["ran"]}
    env["devices"] = devices
    precision = precision_modes()
    if precision:
        env["precision"] = precision
    return env


def precision_modes() -> dict:
    """TF32 / matmul precision and determinism flags of the frameworks this process has
    already imported (nothing is imported for it: in an xdist controller, none is)."""
    out: dict[str, dict] = {}
    probes = {"torch": _torch_precision, "tensorflow": _tf_precision, "jax": _jax_precision}
    for name, probe in probes.items():
        if name in sys.modules:
            try:
                out[name] = probe(sys.modules[name])
            except Exception as exc:  # a probe must never break the results file
                out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    if os.environ.get("XLA_FLAGS"):
        out["XLA_FLAGS"] = {"value": os.environ["XLA_FLAGS"]}
    return out


def _torch_precision(torch) -> dict:
    return {"float32_matmul_precision": torch.get_float32_matmul_precision(),
            "cuda.matmul.allow_tf32": bool(torch.backends.cuda.matmul.allow_tf32),
            "cudnn.allow_tf32": bool(torch.backends.cudnn.allow_tf32),
            "deterministic_algorithms": bool(torch.are_deterministic_algorithms_enabled())}


def _tf_precision(tf) -> dict:
    exp = tf.config.experimental
    out = {"tensor_float_32_execution": bool(exp.tensor_float_32_execution_enabled())}
    if hasattr(exp, "is_op_determinism_enabled"):
        out["op_determinism"] = bool(exp.is_op_determinism_enabled())
    return out


def _jax_precision(jax) -> dict:
    return {"jax_default_matmul_precision": str(jax.config.jax_default_matmul_precision),
            "jax_enable_x64": bool(jax.config.jax_enable_x64)}
