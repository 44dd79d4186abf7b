"""Independent witnesses for a disagreement: float64 central finite differences.

When a framework disagrees with the reference on an example, the suite asks a witness that
shares no code with the reference's backward pass: the directional derivative of the
reference's *forward* pass, by central differences in float64, projected on the
cotangent — ⟨u, J v⟩ ≈ ⟨u, f(x + h v) − f(x − h v)⟩ / 2h for a random direction v —
against ⟨dL/dx, v⟩ from the reference's backward. Agreement means the reference's gradient
is right at that example, so the framework is the one to doubt.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from references import REFERENCES

from conformance.model.spec import reference_attrs
from conformance.draw.strategies import make_cotangent, make_inputs


@dataclass(frozen=True)
class FdWitness:
    """What float64 central differences say about the reference's VJP at one example:
    ``applicable`` (False at ties, kinks and drawn randomness), ``agrees`` (the gap is within
    ``threshold``), the measured ``relative_gap``, and ``detail``, the sentence shown to
    people. Verdicts read the fields, never the sentence."""

    applicable: bool
    agrees: bool
    detail: str
    relative_gap: float | None = None
    threshold: float | None = None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data) -> "FdWitness | None":
        """The witness a record carries (``witnesses["finite_differences"]``), or None."""
        if not isinstance(data, dict):
            return None
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass(frozen=True)
class FrameworksWitness:
    """The other frameworks that ran the same check: which passed and which did not."""

    passing: tuple[str, ...]
    failing: tuple[str, ...]

    def to_json(self) -> dict:
        return {"pass": list(self.passing), "fail": list(self.failing),
                "detail": f"pass: {', '.join(self.passing) or 'none'}; "
                          f"fail: {', '.join(self.failing) or 'none'}"}


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def directional_fd(forward, args: dict, attrs: dict, cts: tuple, name: str, v: np.ndarray,
                   step: float = 1e-6) -> float:
    """⟨u, J v⟩ for the argument ``name``, by float64 central differences of ``forward``."""
    h = step * max(1.0, float(np.abs(args[name]).max(initial=0.0)))
    plus, minus = dict(args), dict(args)
    plus[name] = args[name] + h * v
    minus[name] = args[name] - h * v
    fp = _as_tuple(forward(*plus.values(), **attrs))
    fm = _as_tuple(forward(*minus.values(), **attrs))
    return sum(float(np.sum(c * (a - b))) for c, a, b in zip(cts, fp, fm)) / (2 * h)


def relative_gap(fd: float, analytic: float, grad) -> float:
    scale = max(abs(fd), abs(analytic), float(np.abs(grad).sum()) * 1e-3, 1e-12)
    return abs(fd - analytic) / scale


def reference_vs_fd(case, example, *, step: float = 1e-6, rtol: float = 1e-5) -> FdWitness:
    """Check the reference's VJP at ``example`` against central differences of its forward.

    Not applicable where the variant names convention rules (ties, kinks): there the
    function is not differentiable and a finite difference measures a one-sided slope.
    The error model: central differences err by O(h²·f''') + O(ε·|f|/h) ≈ 1e-10 relative
    for h = 1e-6 on our O(1) domains, so rtol = 1e-5 separates a wrong gradient (errors
    of 1e-4 and up in every planted or real fault seen) from rounding.
    """
    spec, variant = case.spec, case.variant
    if variant.rules:
        return FdWitness(False, False, "not applicable: the variant has ties or kinks")
    if variant.draws_randomness:
        return FdWitness(False, False, "not applicable: the framework draws its own mask")
    ref = REFERENCES[spec.name]
    attrs = reference_attrs(variant.attrs)
    inputs, rng = make_inputs(spec, variant, example, case.dtype)  # the example as it ran
    args = {k: v.astype(np.float64) for k, v in inputs.items()}
    out = ref.forward(*args.values(), **attrs)
    cts = tuple(make_cotangent(np.shape(o), rng, case.dtype).astype(np.float64)
                for o in _as_tuple(out))
    ct = cts if isinstance(out, tuple) else cts[0]
    grads = ref.vjp(ct, *args.values(), **attrs)
    direction_rng = np.random.default_rng(example["seed"] ^ 0x5EED)
    worst = 0.0
    for arg, grad in zip(spec.args, grads):
        if not arg.differentiable:
            continue
        v = direction_rng.uniform(-1.0, 1.0, size=args[arg.name].shape)
        fd = directional_fd(ref.forward, args, attrs, cts, arg.name, v, step)
        worst = max(worst, relative_gap(fd, float(np.sum(np.asarray(grad) * v)), grad))
    agrees = worst <= rtol
    return FdWitness(True, agrees, f"reference VJP vs central differences: relative gap {worst:.2g}"
                     f" ({'agree' if agrees else 'DISAGREE'}, threshold {rtol:g})", worst, rtol)
