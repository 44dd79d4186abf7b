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


class FirstTieSplitOff(FirstTieSplit):
    """First-tie routing, with the routed gradient 0.1 % too large in rows that have a tied
    maximum (exact elsewhere): at a tie it fails under every rule, and comes closest to
    tie_rule=first."""

    name = "first-tie-off"

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        res = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module != "max":
            return res
        x = np.asarray(args[0])
        tied = ((x == x.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True) > 1)
        return VjpResult(res.output, {"x": np.where(tied, res.grads["x"] * 1.001, res.grads["x"])})


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


class FakeGpu(NumpyAdapter):
    """The references, pretending to run on a "gpu" too (same arithmetic): exercises the
    GPU code paths (cross-device and determinism checks, precision modes) on a CPU."""

    name = "fake-gpu"
    package = None

    def device_reason(self, device):
        return None

    def vjp(self, module, args, names, wrt, cotangent, attrs, *, device="cpu", **kw):
        return super().vjp(module, args, names, wrt, cotangent, attrs, device="cpu", **kw)

    def tf32_active(self, device):
        return device == "gpu"


class NoisyGpu(FakeGpu):
    """Like FakeGpu, but its "gpu" gradients wobble in the last bit from run to run, as
    atomics-based scatter-adds do: not bitwise reproducible, still within tolerance."""

    name = "noisy-gpu"
    _calls = 0

    def vjp(self, module, args, names, wrt, cotangent, attrs, *, device="cpu", **kw):
        result = super().vjp(module, args, names, wrt, cotangent, attrs, device=device, **kw)
        if device == "gpu":
            NoisyGpu._calls += 1
            for k, g in result.grads.items():
                result.grads[k] = (g * (1 + (NoisyGpu._calls % 2) * np.finfo(g.dtype).eps)).astype(g.dtype)
        return result


RECURRENT = ("simple_rnn", "lstm", "gru", "gru_softmax_ce")


class DroppedH0Grad(NumpyAdapter):
    """A BPTT that stops at step 1: the gradient flowing into the initial state h0 is lost
    (returned as zeros); everything else, c0 included, is right."""

    name = "dropped-h0"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        result = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module in RECURRENT and "h0" in result.grads:
            result.grads["h0"] = np.zeros_like(result.grads["h0"])
        return result


class SwappedGates(NumpyAdapter):
    """Two gates swapped in packed weights, the classic gate-order mix-up:

    * lstm: the gradient of the packed input weight (4H, I) is unpacked with the i and f
      blocks swapped (the forward is right), so exactly grad:U_i and grad:U_f are wrong;
    * gru: the packed weights are built in torch's order r, z, n but read in Keras' z, r, h,
      so the forward runs with r and z swapped (and autodiff maps the gradients back through
      the same wrong packing): every gru check is wrong.
    """

    name = "swapped-gates"
    package = None
    GRU_SWAP = {"W_r": "W_z", "W_z": "W_r", "U_r": "U_z", "U_z": "U_r", "b_r": "b_z", "b_z": "b_r"}

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        if module == "gru":
            by_name = dict(zip(names, args))
            swapped = [by_name[self.GRU_SWAP.get(n, n)] for n in names]
            result = super().vjp(module, swapped, names, wrt, cotangent, attrs, **kw)
            result.grads = {n: result.grads[self.GRU_SWAP.get(n, n)] for n in result.grads}
            return result
        result = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module == "lstm":
            g = result.grads
            g["U_i"], g["U_f"] = g["U_f"], g["U_i"]
        return result


def float32_softmax_grad(x, g, sum_error=0.0):
    """000 row 'Softmax' evaluated in float32 (dL/dx = s − y Σ s, s = g ⊙ y), the row sum
    accumulated left to right; ``sum_error`` plants a relative error in that sum (a
    subtle, conditional fault: it only shows where s − y Σ s cancels)."""
    x, g = np.asarray(x, np.float32), np.asarray(g, np.float32)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    y = (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)
    s = (g * y).astype(np.float32)
    total = np.zeros(s.shape[:-1] + (1,), np.float32)
    for j in range(s.shape[-1]):
        total = (total + s[..., j:j + 1]).astype(np.float32)
    total = (total * np.float32(1 + sum_error)).astype(np.float32)
    return (s - y * total).astype(np.float32)


class Float32Softmax(NumpyAdapter):
    """softmax's backward evaluated honestly in float32 by the document's formula:
    rounding only, never a fault."""

    name = "float32-softmax"
    package = None
    sum_error = 0.0

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        result = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module == "softmax" and kw.get("dtype") == "float32":
            result.grads["x"] = float32_softmax_grad(args[0], cotangent, self.sum_error)
        return result


class Float32SoftmaxWrongSum(Float32Softmax):
    """The same, with the row sum off by 1e-4 relative: it shows only where s − y Σ s
    cancels (a subtle, conditional fault)."""

    name = "float32-softmax-wrong-sum"
    sum_error = 1e-4
