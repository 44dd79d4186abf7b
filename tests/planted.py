"""Third-party adapters with planted faults, loaded through the public adapter protocol
(``--adapter tests.planted:Class``). They wrap the NumPy reference adapter, so the tests
that use them need no framework."""

from __future__ import annotations

import numpy as np

from adapters.base import VjpResult
from adapters.numpy import NumpyAdapter


class PlantedTanh(NumpyAdapter):
    """tanh's backward is off by 0.05% where |x| > 1, and only there."""

    name = "planted-tanh"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        result = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module == "tanh":
            x = np.asarray(args[0])
            g = result.grads["x"]
            result.grads["x"] = np.where(np.abs(x) > 1, g * 1.0005, g).astype(g.dtype)
        return result


class Crashing(NumpyAdapter):
    """Raises inside softmax (a framework crash); everything else is correct."""

    name = "crashing"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        if module == "softmax":
            raise RuntimeError("planted crash inside softmax")
        return super().vjp(module, args, names, wrt, cotangent, attrs, **kw)


class FirstTieSplit(NumpyAdapter):
    """Routes max's gradient to the first maximal element: a convention, not a bug."""

    name = "first-tie"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        if module != "max":
            return super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        x = np.asarray(args[0])
        first = np.argmax(x, axis=-1)
        g = np.zeros_like(x)
        np.put_along_axis(g, first[..., None], cotangent[..., None], axis=-1)
        return VjpResult(x.max(axis=-1), {"x": g})


class NaNGrad(NumpyAdapter):
    """Returns NaN in one gradient element of sigmoid: non-finite is never a pass."""

    name = "nan-grad"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        result = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module == "sigmoid":
            result.grads["x"] = result.grads["x"].copy()
            result.grads["x"].flat[0] = np.nan
        return result


class Honest(NumpyAdapter):
    """A correct second "framework" (the references under another name): the independent
    witness that lets a planted fault be attributed to the framework that has it."""

    name = "honest"
    package = None
