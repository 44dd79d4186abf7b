"""Variants for bfloat16 and float16 only: long reductions (where an accumulator kept in the
input type saturates) and ranges near float16's limit (where an ill-ordered computation
overflows although the result fits). They run only in the dtypes they are about."""

from __future__ import annotations

from conformance.model.domains import Uniform
from conformance.model.domains_range import CancellingLarge
from conformance.model.spec import Variant

LOW = ("bfloat16", "float16")
# 512 = 2^9: a bfloat16 running sum of values near 1 stalls at 256 (256 + 1 rounds to 256),
# a float16 one loses a quarter of each addend past 256 (spacing 0.25): both far outside the
# float32-accumulation model; a float32 accumulator errs by ~512 · 2⁻²⁴ relative.
LONG_ROWS = {"N": (1, 2), "D": (512, 512)}

# sum[long]: positive addends so the running sum grows (no cancellation hides saturation).
SUM_LONG = Variant("long", domains={"x": Uniform(0.5, 1.5)}, dims=LONG_ROWS, dtypes=LOW,
                   note="a row of 512 values in [0.5, 1.5]: a running sum in the input type "
                        "saturates; the model assumes a float32 accumulator")
# softmax[long]: the normaliser Σ e^x over 512 terms of e^[-1, 1].
SOFTMAX_LONG = Variant("long", domains={"x": Uniform(-1.0, 1.0)}, dims=LONG_ROWS, dtypes=LOW,
                       note="512 logits: the normaliser is a long sum (executorch PR 20089: a "
                            "bfloat16 running sum gives ~1/256 per entry)")

# softmax[near_overflow]: e^x overflows float16 beyond x = 11.09; logits in [10, 11] are
# fine shifted by the row max (as the reference is) and overflow unshifted (e^10·2 > 65504).
SOFTMAX_NEAR_OVERFLOW = Variant(
    "near_overflow", domains={"x": Uniform(10.0, 11.0)}, dtypes=("float16",),
    note="logits in [10, 11]: unshifted exponentials sum past float16's 65,504")
# sum[near_overflow]: prefix sums past 65,504 with a small total.
SUM_NEAR_OVERFLOW = Variant(
    "near_overflow", domains={"x": CancellingLarge()}, dims={"N": (1, 3), "D": (4, 16)},
    dtypes=("float16",),
    note="prefix sums beyond 65,504, a small total: a float16 accumulator overflows")
# squared_error[near_overflow]: per-row sums up to 4 · 120² = 57,600 of float16's 65,504.
SQUARED_ERROR_NEAR_OVERFLOW = Variant(
    "near_overflow", domains={"x": Uniform(-60.0, 60.0), "t": Uniform(-60.0, 60.0)},
    dims={"N": (1, 3), "D": (1, 4)}, dtypes=("float16",),
    note="|t − x| <= 120 over <= 4 elements: the loss reaches 57,600 of float16's 65,504")
# layer_norm[long]: dγ and dβ sum over the N·T = 4096 rows (a bfloat16 running sum stalls at
# 256 and any input-type accumulation errs by many u); the quick profile's only long rows
# for the normalization backward.
LAYER_NORM_LONG = Variant("long,eps=1e-5", {"eps": 1e-5}, dims={"N": (1, 1), "T": (4096, 4096), "D": (4, 8)},
                          dtypes=LOW, note="4096 rows: the parameter gradients are long sums")
