"""Accumulation probes: one long reduction per module family, where accumulating in the
input type and accumulating in float32 differ by far more than either's error.

Each probe is a module of the spec table on hand-built inputs, with reductions of length
``n`` (``accumulation.length``: 8192, or 512 where two axes are long). The reduced values
are *cancelling*: pairs ±a (a in [0.5, 1], rounded to the dtype) in random order plus one
1, so the exact sum is 1, every partial sum is exact in float32 (the values are multiples
of 2⁻⁸ or 2⁻¹¹ and the partial sums stay below 2¹³), and any accumulation rounded to
bfloat16 or float16 — a running sum, per-lane running sums or a tree — errs by many units
of the result. A running sum in the input type also stalls outright on long all-positive
rows (a bfloat16 running sum of 512 ones is 256): the softmax probe's normaliser (n equal
logits) shows that. ``covers`` names the families (and arithmetic classes) each probe's
measurement speaks for, so a failing low-precision case can name the accumulation its
framework was measured to use. The attention probe exists because a family's products need
not go through its framework's matmul: TensorFlow's float16/bfloat16 ``tf.einsum`` on the
CPU accumulates in the input type while ``tf.matmul`` on the same operands does not.
"""

from __future__ import annotations

import numpy as np

from conformance.model.probes import Probe
from conformance.model.spec import MATMUL, REDUCTION


def _ones(shape):
    return np.ones(shape)


def _zeros(shape):
    return np.zeros(shape)


def cancelling(shape, seed: int = 0):
    """Pairs ±a (a uniform in [0.5, 1]) in random order plus one 1 (and a 0 when n is
    even): sum exactly 1."""
    n = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 1.0, size=(n - 1) // 2)
    rest = np.zeros(n - 2 * a.size)
    rest[0] = 1.0
    values = np.concatenate([a, -a, rest])
    return rng.permutation(values).reshape(shape)


def _plus_two(shape):
    return 2.0 + cancelling(shape)


PROBES: tuple[Probe, ...] = (
    Probe("sum", "sum of n cancelling values (exact sum 1)", lambda n: {"N": 1, "D": n},
          {"x": cancelling}, covers=("group", "loss", "pooling", REDUCTION)),
    Probe("softmax", "softmax of n equal logits; cotangent of n cancelling values",
          lambda n: {"N": 1, "D": n}, {"x": _zeros}, cotangent=cancelling,
          covers=("softmax", "softmax_cross_entropy")),
    Probe("layer_norm", "layer norm over n values 2 + cancelling (mean and variance of n)",
          lambda n: {"N": 1, "T": 1, "D": n}, {"x": _plus_two, "gamma": _ones, "beta": _zeros},
          variant="eps=1e-5", cotangent=cancelling, covers=("normalization",)),
    Probe("linear", "matmul ones(m, m) · cancelling w (m = 512); bias and weight gradients "
          "of a cancelling cotangent over the m rows", lambda n: {"N": 512, "I": 512, "O": 1},
          {"x": _ones, "w": cancelling, "b": _zeros}, cotangent=cancelling,
          covers=("linear", "recurrent", MATMUL)),
    Probe("conv1d", "conv1d of ones with cancelling weights over 128 channels × kernel 4; bias "
          "and weight gradients of a cancelling cotangent over 16 × 64 positions",
          lambda n: {"N": 16, "G": 1, "Cg": 128, "Mg": 1, "L": 67, "KL": 4},
          {"x": _ones, "w": cancelling, "b": _zeros}, variant="k=3,s=2,p=1",
          cotangent=cancelling, attrs={"kernel": 4, "stride": 1, "padding": 0},
          covers=("convolution",)),
    Probe("scaled_dot_product_attention", "attention of one query over n keys with equal logits "
          "(q = 0: the softmax normaliser sums n ones) and cancelling keys and values (the "
          "products P·V and dS·K sum n cancelling terms)",
          lambda n: {"N": 1, "H": 1, "Tq": 1, "Tk": n, "D": 1},
          {"q": _zeros, "k": cancelling, "v": cancelling, "bias": _zeros, "mask": _ones},
          variant="kernel=math", covers=("attention",)),
)
