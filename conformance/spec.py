"""The data model of the spec table: what a module is, what it takes, how to judge it.

A :class:`ModuleSpec` says everything the suite needs to test one documented module —
its reference, its arguments (with roles and value domains), the shapes it is drawn at,
its attributes and named variants, the dtypes, the tolerances and the citations — so that
the conformance test itself holds no per-module special case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from adapters.base import DRAWS_RANDOMNESS

from .domains import Domain

INPUT, PARAM, CONST = "input", "param", "const"

# What a module's float32 work is, for the tolerance models that depend on the arithmetic
# unit rather than on the dtype alone: TF32 (and the low-precision models) apply to
# ``matmul`` work — matrix products and convolutions, recurrent layers included.
MATMUL, REDUCTION, ELEMENTWISE = "matmul", "reduction", "elementwise"
ARITHMETIC = (MATMUL, REDUCTION, ELEMENTWISE)
TF32_ARITHMETIC = frozenset({MATMUL})


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
    """

    forward: float = 16.0
    grad: float = 32.0


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
    dtypes: tuple[str, ...] = ("float32", "float64")
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
