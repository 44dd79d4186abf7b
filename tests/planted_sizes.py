"""Planted faults that show only under a condition: a size, a vector tail, a batch, a dtype,
an attribute value, a cotangent's sign, a time step. Third-party adapters (the NumPy
references, each wrong in one module's gradient and only there), loadable with
``--adapter tests.planted_sizes:Class``. Each class says which (case, check) records the
quick profile must fail (``EXPECTED``, checked by tests/test_planted_sizes.py); every other
record of the module must pass.
"""

from __future__ import annotations

import numpy as np

from adapters.numpy import NumpyAdapter

LARGE = "large"  # EXPECTED in the dtype the quick profile runs the variant's large shapes in


class _Conditional(NumpyAdapter):
    """Wraps one module's VJP; ``plant(result, args, names, cotangent, attrs, dtype)``
    edits the result in place."""

    package = None
    module = ""
    # (module variant id, check) pairs that must fail, in both dtypes unless ``dtypes``;
    # ``LARGE``: in the one dtype the quick profile runs that variant's large shapes in.
    EXPECTED: tuple[tuple[str, str], ...] = ()
    dtypes: tuple[str, ...] | str = ("float32", "float64")

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        result = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module == self.module:
            result.grads = {k: np.array(v) for k, v in result.grads.items()}
            self.plant(result, dict(zip(names, args)), cotangent, attrs, kw["dtype"])
        return result

    def plant(self, result, args, cotangent, attrs, dtype):
        raise NotImplementedError


def _scaled(g, where, factor):
    return np.where(where, g * factor, g).astype(g.dtype)


class AboveGrain(_Conditional):
    """softmax's gradient is off by 1e-4 (relative) once the input has more than 32,768
    elements, as a parallel reduction path with a wrong partial-sum merge would be."""

    name, module = "above-grain", "softmax"
    EXPECTED = (("softmax", "grad:x"),)
    dtypes = LARGE

    def plant(self, result, args, cotangent, attrs, dtype):
        if args["x"].size > 32768:
            result.grads["x"] = (result.grads["x"] * (1 + 1e-4)).astype(dtype)


class VectorTail(_Conditional):
    """sigmoid's gradient is off by 1e-4 on the scalar tail of a 64-lane vector loop: the
    last n − 64·⌊n/64⌋ elements of every row longer than 64 (rows up to 64 are right)."""

    name, module = "vector-tail", "sigmoid"
    EXPECTED = (("sigmoid", "grad:x"),)
    dtypes = LARGE

    def plant(self, result, args, cotangent, attrs, dtype):
        g = result.grads["x"]
        n = g.shape[-1]
        if n > 64:
            tail = np.arange(n) >= 64 * (n // 64)
            result.grads["x"] = _scaled(g, np.broadcast_to(tail, g.shape), 1 + 1e-4)


class BatchAbove1(_Conditional):
    """linear's weight gradient drops the last sample of the batch (a loop bound off by
    one): right for a batch of one, wrong for every larger batch."""

    name, module = "batch-above-1", "linear"
    EXPECTED = (("linear", "grad:w"),)

    def plant(self, result, args, cotangent, attrs, dtype):
        x, g = np.asarray(args["x"], np.float64), np.asarray(cotangent, np.float64)
        if x.shape[0] > 1:
            result.grads["w"] = (g[:-1].T @ x[:-1]).astype(dtype)


class BatchAbove64(_Conditional):
    """batch_norm's γ gradient counts the samples past the 64th twice (a blocked reduction
    over the batch whose last block is merged twice): only a batch past 64 shows it, which
    the quick profile draws in one of the two variants (the other runs the channels class)."""

    name, module = "batch-above-64", "batch_norm"
    EXPECTED = (("batch_norm[eps=1e-5]", "grad:gamma"),)
    dtypes = LARGE

    def plant(self, result, args, cotangent, attrs, dtype):
        x = np.asarray(args["x"], np.float64)
        if x.shape[0] <= 64:
            return
        g = np.asarray(cotangent, np.float64)
        axes = (0, 2, 3)
        mu = x.mean(axis=axes, keepdims=True)
        xhat = (x - mu) / np.sqrt(x.var(axis=axes, keepdims=True) + attrs["eps"])
        extra = (g[64:] * xhat[64:]).sum(axis=axes)
        result.grads["gamma"] = (result.grads["gamma"] + extra).astype(dtype)


class Float32Only(_Conditional):
    """softplus's gradient is off by 1e-5 (84 float32 ulps) in float32 only, as a float32
    kernel with a too-short polynomial would be; float64 is right."""

    name, module = "float32-only", "softplus"
    EXPECTED = (("softplus", "grad:x"),)
    dtypes = ("float32",)

    def plant(self, result, args, cotangent, attrs, dtype):
        if dtype == "float32":
            result.grads["x"] = (result.grads["x"] * (1 + 1e-5)).astype(dtype)


class AttributeValue(_Conditional):
    """elu's gradient for x < 0 uses α = 1 whatever α is (y + 1 instead of y + α): right for
    the default α = 1, wrong for α = 0.5."""

    name, module = "attribute-value", "elu"
    EXPECTED = (("elu[alpha=0.5]", "grad:x"), ("elu[kink,alpha=0.5]", "grad:x"))

    def plant(self, result, args, cotangent, attrs, dtype):
        alpha = attrs.get("alpha", 1.0)
        if alpha != 1.0:
            x, g = np.asarray(args["x"], np.float64), np.asarray(cotangent, np.float64)
            y = alpha * np.expm1(np.minimum(x, 0))
            result.grads["x"] = np.where(x < 0, g * (y + 1.0), result.grads["x"]).astype(dtype)


class NegativeCotangent(_Conditional):
    """multiply's gradient for ``a`` is off by 1e-5 where the cotangent is negative (a sign
    branch in a fused kernel); ``b``'s gradient is right."""

    name, module = "negative-cotangent", "multiply"
    EXPECTED = (("multiply", "grad:a"),)

    def plant(self, result, args, cotangent, attrs, dtype):
        result.grads["a"] = _scaled(result.grads["a"], np.asarray(cotangent) < 0, 1 + 1e-5)


class AfterFirstStep(_Conditional):
    """simple_rnn's input gradient is off by 1e-4 at every step after the first (the carry
    through the recurrence is mis-scaled); a one-step sequence is right."""

    name, module = "after-first-step", "simple_rnn"
    EXPECTED = (("simple_rnn", "grad:x"),)

    def plant(self, result, args, cotangent, attrs, dtype):
        g = result.grads["x"]
        later = (np.arange(g.shape[0]) >= 1)[:, None, None]
        result.grads["x"] = _scaled(g, np.broadcast_to(later, g.shape), 1 + 1e-4)


CORPUS = (AboveGrain, VectorTail, BatchAbove1, BatchAbove64, Float32Only, AttributeValue,
          NegativeCotangent, AfterFirstStep)
