"""Planted adapters that kill the process the way a framework's native code does (an
``abort()`` from a failed C++ check, a segfault, the out-of-memory killer). They wrap the
NumPy reference adapter, so the tests that use them need no framework, and they kill the
process only on one narrow condition, so that the other cases must still be recorded."""

from __future__ import annotations

import os
import signal

import numpy as np

from adapters.numpy import NumpyAdapter


def _hit(module, args, kw) -> bool:
    """softmax, float32, and only when a row is at least 3 wide."""
    return module == "softmax" and kw.get("dtype") == "float32" and np.shape(args[0])[-1] >= 3


class Aborting(NumpyAdapter):
    """``os.abort()`` (SIGABRT, as a failed XLA or TensorFlow check does) inside float32
    softmax on rows of 3 or more; everything else is the references, correct."""

    name = "aborting"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        if _hit(module, args, kw):
            os.abort()
        return super().vjp(module, args, names, wrt, cotangent, attrs, **kw)


class AbortingWithRoutes(Aborting):
    """``Aborting``, declaring a forward-mode route (never reached: the first-order phase
    aborts), so that the crash must stand for the derivative checks too."""

    name = "aborting-routes"
    DERIVATIVE_ROUTES = {"jvp": ("planted_jvp",)}


class Killed(NumpyAdapter):
    """SIGKILL (what the out-of-memory killer sends: no handler runs, no fatal-error
    report) at the same place."""

    name = "killed"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        if _hit(module, args, kw):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
