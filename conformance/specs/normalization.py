"""Specs of the normalisation modules: BN (000/001 section 'BN'), its running statistics,
and LN / IN / GN (001 section 'Normalization', described as BN variants; derived).

Layout: BN, IN and GN take x (N, C, H, W) with γ, β per channel; LN takes x (N, T, D) and
normalises over D with elementwise γ, β (D,). ``eps`` is always passed explicitly, because
the defaults differ: BN torch 1e-5, Keras 1e-3, tf.raw_ops.FusedBatchNormV3 1e-4, flax 1e-5;
LN torch 1e-5, Keras 1e-3, flax 1e-6; GN torch 1e-5, Keras 1e-3, flax 1e-6; IN torch 1e-5.
The eps=0.5 variant makes ε visible (ε ≈ σ²/6), so where ε sits is tested too.

Error model (M = the size of a normalised set; M <= 48 for BN, <= 24 for GN, <= 16 for LN,
<= 12 for IN; at least 6 so that the backward's two projections leave M − 2 >= 4 degrees of
freedom). x comes from ``Distinct`` on [−3, 3]: set means are small next to the spread, and
any 6 of its n grid values (gap 6/(n − 1)) have σ >= 1.7·gap ≈ 10/n >= 0.07 (n <= 144), and
typically σ ≈ 1.7, so the 1/σ amplification of the mean's rounding error stays O(1). Forward: μ and σ² are reductions
of length M, then ~8 elementwise steps: (M + 8)·u relative to |x − μ|/σ ≲ max|x̂|, i.e.
<= 56 ulps of (|y_i| + max|y|) at M = 48 → 64. Backward: dL/dx = γr(g − mean g − x̂·mean(g x̂))
subtracts two M-term means from g (the cancellation the brief warns of): 2·(M + 8)u of
max|γ r g| <= 112 at M = 48; dL/dγ, dL/dβ are M-term sums whose result is O(√M) smaller than
Σ|terms| for random-sign cotangents — within 128 ulps for the pairwise / blocked sums the
frameworks use (error <= log2(M)·u·Σ|t| ≈ 6√M·u ≈ 42 ulps of the result at M = 48) → 128.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from conformance.model.domains import Distinct, NonZero, Uniform
from conformance.model.spec import CONST, PARAM, REDUCTION, Arg, Citation, ModuleSpec, Tolerance, Variant
from conformance.specs.common import LONG, SHORT
from conformance.specs.low_precision import LAYER_NORM_LONG

NORMALIZING = Tolerance(forward=64, grad=128)
X = Distinct(-3.0, 3.0)


def _layer_norm_terms(check, inputs, cotangent, attrs, tangents=None):
    """dL/dx = (1/σ)(γ⊙g − mean(γ⊙g) − x̂ ⊙ mean(γ⊙g⊙x̂)) over the normalised axis: element
    i combines |γ_i g_i|, mean|γ g| and |x̂_i| mean|γ g x̂|, each over σ. With one normalised
    element (D = 1) the three cancel exactly (x̂ = 0, γg − mean(γg) = 0) while each is
    about |g|/√ε: a kernel that rounds them once errs at that size."""
    if check != "grad:x" or tangents is not None:
        return None
    x = np.asarray(inputs["x"], dtype=np.float64)
    mu = x.mean(axis=-1, keepdims=True)
    sigma = np.sqrt(x.var(axis=-1, keepdims=True) + attrs.get("eps", 1e-5))
    xhat = (x - mu) / sigma
    gg = np.abs(np.asarray(cotangent, dtype=np.float64) * np.asarray(inputs["gamma"], np.float64))
    return (gg + gg.mean(axis=-1, keepdims=True)
            + np.abs(xhat) * (gg * np.abs(xhat)).mean(axis=-1, keepdims=True)) / sigma


LAYER_NORM_TOLERANCE = replace(NORMALIZING, terms=_layer_norm_terms)
GAMMA, BETA = NonZero(0.5, 2.0), Uniform(-1.0, 1.0)
IMG = ("N", "C", "H", "W")


def bn(where: str) -> tuple[Citation, ...]:
    return (Citation(SHORT, f"section 'Normalization' > 'BN', {where}"),
            Citation(LONG, f"section 'Normalization' > 'BN', {where}"))


def variant_of(paragraph: str) -> tuple[Citation, ...]:
    return (Citation(LONG, f"section 'Normalization', {paragraph} (a BN variant; formulas derived)"),
            *bn("forward-pass, backward-pass, parameter-pass (the formulas reused)"))


def batches(_attrs):
    return {"N": (2, 4), "C": (1, 3), "H": (2, 3), "W": (2, 4)}


def sequences(_attrs):
    return {"N": (1, 3), "T": (1, 3), "D": (6, 16)}


def maps(_attrs):
    return {"N": (1, 3), "C": (1, 3), "H": (2, 3), "W": (3, 4)}


def grouped(attrs):
    g = attrs["groups"]
    return {"N": (1, 2), "G": (g, g), "Cg": (1, 2), "H": (2, 3), "W": (3, 4)}


def channels(dims):
    return dims["G"] * dims["Cg"]


def _affine(x_shape, p_shape):
    return (Arg("x", x_shape, X), Arg("gamma", p_shape, GAMMA, PARAM),
            Arg("beta", p_shape, BETA, PARAM))


EPS = Variant("eps=1e-5", {"eps": 1e-5})
SPECS: tuple[ModuleSpec, ...] = (
    ModuleSpec("batch_norm", "normalization", _affine(IMG, ("C",)), batches,
               bn("forward-pass, backward-pass, parameter-pass"),
               "y = γ(x − μ_B)/√(σ_B² + ε) + β per channel over (N, H, W); backward in three "
               "steps dL/dσ_B², dL/dμ_B, dL/dx (with 1/m read as 1/M)",
               variants=(EPS, Variant("eps=0.5", {"eps": 0.5})), tolerance=NORMALIZING, arithmetic=REDUCTION),
    ModuleSpec("batch_norm_running_stats", "normalization",
               (Arg("x", IMG, X, CONST), Arg("running_mean", ("C",), Uniform(-1.0, 1.0), CONST),
                Arg("running_var", ("C",), Uniform(0.5, 2.0), CONST)), batches,
               (*bn("forward-pass (μ_B, σ_B²)"),
                Citation(LONG, "reference 15 (Ioffe & Szegedy), Algorithm 2: inference statistics "
                               "(derived; the documents give the training pass only)")),
               "running_mean' = (1 − m)·running_mean + m·μ_B; running_var' = (1 − m)·running_var "
               "+ m·σ̃², σ̃² = M/(M − 1)·σ_B² (unbiased) or σ_B² (biased)",
               variants=(Variant("m=0.1", {"momentum": 0.1},
                                 rules={"running_var": ("unbiased", "biased")},
                                 note="momentum = weight of the new batch statistic (PyTorch's "
                                      "convention; Keras momentum = 1 − m); defaults: torch 0.1, "
                                      "Keras 0.99 (= m 0.01), flax 0.99"),),
               outputs=("running_mean", "running_var"), tolerance=Tolerance(64, 0), arithmetic=REDUCTION),
    ModuleSpec("layer_norm", "normalization", _affine(("N", "T", "D"), ("D",)), sequences,
               variant_of("2nd paragraph: \"LN works in the same way as BN, except that it now "
                          "estimates the true mean and variance of distributions through "
                          "per-layer statistics (the activations) instead of per-minibatch.\""),
               "y = γ ⊙ (x − μ)/√(σ² + ε) + β over the last axis",
               variants=(EPS, LAYER_NORM_LONG), tolerance=LAYER_NORM_TOLERANCE, arithmetic=REDUCTION),
    ModuleSpec("instance_norm", "normalization", _affine(IMG, ("C",)), maps,
               variant_of("3rd paragraph: \"IN uses per-channel statistics, thus removing the "
                          "cross-channel information in LN\""),
               "y = γ_c (x − μ_{n,c})/√(σ_{n,c}² + ε) + β_c over (H, W)",
               variants=(EPS,), tolerance=NORMALIZING, arithmetic=REDUCTION),
    ModuleSpec("group_norm", "normalization",
               _affine(("N", channels, "H", "W"), (channels,)), grouped,
               variant_of("3rd paragraph: \"GN seeks the middle ground between IN and LN by using "
                          "statistics from a group of multiple channels\""),
               "y = γ_c (x − μ_{n,g})/√(σ_{n,g}² + ε) + β_c over the group's channels and (H, W)",
               variants=(Variant("G=2,eps=1e-5", {"groups": 2, "eps": 1e-5}),
                         Variant("G=1,eps=0.5", {"groups": 1, "eps": 0.5})),
               tolerance=NORMALIZING, arithmetic=REDUCTION),
)
