"""The environment block of results.json: versions, CPU, threads, devices.

Versions come from package metadata, so describing the environment imports no framework;
the frameworks are the adapter registry's (``adapters.BUILTIN``), each adapter naming its
distributions and reading its own flags (``adapters/<framework>/runtime.py``).
"""

from __future__ import annotations

import os
import platform
from importlib import metadata

TOOLS = ("hypothesis",)  # the suite's own dependencies whose versions matter for a replay


def _builtin_adapters() -> list:
    from adapters import frameworks, load_adapter

    return [load_adapter(name) for name in frameworks()]


def versions() -> dict[str, str | None]:
    """Each built-in framework's version and its companions' (e.g. a compiler library),
    then the tools'."""
    out: dict[str, str | None] = {}
    for adapter in _builtin_adapters():
        out[adapter.name] = adapter.version()
        out.update({dist: package_version(dist) for dist in adapter.companions})
    out.update({dist: package_version(dist) for dist in TOOLS})
    return out


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
    env.update(versions())
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
    for adapter in _builtin_adapters():
        try:
            flags = adapter.runtime_flags()
        except Exception as exc:  # a probe must never break the results file
            flags = {"error": f"{type(exc).__name__}: {exc}"}
        if flags is not None:
            out[adapter.name] = flags
    if os.environ.get("XLA_FLAGS"):
        out["XLA_FLAGS"] = {"value": os.environ["XLA_FLAGS"]}
    return out

