"""Planted attention faults in third-party adapters (wrapping the NumPy reference adapter),
loaded with ``--adapter tests.planted_attention:Class``: conditional faults that a correct
run must catch exactly where they act."""

from __future__ import annotations

import numpy as np

from adapters.numpy import NumpyAdapter

SDPA = "scaled_dot_product_attention"


class PlainSoftmaxRows(NumpyAdapter):
    """A plain softmax over −inf-masked logits: a fully masked row is 0/0 = NaN, and the
    NaN spreads as autodiff would carry it — the whole row of dQ, every dK and dV (through
    Pᵀ dY and dSᵀ Q). Rows with a live key are exact."""

    name = "plain-softmax-rows"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        result = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module != SDPA or not attrs.get("masked"):
            return result
        mask = np.asarray(dict(zip(names, args))["mask"]) != 0
        dead = ~mask.any(axis=-1)  # (N, 1, Tq)
        if not dead.any():
            return result
        out = np.array(result.output)
        out[np.broadcast_to(dead, out.shape[:-1])] = np.nan
        result.output = out
        for name in ("k", "v"):
            result.grads[name] = np.full_like(result.grads[name], np.nan)
        dq = np.array(result.grads["q"])
        dq[np.broadcast_to(dead, dq.shape[:-1])] = np.nan
        result.grads["q"] = dq
        return result


class UnscaledCausalKeys(NumpyAdapter):
    """dK misses the 1/√d scale, only under a causal mask (and only where d ≠ 1)."""

    name = "unscaled-causal-keys"
    package = None

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        result = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module == SDPA and attrs.get("causal"):
            d = np.shape(dict(zip(names, args))["q"])[-1]
            g = result.grads["k"]
            result.grads["k"] = (g * np.sqrt(d)).astype(g.dtype)
        return result
