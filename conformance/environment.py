"""The environment block of results.json: versions, CPU, threads, devices.

Versions come from package metadata, so describing the environment imports no framework.
"""

from __future__ import annotations

import os
import platform
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
    return env
