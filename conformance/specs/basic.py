"""Specs of the parameter-free modules: the table 'Parameter-free modules' of 000/001
(pooling is in ``pooling.py``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from conformance.model.domains import Distinct, Mask, NonZero, Simplex, SmallIntegers, Uniform, WithKinks
from conformance.model.spec import CONST, PARAM, REDUCTION, Arg, Citation, ModuleSpec, Tolerance, Variant
from conformance.specs.low_precision import SOFTMAX_LONG, SOFTMAX_NEAR_OVERFLOW, SQUARED_ERROR_NEAR_OVERFLOW, SUM_LONG, SUM_NEAR_OVERFLOW
from conformance.specs.common import ELEMENTWISE, KINK, LONG, REDUCING, SLOPE, X, flat, rows, rows_of, wide


def _elementwise(name, row, formula, domain=Uniform(), variants=(Variant(),), tol=ELEMENTWISE):
    return ModuleSpec(name, "activation", (Arg("x", X, domain),), flat, rows(row), formula,
                      variants=variants, tolerance=tol)


def _recover_dropout_mask(inputs, output):
    """The mask a framework's own dropout drew, read off its output: inputs are never
    zero (NonZero domain), so an element was dropped exactly when its output is 0."""
    return {"mask": (np.asarray(output) != 0).astype(np.float64)}


def _keep_rate(inputs, recovered, attrs):
    """Observed keep fraction against 1 - rate: a 5-sigma binomial bound (false-alarm
    probability about 6e-7 per example)."""
    mask = recovered["mask"]
    n, q = mask.size, attrs["rate"]
    kept = float(mask.sum())
    deviation = abs(kept - n * (1 - q))
    bound = 5.0 * np.sqrt(n * q * (1 - q)) + 1.0
    return deviation, bound, f"kept {kept:.0f} of {n} (expected {n * (1 - q):.1f} ± {bound:.1f})"


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_ce_terms(check, inputs, cotangent, attrs, tangents=None):
    """Second order of 000 rows 'Softmax' and 'Cross-Entropy' chained: ∇s = u (y Σp − p), so
    H v = u Σp (y ⊙ v − y ⟨y, v⟩); element i combines u Σp y_i v_i and u Σp y_i ⟨y, v⟩.
    At D = 1 (y = 1) both are |u v| while H v and ∇s are exactly 0."""
    if check != "hvp:z" or tangents is None:
        return None
    y = _softmax(np.asarray(inputs["z"], dtype=np.float64))
    v = np.asarray(tangents["z"], dtype=np.float64)
    u = np.abs(np.asarray(cotangent, dtype=np.float64))[..., None]
    mass = np.abs(np.asarray(inputs["p"], dtype=np.float64)).sum(axis=-1, keepdims=True)
    return u * mass * (y * np.abs(v) + y * np.abs((y * v).sum(axis=-1, keepdims=True)))


SOFTMAX_CE_TOLERANCE = replace(REDUCING, terms=_softmax_ce_terms)


def _softmax_terms(check, inputs, cotangent, attrs, tangents=None):
    """000 row 'Softmax': dL/dx = sᵀ − yᵀ Σ_i s_i, s_i = dL/dy_i y_i. Element i combines s_i
    and y_i Σ_j s_j; the sum is rounded at the size of its terms, Σ_j |s_j|, and no input
    perturbation moves it that far (shifting every dL/dy_j by one constant leaves dL/dx
    unchanged), so the terms are declared: |s_i| + y_i Σ_j |s_j|."""
    if check != "grad:x":
        return None
    y = _softmax(np.asarray(inputs["x"], dtype=np.float64))
    s = np.abs(np.asarray(cotangent, dtype=np.float64) * y)
    return s + y * s.sum(axis=-1, keepdims=True)


SOFTMAX_TOLERANCE = replace(REDUCING, terms=_softmax_terms)


def _bibliography(entry: str) -> tuple[Citation, ...]:
    return (Citation(LONG, f"bibliography ('References'), entry {entry}; no table row: formula "
                           "from the paper (derived)"),)


def _channels(_attrs):
    return {"N": (1, 3), "C": (1, 3), "L": (1, 8)}


def _gelu_dims(_attrs):
    return {"N": (1, 3), "D": (2, 8)}


# GELU: depth <= 10 and the library erfc (<= ~4 ulps) -> 16 forward. The tanh form's gradient
# contains ½x(1 − t²)√(2/π)(1 + 3·0.044715x²) and ½(1 + t): 1 ± t cancel for x < 0 and are
# computed with an absolute error of ~u, amplified by up to 5 at |x| <= 4 -> 32. That error is
# absolute (set by |x| <= 4, not by |y|), so every array holds the domain's ends: ``Distinct``
# on [−4, 4] with >= 2 elements contains −4 and 4, anchoring max|y| ≈ 4 and max|dy/dx| ≈ 1.
# Measured on a dense float32 scan of [−4, 4]: worst gradient error 18 ulps of (|e| + 1.13)
# (TF and JAX tanh form, x ≈ −3.9; torch ≤ 2.1), worst forward error 2.2 ulps of (|y| + 4).
GELU_TOL = Tolerance(16, 32)
# PReLU: one multiply forward; dL/dα_c sums g·x over N·L <= 24 positions (REDUCING's model).
PRELU_TOL = Tolerance(8, 64)

SPECS: tuple[ModuleSpec, ...] = (
    ModuleSpec("add", "elementwise", (Arg("a", X, Uniform()), Arg("b", X, Uniform())), flat,
               rows("Add"), "y = a ⊕ b; dL/da = dL/dy", tolerance=ELEMENTWISE),
    ModuleSpec("multiply", "elementwise", (Arg("a", X, Uniform()), Arg("b", X, Uniform())), flat,
               rows("Multiply"), "y = a ⊙ b; dL/da = dL/dy ⊙ b", tolerance=ELEMENTWISE),
    ModuleSpec("switch", "elementwise", (Arg("x", X, Uniform()), Arg("s", X, Mask(), CONST)), flat,
               rows("Switch"), "y = s ⊙ x; dL/dx = dL/dy ⊙ sᵀ", tolerance=Tolerance(0, 0)),
    ModuleSpec("sum", "group", (Arg("x", X, Uniform()),), rows_of, rows("Sum"),
               "y = Σ x_i; dL/dx = dL/dy 1ᵀ", tolerance=REDUCING,
               variants=(Variant(), SUM_LONG, SUM_NEAR_OVERFLOW), arithmetic=REDUCTION),
    ModuleSpec("max", "group", (Arg("x", X, Distinct()),), rows_of, rows("Max"),
               "y = max{x_i}; dL/dx_i = dL/dy if i was maximal, else 0",
               variants=(Variant(), Variant("ties", domains={"x": SmallIntegers()},
                                            rules={"tie_rule": ("split", "first", "last")},
                                            note="'if i was maximal' is ambiguous with ties; the reference splits dL/dy evenly")),
               tolerance=Tolerance(0, 4), arithmetic=REDUCTION),
    _elementwise("relu", "Relu", "y_i = max{0, x_i}; dL/dx_i = dL/dy_i if x_i > 0, else 0",
                 variants=(Variant(), Variant("kink", domains={"x": WithKinks()}, rules=KINK)),
                 tol=Tolerance(0, 0)),
    _elementwise("leaky_relu", "Leaky Relu", "y_i = max{0.01 x_i, x_i}; dL/dx_i = dL/dy_i if x_i > 0, else 0.01 dL/dy_i",
                 variants=(Variant(attrs={"negative_slope": 0.01}, rules=SLOPE),
                           Variant("kink", attrs={"negative_slope": 0.01}, domains={"x": WithKinks()},
                                   rules={**KINK, **SLOPE}))),
    _elementwise("elu", "Elu", "y_i = x_i if x_i > 0 else α(e^{x_i} − 1); dL/dx_i = dL/dy_i if x_i > 0 else dL/dy_i (y_i + α)",
                 variants=(Variant(attrs={"alpha": 1.0}),
                           Variant("alpha=0.5", attrs={"alpha": 0.5}),
                           Variant("kink,alpha=0.5", attrs={"alpha": 0.5}, domains={"x": WithKinks()}, rules=KINK))),
    _elementwise("selu", "Selu", "y_i = λx_i if x_i > 0 else λα(e^{x_i} − 1); dL/dx_i = dL/dy_i λ if x_i > 0 else dL/dy_i (y_i + λα)",
                 variants=(Variant(), Variant("kink", domains={"x": WithKinks()}, rules=KINK))),
    _elementwise("sigmoid", "Sigmoid", "y_i = 1/(1 + e^{−x_i}); dL/dx = dL/dy diag(y(1 − y)ᵀ)", domain=Uniform(-8, 8)),
    ModuleSpec("softmax", "activation", (Arg("x", X, Uniform(-5, 5)),), rows_of, rows("Softmax"),
               "y_i = e^{x_i} / Σ_k e^{x_k}; dL/dx = sᵀ − yᵀ Σ_i s_i, s_i = dL/dy_i y_i", tolerance=SOFTMAX_TOLERANCE,
               variants=(Variant(), SOFTMAX_LONG, SOFTMAX_NEAR_OVERFLOW), arithmetic=REDUCTION),
    _elementwise("softplus", "Softplus", "y_i = log(e^{x_i} + 1); dL/dx = dL/dy diag(e^{x_i}/(e^{x_i} + 1))", domain=Uniform(-15, 15)),
    _elementwise("tanh", "Tanh", "y_i = (e^{x_i} − e^{−x_i})/(e^{x_i} + e^{−x_i}); dL/dx = dL/dy diag(I − y yᵀ)", domain=Uniform(-4, 4)),
    ModuleSpec("cross_entropy", "loss", (Arg("x", X, Simplex()), Arg("p", X, Simplex(), CONST)), rows_of,
               rows("Cross-Entropy"), "L = −Σ_i p_i log x_i; dL/dx_i = −p_i / x_i", tolerance=REDUCING, arithmetic=REDUCTION),
    ModuleSpec("squared_error", "loss", (Arg("x", X, Uniform()), Arg("t", X, Uniform(), CONST)), rows_of,
               rows("Squared Error"), "L = ‖t − x‖² = Σ_i (t_i − x_i)²; dL/dx = −2(t − x)ᵀ", tolerance=REDUCING,
               variants=(Variant(), SQUARED_ERROR_NEAR_OVERFLOW), arithmetic=REDUCTION),
    ModuleSpec("softmax_cross_entropy", "loss", (Arg("z", X, Uniform(-5, 5)), Arg("p", X, Simplex(), CONST)), rows_of,
               rows("Softmax") + rows("Cross-Entropy"),
               "L = −Σ_i p_i log softmax(z)_i; dL/dz = softmax(z) Σ_i p_i − p (the two rows composed)",
               tolerance=SOFTMAX_CE_TOLERANCE, arithmetic=REDUCTION),
    ModuleSpec("dropout", "regularization", (Arg("x", X, NonZero()), Arg("mask", X, Mask(0.7), CONST)), wide,
               rows("Drop-out"), "y = 1/(1−q) D ⊙ x; dL/dx = 1/(1−q) dL/dy ⊙ Dᵀ",
               variants=(Variant("injected", {"rate": 0.3}),
                         Variant("native", {"rate": 0.3}, draws_randomness=True,
                                 note="the framework's own dropout; its mask is recovered from its output")),
               tolerance=ELEMENTWISE, recover=_recover_dropout_mask,
               extra_checks=(("keep_rate", _keep_rate),)),
    ModuleSpec("gelu", "activation", (Arg("x", X, Distinct(-4, 4)),), _gelu_dims,
               _bibliography("5, Hendrycks & Gimpel, 'Gaussian Error Linear Units (GELUs)'"),
               "y = x Φ(x) (exact, erf); y = ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (tanh)",
               variants=(Variant("exact", {"approximate": "none"}),
                         Variant("tanh", {"approximate": "tanh"},
                                 note="defaults differ: torch/tf.nn exact, jax.nn.gelu and "
                                      "keras.ops.gelu tanh; always passed explicitly")),
               tolerance=GELU_TOL),
    ModuleSpec("prelu", "activation",
               (Arg("x", ("N", "C", "L"), Uniform()), Arg("alpha", ("C",), Uniform(0, 1), PARAM)),
               _channels, _bibliography("6, He et al., 'Delving Deep into Rectifiers' (PReLU)"),
               "y = x if x > 0 else α_c x; dL/dx = dL/dy or α_c dL/dy; dL/dα_c = Σ_{x<=0} dL/dy x",
               variants=(Variant(), Variant("kink", domains={"x": WithKinks()}, rules=KINK)),
               tolerance=PRELU_TOL),
)
