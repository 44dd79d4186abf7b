"""Accumulation probes: one long reduction per module family, where a running sum kept in
the input type and a float32 accumulator differ by far more than either's error.

Each probe is a module of the spec table on hand-built inputs whose reduction length is
``n = 2^(p+1)`` for a dtype of ``p`` significant bits (512 for bfloat16, 4096 for float16):
a running sum rounded to the dtype after every addition stops growing at ``2^p`` (256 in
bfloat16: 256 + 1 rounds back to 256), so the sum of ``n`` ones comes out as half of it,
while a float32 accumulator gets every value exactly. ``covers`` names the families (and
``arithmetic`` classes) the probe's measurement speaks for, so a failing low-precision case
can say which accumulation its framework was measured to use.
"""

from __future__ import annotations

import numpy as np

from ..accumulation import Probe
from ..spec import MATMUL, REDUCTION


def _ones(shape):
    return np.ones(shape)


def _zeros(shape):
    return np.zeros(shape)


def _alternating(shape):
    """2 ± 1 along the last axis: mean 2, variance 1 (exact in every dtype)."""
    x = np.full(shape, 2.0)
    x[..., 1::2] = 3.0
    x[..., 0::2] = 1.0
    return x


def _ones_plus_first(shape):
    """A cotangent of ones with 2 at the first element: the softmax backward's inner sum
    Σ g·y = 1 + y₀ is then a long reduction too (with all-ones it would be the exact 1)."""
    g = np.ones(shape)
    g.flat[0] = 2.0
    return g


PROBES: tuple[Probe, ...] = (
    Probe("sum", "sum of n ones", lambda n: {"N": 1, "D": n}, {"x": _ones},
          covers=("group", "loss", "pooling", REDUCTION)),
    Probe("softmax", "softmax of n equal logits (each 1/n)", lambda n: {"N": 1, "D": n},
          {"x": _zeros}, cotangent=_ones_plus_first, covers=("softmax", "softmax_cross_entropy")),
    Probe("layer_norm", "layer norm over n values 2 ± 1 (mean and variance of n)",
          lambda n: {"N": 1, "T": 1, "D": n}, {"x": _alternating, "gamma": _ones, "beta": _zeros},
          variant="eps=1e-5", covers=("normalization",)),
    Probe("linear", "matmul: ones(1, n) · ones(n, 1)", lambda n: {"N": 1, "I": n, "O": 1},
          {"x": _ones, "w": _ones, "b": _zeros}, covers=("linear", "recurrent", MATMUL)),
    Probe("conv1d", "conv1d over n/4 channels × kernel 4 of ones",
          lambda n: {"N": 1, "G": 1, "Cg": n // 4, "Mg": 1, "L": 4, "KL": 4},
          {"x": _ones, "w": _ones, "b": _zeros}, variant="k=3,s=2,p=1",
          attrs={"kernel": 4, "stride": 1, "padding": 0}, covers=("convolution",)),
)
