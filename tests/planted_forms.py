"""Planted faults that only a form shows: a non-contiguous input, channels-last memory, a
non-last axis, a normalised dimension of one. Third-party adapters (the NumPy references,
each wrong in one module's gradient under one condition), loadable with ``--adapter
tests.planted_forms:Class``; they see the form the way every adapter does
(``adapters/forms.py``): the NumPy views with the form's strides, ``attrs["axis"]``.
Each class lists the forms whose records the quick profile must fail (``EXPECTED``, checked
by tests/test_planted_forms.py); every other record of the module must pass.
"""

from __future__ import annotations

import numpy as np

from adapters.forms import AXIS, memory_layout
from adapters.numpy import NumpyAdapter


class _FormFault(NumpyAdapter):
    """Wraps one module's VJP; ``plant(result, args, cotangent, attrs)`` edits it."""

    package = None
    module = ""
    check = "grad:x"
    EXPECTED: tuple[str, ...] = ()  # forms whose ``check`` fails (every dtype run)

    def vjp(self, module, args, names, wrt, cotangent, attrs, **kw):
        result = super().vjp(module, args, names, wrt, cotangent, attrs, **kw)
        if module == self.module:
            result.grads = {k: np.array(v) for k, v in result.grads.items()}
            self.plant(result, dict(zip(names, args)), cotangent, attrs)
        return result

    def plant(self, result, args, cotangent, attrs):
        raise NotImplementedError


class NonContiguous(_FormFault):
    """tanh's gradient is off by 1e-4 (relative) when its input is not contiguous (a kernel
    that indexes a strided input as if it were dense would be wrong by more; this is the
    smallest error the forms must still see)."""

    name, module = "non-contiguous", "tanh"
    EXPECTED = ("transposed", "strided")

    def plant(self, result, args, cotangent, attrs):
        if not np.asarray(args["x"]).flags.c_contiguous:
            result.grads["x"] = (result.grads["x"] * (1 + 1e-4)).astype(result.grads["x"].dtype)


class ChannelsLast(_FormFault):
    """avg_pool2d's input gradient is off by 1e-4 when the input's memory is channels-last
    (NHWC memory of an NCHW array), as a channels-last kernel with a wrong divisor would be."""

    name, module = "channels-last", "avg_pool2d"
    EXPECTED = ("channels_last",)

    def plant(self, result, args, cotangent, attrs):
        x = np.asarray(args["x"])
        if x.ndim == 4 and x.shape[1] > 1 and memory_layout(x)[0] == (0, 2, 3, 1):
            result.grads["x"] = (result.grads["x"] * (1 + 1e-4)).astype(result.grads["x"].dtype)


class NonLastAxis(_FormFault):
    """softmax's gradient is off by 1e-4 when the axis is not the last one (a strided
    reduction path with a mis-scaled sum). A softmax over one element has a gradient of
    exactly 0, which the scaling leaves 0: ``axis=0+D=1`` passes."""

    name, module = "non-last-axis", "softmax"
    EXPECTED = ("axis=0", "axis=0+N=1", "axis=0+transposed", "axis=0+strided")

    def plant(self, result, args, cotangent, attrs):
        x = np.asarray(args["x"])
        if AXIS in attrs and attrs[AXIS] % x.ndim != x.ndim - 1:
            result.grads["x"] = (result.grads["x"] * (1 + 1e-4)).astype(result.grads["x"].dtype)


class SizeOneNormalised(_FormFault):
    """layer_norm's input gradient forgets to centre when the normalised dimension is 1:
    it returns γ ⊙ g / √ε instead of 0 (the mean of one element taken as 0)."""

    name, module = "size-one-normalised", "layer_norm"
    EXPECTED = ("D=1", "axis=0+D=1", "axis=1+D=1", "D=1+transposed", "D=1+strided")

    def plant(self, result, args, cotangent, attrs):
        x = np.asarray(args["x"])
        axis = attrs.get(AXIS, -1) % x.ndim
        if x.shape[axis] == 1:
            shape = [1] * x.ndim
            shape[axis] = -1
            gamma = np.reshape(np.asarray(args["gamma"], np.float64), shape)
            g = np.asarray(cotangent, np.float64) * gamma / np.sqrt(attrs["eps"])
            result.grads["x"] = g.astype(result.grads["x"].dtype)


def _size_one_terms(args, cotangent, attrs):
    """γ ⊙ g / √ε at a normalised dimension of one: the size of the terms that cancel in
    layer norm's exact dL/dx = 0 there (``specs/normalization.py``, its declared terms)."""
    x = np.asarray(args["x"])
    axis = attrs.get(AXIS, -1) % x.ndim
    if x.shape[axis] != 1:
        return None
    shape = [1] * x.ndim
    shape[axis] = -1
    gamma = np.reshape(np.asarray(args["gamma"], np.float64), shape)
    return np.asarray(cotangent, np.float64) * gamma / np.sqrt(attrs["eps"])


class SizeOneNormalisedResidue(_FormFault):
    """layer_norm's dL/dx at a normalised dimension of one is 10⁻³·γ ⊙ g / √ε instead of 0
    (a centring that leaves a thousandth of the cancelling terms): an expected value of
    exactly 0, judged again at the declared terms' scale (``run/example.py`` ``_rejudge``),
    where 128 ulps of terms of size 2·γg/√ε allow ~3·10⁻⁵ of them in float32: the residue
    still fails, by a factor of ~30 in float32 and ~10¹⁰ in float64."""

    name, module = "size-one-normalised-residue", "layer_norm"
    EXPECTED = SizeOneNormalised.EXPECTED

    def plant(self, result, args, cotangent, attrs):
        terms = _size_one_terms(args, cotangent, attrs)
        if terms is not None:
            result.grads["x"] = (1e-3 * terms).astype(result.grads["x"].dtype)


class SizeOneSoftmaxResidue(_FormFault):
    """softmax's gradient over a single element is 10⁻³·g instead of exactly 0 (a kernel
    whose p at one element is 1 − 10⁻³). The declared terms there are |g| + y·|g| = 2|g|
    (``specs/basic.py``), so the rejudge allows a few hundred roundings of 2|g|: the
    residue still fails wherever the softmax axis has length 1 (ratio ~65 in float32),
    where one rounding of p would pass."""

    name, module = "size-one-softmax-residue", "softmax"
    EXPECTED = ("D=1", "axis=0+D=1", "D=1+transposed", "D=1+strided")

    def plant(self, result, args, cotangent, attrs):
        x = np.asarray(args["x"])
        if x.shape[attrs.get(AXIS, -1) % x.ndim] == 1:
            g = np.asarray(cotangent)
            result.grads["x"] = (1e-3 * g).astype(g.dtype)


class SizeOneNormalisedRounding(_FormFault):
    """Not a fault: layer_norm's dL/dx at a normalised dimension of one off by one float32
    rounding of its cancelling terms (u·γ ⊙ g / √ε, what torch's kernel does there), which
    the error model allows once the terms are declared. Every record must pass."""

    name, module = "size-one-normalised-rounding", "layer_norm"

    def plant(self, result, args, cotangent, attrs):
        terms = _size_one_terms(args, cotangent, attrs)
        if terms is not None:
            dtype = result.grads["x"].dtype
            result.grads["x"] = (np.finfo(dtype).eps * terms).astype(dtype)


CORPUS = (NonContiguous, ChannelsLast, NonLastAxis, SizeOneNormalised, SizeOneNormalisedResidue)
# Wrong values of checks whose expected value is exactly 0 (softmax's canonical quick pool
# has a row of one element too, so its canonical case fails as well).
RESIDUES = (SizeOneNormalisedResidue, SizeOneSoftmaxResidue)
# Errors the model allows: no record of the module may fail.
ALLOWED = (SizeOneNormalisedRounding,)
