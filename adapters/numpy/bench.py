"""NumPy: the float64 references themselves (``references``), eager only.

Thread count: NumPy's BLAS reads ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` /
``MKL_NUM_THREADS`` at import; the bench driver sets them before the worker starts, and
``threadpoolctl`` (when installed) confirms and enforces them.
"""

from __future__ import annotations

import os

import numpy as np

from ..timing import Prepared, Timing


def _noop(_result) -> None:
    return None


class NumpyTiming(Timing):
    name = "numpy"

    def setup_threads(self, n: int) -> dict:
        detail = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
        actual = n
        try:
            from threadpoolctl import threadpool_info, threadpool_limits

            threadpool_limits(n)
            pools = threadpool_info()
            detail["blas"] = [{"api": p.get("internal_api"), "threads": p.get("num_threads")} for p in pools]
            actual = max((p.get("num_threads") or 0 for p in pools), default=n) or n
        except ImportError:
            detail["blas"] = "threadpoolctl not installed: set through the environment"
        return {"requested": n, "actual": actual, "detail": detail}

    def prepare(self, bc, work):
        from references import REFERENCES

        ref = REFERENCES[bc.module]
        args, kw = work.args, work.attrs
        if bc.pass_ == "forward":
            return Prepared(lambda: ref.forward(*args, **kw), _noop)
        ct = work.cotangents if work.multiple else work.cotangents[0]

        def call():
            return ref.forward(*args, **kw), ref.vjp(ct, *args, **kw)
        return Prepared(call, _noop)

    def gemm(self, bc, work):
        a, b = work.args
        return Prepared(lambda: np.matmul(a, b), _noop)


TIMING = NumpyTiming
