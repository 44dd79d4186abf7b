"""What every benchmark worker process shares: the checkout it runs from, the CPUs this
process may use, and the environment that pins its thread count (the driver, the
instruction counter, the fidelity and noise checks all start workers with it)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def available_cpus() -> list[int]:
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return list(range(os.cpu_count() or 1))


def _worker_env(threads: int) -> dict:
    # A worker started from inside an xdist worker (the tool's own tests) must not look
    # like one: pytest-benchmark disables itself when it sees PYTEST_XDIST_WORKER.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT_TEST"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[k] = str(threads)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env
