"""The data model of the spec table: what a module is, what it takes, how to judge it.

A :class:`ModuleSpec` says everything the suite needs to test one documented module —
its reference, its arguments (with roles and value domains), the shapes it is drawn at,
its attributes and named variants, the dtypes, the tolerances and the citations — so that
the conformance test itself holds no per-module special case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from adapters.base import DRAWS_RANDOMNESS

from conformance.model.checks import parse
from conformance.model.domains import Domain

INPUT, PARAM, CONST = "input", "param", "const"

# What a module's float32 work is, for the tolerance models that depend on the arithmetic
# unit rather than on the dtype alone: TF32 (and the low-precision models) apply to
# ``matmul`` work — matrix products and convolutions, recurrent layers included.
MATMUL, REDUCTION, ELEMENTWISE = "matmul", "reduction", "elementwise"
ARITHMETIC = (MATMUL, REDUCTION, ELEMENTWISE)
TF32_ARITHMETIC = frozenset({MATMUL})
# Mixed precision (``--precision autocast``) applies to the same matmul work: the ops that
# torch.autocast and Keras' mixed_bfloat16 policy run in bfloat16.
AUTOCAST_ARITHMETIC = frozenset({MATMUL})
AUTOCAST_DTYPE = "bfloat16"


@dataclass(frozen=True)
class Arg:
    """One positional argument of a module.

    ``role`` is ``input`` or ``param`` (both differentiated; the check is named
    ``grad:<name>``) or ``const`` (a mask or target: passed, not differentiated).
    ``shape`` names dimensions of the drawn ``dims`` (e.g. ``("N", "D")``); an entry may
    also be a callable of ``dims`` returning an int — a derived dimension such as
    ``C = G · Cg`` (groups times channels per group), which no independent range can draw.
    """

    name: str
    shape: tuple[str | Callable[[Mapping[str, int]], int], ...]
    domain: Domain
    role: str = INPUT

    @property
    def differentiable(self) -> bool:
        return self.role in (INPUT, PARAM)


@dataclass(frozen=True)
class Citation:
    """Where a formula is documented: seed file and table row / equation."""

    seed: str
    where: str

    def __str__(self) -> str:
        return f"{self.seed}, {self.where}"


# Extra ulps per √term of a reduction beyond the calibrated length (``Tolerance``).
GROWTH = 1.0


@dataclass(frozen=True)
class Tolerance:
    """Allowed error, in units of the dtype's machine epsilon ``u``.

    Error model (written down once, used everywhere): the framework receives inputs that
    are exactly representable in its dtype, and the reference evaluates the same rounded
    inputs in float64, so only the framework's own arithmetic is judged. A backward-stable
    evaluation of an expression of depth ``d`` containing reductions of length ``n``
    errs by at most about ``(d + n) * u`` relative to the magnitude of the quantities
    it combines. Our value domains keep those magnitudes within a small factor of the
    largest |expected| in the array, so element ``i`` may err by

        tol_i = ulps * u * (|expected_i| + max_j |expected_j|)

    with ``ulps`` chosen per module from its depth and reduction length (forward and
    gradient separately). ``ulps = 0`` means bitwise exact (masks, max selection).

    Growth with size (``lengths``). ``forward`` and ``grad`` are set at the small shapes,
    where a check's longest reduction has n₀ terms (its length at the upper corner of
    ``ModuleSpec.dims``). At a large shape (``conformance.model.sizes``) with n > n₀ terms a
    check may err by GROWTH·(√n − √n₀) ulps more. Derivation: the value domains draw
    terms of random sign and comparable size σ, so a sum of n terms is |s| ≈ √n·σ, and a
    partial sum of k terms ≈ √k·σ. Accumulated sequentially in the dtype — the worst
    order a framework may legitimately use — the k-th rounding errs by ≈ u·|S_k|·ε_k,
    ε_k independent and uniform on [−½, ½] (variance 1/12), so the total error has
    standard deviation u·σ·(Σ_k k/12)^½ ≈ u·σ·n/√24 = u·|s|·√(n/24). Its worst over the
    elements and examples of a case stays below 4 standard deviations, and the tolerance's
    scale (|e_i| + max|e|) is at least |s|: 4·√(n/24) = 0.82·√n ulps, rounded up to
    GROWTH = 1 per √term. (All-positive terms, e.g. Σ exp in softmax, have partial sums
    k/n·|s| and give u·|s|·√(n/36): less.) Pairwise and blocked (vector-lane) summation
    only lower the error (√log n, √(n/lanes)); the worst-case bound (n − 1)·u·Σ|t| is not
    the model: random roundings never approach it, and it would hide real faults at large
    n. A recurrence over T steps (``specs/recurrent.py``) carries each step's fresh error
    through step Jacobians of norm ≲ 1, so the errors add like a random walk, and a
    parameter gradient sums T·N per-step terms: both enter n the same way.
    ``lengths(dims, attrs)`` returns {key: n}, a key being a check ("grad:alpha") or a
    kind ("forward", "grad"); a check with no key does not grow (elementwise maps,
    windows fixed by the attributes). The measured ratios at the large sizes, against
    this model, are in ``specs/sizes.py``.
    """

    forward: float = 16.0
    grad: float = 32.0
    lengths: Callable[[Mapping[str, int], Mapping[str, Any]], Mapping[str, float]] | None = None
    # Intermediates that cancel where no input does (``terms``). The cancelling-terms scale
    # (``conformance.judge.sensitivity``) perturbs the inputs; a backward that forms an
    # intermediate invariant under every input perturbation's effect — softmax's
    # Σ_j s_j, subtracted from s_i (shifting the cotangent leaves the result unchanged) —
    # rounds it at |Σ s| while no input's response is that large. ``terms(check, inputs,
    # cotangent, attrs, tangents=None)`` returns, for such a check, the magnitude of the
    # terms its documented formula combines per element (float64 arrays; None for other
    # checks). A first-order check that fails the plain scale is judged once more with it
    # added to the scale, as the input responses are; a second-order check ("hvp:<arg>",
    # ``tangents`` given) has it in its scale beside the gradient-sized term (where the
    # gradient is exactly 0 that term is 0, while H v's terms are not). Only
    # rounding-sized: it enters in units of u, times ulps.
    terms: Callable[..., Any] | None = None

    def growth(self, check: str, dims: Mapping[str, int] | None, attrs: Mapping[str, Any],
               small: Mapping[str, tuple[int, int]]) -> float:
        """GROWTH·(√n − √n₀) ulps for ``check`` at ``dims``; n₀ at the upper corner of
        ``small`` (the small ranges)."""
        if self.lengths is None or dims is None:
            return 0.0
        kind = "grad" if parse(check).kind == "grad" else "forward"
        n = self.lengths(dims, attrs)
        key = check if check in n else kind
        if key not in n:
            return 0.0
        n0 = self.lengths({k: hi for k, (lo, hi) in small.items()}, attrs)[key]
        return GROWTH * max(0.0, math.sqrt(n[key]) - math.sqrt(n0))

    def declared_terms(self, check: str, inputs, cotangent, attrs, tangents=None):
        """|terms| of ``check`` as the spec declares them (``terms``), float64; None if none."""
        if self.terms is None:
            return None
        t = self.terms(check, inputs, cotangent, attrs, tangents=tangents)
        if t is None:
            return None
        import numpy as np

        return np.abs(np.asarray(t, dtype=np.float64))

    def at(self, check: str, dims, attrs, small) -> "Tolerance":
        """This tolerance grown for ``check`` at ``dims`` (see the class docstring)."""
        extra = self.growth(check, dims, attrs, small)
        return self if extra == 0.0 else replace(self, forward=self.forward + extra,
                                                 grad=self.grad + extra)


# Unit roundoff u of the low-precision storage types (half the spacing of [1, 2)): 2⁻⁸ for
# bfloat16 (8 significant bits), 2⁻¹¹ for float16 (11). float32's epsilon, for the
# accumulation term.
UNIT_ROUNDOFF = {"bfloat16": 2.0**-8, "float16": 2.0**-11}
FLOAT32_EPS = 2.0**-23
# The accumulation the low-precision model assumes (see ``LowPrecision``).
ASSUMED_ACCUMULATION = "float32"


@dataclass(frozen=True)
class LowPrecision:
    """Allowed error in bfloat16 and float16: roundings to the dtype, in units of its u.

    Error model for low precision (beside ``Tolerance``'s, which still holds for the
    arithmetic): the inputs and the cotangent are exactly representable in the dtype (they
    are rounded before the call) and the reference evaluates those same values in float64.
    A framework stores tensors in the dtype and computes in float32: each stored tensor is
    rounded once (error <= u of its magnitude) — the output's own rounding, plus every
    intermediate a composed module or a saved activation of the backward stores between
    primitive steps. ``forward`` and ``grad`` count those roundings (amplified by what
    follows them, so a count bounds the error in units of u of the quantities combined).

    Accumulation assumption, explicit: every reduction (sums, means and variances, matmul
    and convolution inner products, the softmax normaliser) accumulates in float32, as
    oneDNN, XLA and cuDNN kernels do. Reductions then add only the spec's float32 term,
    and element i may err by

        tol_i = (roundings · u + ulps32 · eps(float32)) · (|expected_i| + max_j |expected_j|)

    A running sum kept in the dtype errs by up to n·u over a length-n reduction (a
    bfloat16 running sum of 512 ones stops at 256): that is outside this model, never
    absorbed by a looser tolerance. A framework that does it fails, and the accumulation
    probes (``conformance.judge.accumulation``) measure and name which accumulation it uses.
    """

    forward: float = 4.0
    grad: float = 8.0

    # Stored tensors (``references._stored``). The counts above bound the roundings of the
    # quantities an element combines at their own size; where a result is far smaller than
    # the stored values it combines (a weight gradient at T = 1 summing cancelling products
    # of gate values, a state carried over T steps), each stored entry z_k rounds by up to
    # u·|z_k| and moves the result by c_k·that. Those roundings are independent, uniform on
    # [−u, u]·|z_k| (standard deviation u·|z_k|/√3), so the result's error has standard
    # deviation u·(Σ_k (c_k z_k)²)^½ / √3 = u·r/√3, r the RMS response of the element to
    # one rounding of every stored tensor (``conformance.judge.sensitivity.stored_scales``,
    # computed with the float64 reference on the formula's own graph). The tolerance adds
    # STORED_SIGMAS standard deviations of it: STORED_SIGMAS·u·r/√3. Only for a check that
    # fails without it, and only the tensors the documented formula stores: inputs and the
    # cotangent are exact, and a reduction's accumulator is not a stored tensor (a running
    # sum in the input type still fails).
    STORED_SIGMAS = 4.0

    @staticmethod
    def stored_term(arithmetic: str, ulps: float, eps: float) -> float:
        """The factor on r that adds STORED_SIGMAS·u·r/√3 to a tolerance of ``ulps`` units
        of ``eps`` (``compare.tolerance_array`` multiplies its scale by ulps·eps)."""
        u = UNIT_ROUNDOFF[arithmetic]
        return LowPrecision.STORED_SIGMAS * u / math.sqrt(3.0) / (ulps * eps) if ulps > 0 else 0.0


def ulps_for(tolerance: Tolerance, low: "LowPrecision", arithmetic: str, kind: str) -> float:
    """The ``ulps`` for ``compare`` (units of eps(arithmetic)) of a ``kind`` ("forward" or
    "grad") check: the spec's own for float32/float64/tf32, the low-precision model's
    roundings plus the float32 accumulation term for bfloat16 and float16."""
    ulps32 = getattr(tolerance, kind)
    if arithmetic not in UNIT_ROUNDOFF:
        return ulps32
    u = UNIT_ROUNDOFF[arithmetic]
    return (getattr(low, kind) * u + ulps32 * FLOAT32_EPS) / (2 * u)


@dataclass(frozen=True)
class Variant:
    """A named, fixed choice of attributes (and optionally domains) of a module.

    ``rules`` are reference-only conventions, e.g. ``{"tie_rule": ("split", "first",
    "last")}``: the first value is the documented (or, where the document is ambiguous,
    the reference's) rule; the others are known alternatives. A framework that fails the
    first but matches an alternative gets a ``convention`` verdict naming it; one that
    matches none fails.

    ``draws_randomness``: the framework draws this variant's randomness itself (its own
    dropout): the ``const`` arguments (the injected mask) are not sent, the adapter's op
    is told so by ``adapters.base.DRAWS_RANDOMNESS`` in its attributes, and the module's
    ``recover`` and ``extra_checks`` judge what it drew.
    """

    name: str = ""
    attrs: Mapping[str, Any] = field(default_factory=dict)
    domains: Mapping[str, Domain] = field(default_factory=dict)
    rules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    note: str = ""
    draws_randomness: bool = False
    # The dtypes this variant runs in (empty: every dtype of its module), e.g. a range
    # variant that only float16's narrow exponent makes interesting.
    dtypes: tuple[str, ...] = ()
    # Dimension ranges that replace the module's for this variant (e.g. a long reduction).
    dims: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def call_attrs(self) -> dict[str, Any]:
        """The attributes sent to an adapter (and recorded): ``attrs``, plus the
        randomness flag for a variant whose randomness the framework draws."""
        return {**self.attrs, DRAWS_RANDOMNESS: True} if self.draws_randomness else dict(self.attrs)


@dataclass(frozen=True)
class ModuleSpec:
    """One documented module: the row of the spec table."""

    name: str
    family: str
    args: tuple[Arg, ...]
    dims: Callable[[Mapping[str, Any]], Mapping[str, tuple[int, int]]]
    citations: tuple[Citation, ...]
    formula: str
    variants: tuple[Variant, ...] = (Variant(),)
    # Names of the outputs of a module with several (e.g. ("y", "h_T")); checks are then
    # ``forward:<name>``. Empty: one output, check ``forward``.
    outputs: tuple[str, ...] = ()
    tolerance: Tolerance = Tolerance()
    dtypes: tuple[str, ...] = ("float32", "float64", "bfloat16", "float16")
    # The low-precision error model's roundings for bfloat16 and float16 (``LowPrecision``).
    low_precision: LowPrecision = LowPrecision()
    # For a variant with ``draws_randomness``: ``recover(args64, output) -> {name: array}``
    # recovers the arguments the framework drew (the mask) from its output; the output and
    # gradients are then judged against the reference given those arguments.
    recover: Callable[..., Any] | None = None
    # Checks beyond forward and gradients, for a variant with ``draws_randomness``:
    # (name, fn(args64, recovered, attrs) -> (deviation, bound, detail)); the check passes
    # when deviation <= bound.
    extra_checks: tuple[tuple[str, Callable[..., Any]], ...] = ()
    # The arithmetic of its float32 work (``MATMUL``, ``REDUCTION`` or ``ELEMENTWISE``):
    # which tolerance models apply (TF32 only to ``TF32_ARITHMETIC``). Declared by the
    # family file; ``ELEMENTWISE`` assumes no matrix unit.
    arithmetic: str = ELEMENTWISE
    # Forward FLOPs, where the generic weight-matrix rule of ``conformance.bench.flops`` does
    # not apply (attention: its products are between inputs): fn(shapes, attrs) -> int.
    flops: Callable[..., Any] | None = None
    # The module's large shapes and the size thresholds that apply to it
    # (``conformance.model.sizes.Sizes``; declared per family in ``specs/sizes.py``).
    sizes: Any = None

    @property
    def differentiable(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if a.differentiable)

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        known = ", ".join(repr(v.name) for v in self.variants)
        raise KeyError(f"{self.name} has no variant {name!r} (known: {known})")

    def checks(self, variant: Variant) -> tuple[str, ...]:
        """The check names a case of this module reports, in order."""
        forward = [f"forward:{o}" for o in self.outputs] or ["forward"]
        names = forward + [f"grad:{a.name}" for a in self.differentiable]
        if variant.draws_randomness:
            names += [name for name, _ in self.extra_checks]
        return tuple(names)


def reference_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes the reference takes: the variant's, without the flag that tells an
    adapter the framework draws the randomness (``Variant.call_attrs``)."""
    return {k: v for k, v in attrs.items() if k != DRAWS_RANDOMNESS}
