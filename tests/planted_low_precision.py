"""Low-precision adapters with and without a planted accumulation fault, built on the NumPy
references (no framework needed): ``--adapter tests.planted_low_precision:Class``."""

from __future__ import annotations

import numpy as np

from adapters.base import LOW_PRECISION, VjpResult
from adapters.common import numpy_dtype
from adapters.numpy import NumpyAdapter


def _round(value, dtype):
    if isinstance(value, tuple):
        return tuple(_round(v, dtype) for v in value)
    return np.asarray(value, dtype=np.float64).astype(numpy_dtype(dtype))


class Float32Accumulation(NumpyAdapter):
    """bfloat16/float16 storage, float32 arithmetic: the references in float32 on the
    rounded inputs, every output and gradient rounded once to the dtype. It keeps the
    float32-accumulation model, so every case it runs must pass."""

    name = "lp-float32-acc"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, *, dtype, device="cpu",
            mode="eager", seed=0):
        if dtype not in LOW_PRECISION:
            return super().vjp(module, args, names, wrt, cotangent, attrs, dtype=dtype,
                               device=device, mode=mode, seed=seed)
        res = super().vjp(module, [np.asarray(a, dtype=np.float32) for a in args], names, wrt,
                          _round(cotangent, "float32"), attrs, dtype="float32", device=device,
                          mode=mode, seed=seed)
        res = VjpResult(_round(res.output, dtype), {k: _round(v, dtype) for k, v in res.grads.items()})
        return self.fault(module, args, res, dtype)

    def fault(self, module, args, result, dtype):
        return result


def running_sum(x, dtype):
    """Σ over the last axis with the accumulator rounded to ``dtype`` after every addition."""
    x = np.asarray(x, dtype=np.float64)
    acc = np.zeros(x.shape[:-1], dtype=numpy_dtype(dtype))
    for i in range(x.shape[-1]):
        acc = (acc.astype(np.float32) + x[..., i].astype(np.float32)).astype(numpy_dtype(dtype))
    return acc


class Bfloat16RunningSum(Float32Accumulation):
    """The planted fault: in bfloat16 only, ``sum`` and the softmax normaliser keep their
    running sum in bfloat16 (as a kernel without a float32 accumulator does). Short rows
    barely notice; a row of 512 values near 1 stalls at 256."""

    name = "lp-bf16-running-sum"

    def fault(self, module, args, result, dtype):
        if dtype != "bfloat16" or module not in ("sum", "softmax"):
            return result
        x = np.asarray(args[0], dtype=np.float64)
        if module == "sum":
            return VjpResult(running_sum(x, dtype), result.grads)
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        total = running_sum(e, dtype).astype(np.float64)[..., None]
        return VjpResult(_round(e / total, dtype), result.grads)


def _stored_rounding(dtype):
    """The hook of a framework that stores every intermediate in ``dtype``: computed in
    float32, kept rounded to the dtype (``references._stored``)."""
    np_dtype = numpy_dtype(dtype)

    def hook(z):
        return np.asarray(z, dtype=np.float32).astype(np_dtype).astype(np.float64)
    return hook


class StoredRounding(Float32Accumulation):
    """A composed low-precision framework, exactly as the error model describes one: the
    references run with every tensor their formula stores rounded to the dtype (float32
    arithmetic per step, float32 accumulation), and the results rounded once more. Every
    case it runs must pass; without the stored tensors' term (``LowPrecision``) some of the
    recurrent ones fail (tests/test_stored_roundings.py)."""

    name = "lp-stored"

    def vjp(self, module, args, names, wrt, cotangent, attrs, *, dtype, device="cpu",
            mode="eager", seed=0):
        if dtype not in LOW_PRECISION:
            return super().vjp(module, args, names, wrt, cotangent, attrs, dtype=dtype,
                               device=device, mode=mode, seed=seed)
        from references._stored import storing

        with storing(_stored_rounding(dtype)):
            res = NumpyAdapter.vjp(self, module, [np.asarray(a, dtype=np.float64) for a in args],
                                   names, wrt, _round(cotangent, "float64"), attrs,
                                   dtype="float64", device=device, mode=mode, seed=seed)
        res = VjpResult(_round(res.output, dtype), {k: _round(v, dtype) for k, v in res.grads.items()})
        return self.fault(module, args, res, dtype)


class StoredRoundingLastStepOnly(StoredRounding):
    """The planted fault: a composed low-precision recurrence whose input-weight gradients
    (U_*) keep only the last time step's term when T >= 2 (a BPTT loop that overwrites its
    accumulator instead of adding to it): at T = 1 it is right, and at T = 2 it loses about
    half of every U gradient, the size of fault the stored tensors' term must not absorb."""

    name = "lp-stored-last-step"

    def vjp(self, module, args, names, wrt, cotangent, attrs, *, dtype, device="cpu",
            mode="eager", seed=0):
        res = super().vjp(module, args, names, wrt, cotangent, attrs, dtype=dtype,
                          device=device, mode=mode, seed=seed)
        x = np.asarray(args[0], dtype=np.float64)
        if dtype not in LOW_PRECISION or module not in ("lstm", "gru") or x.shape[0] < 2:
            return res
        # The last step alone: the same module on the last input step, from the state the
        # first T - 1 steps reach, with the last step's cotangent.
        from references import REFERENCES

        forward, backward = REFERENCES[module]
        arrays = [np.asarray(a, dtype=np.float64) for a in args]
        outs = forward(*([x[:-1]] + arrays[1:]), **attrs)
        state = [outs[1]] + ([outs[2]] if module == "lstm" else [])
        ct = tuple(np.asarray(c, dtype=np.float64) for c in cotangent)
        last_ct = (ct[0][-1:],) + ct[1:]
        pulled = backward(last_ct, *([x[-1:]] + state + arrays[1 + len(state):]), **attrs)
        grads = dict(res.grads)
        for name, grad in zip(names, pulled):
            if name.startswith("U_") and name in grads:
                grads[name] = _round(grad, dtype)
        return VjpResult(res.output, grads)


class InputTypeAttention(Float32Accumulation):
    """The planted fault: in bfloat16 and float16, scaled dot-product attention sums P·V over
    the keys with the accumulator rounded to the input type after every addition (as a
    composed attention built on an input-type einsum does); every other module and dtype
    keeps the float32 model."""

    name = "lp-input-type-attention"

    def fault(self, module, args, result, dtype):
        if module != "scaled_dot_product_attention":
            return result
        q, k, v = (np.asarray(a, dtype=np.float64) for a in args[:3])
        logits = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
        p = np.exp(logits - logits.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        products = p[..., :, :, None] * v[..., None, :, :]  # (..., Tq, Tk, D)
        out = running_sum(np.moveaxis(products, -2, -1), dtype)  # the sum over Tk, in dtype
        return VjpResult(out, result.grads)


class Bfloat16LargeTail(Float32Accumulation):
    """The planted fault: in bfloat16 only, and only once the input has more than 32,768
    elements, linear's input gradient leaves out the K-tail past the 1,024th input feature
    (a blocked bfloat16 GEMM path, taken past a size grain, that drops its last partial
    block). Only the quick profile's large linear shape in bfloat16 (N = 70, I = 1031:
    the low-precision rotation, ``quick_sizes.quick_low_dtype``) shows it; float32,
    float64, float16 and every small bfloat16 shape are right."""

    name = "lp-bf16-large-tail"

    def fault(self, module, args, result, dtype):
        x = np.asarray(args[0])
        if dtype != "bfloat16" or module != "linear" or x.size <= 32768 or x.shape[-1] <= 1024:
            return result
        grads = dict(result.grads)
        g = np.array(grads["x"])
        g[..., 1024:] = 0
        grads["x"] = g
        return VjpResult(result.output, grads)
