"""How much a reference value moves when its inputs move by one rounding: the scale of the
quantities that cancel in it.

The tolerance's scale ``|e_i| + max_j |e_j|`` (``spec.Tolerance``) assumes the quantities
an element combines are no larger than the largest element of its array. Where they cancel
— a softmax backward ``P ⊙ (dP − rowsum(dP ⊙ P))`` with near-uniform P, a bias gradient
summed over terms of both signs — the result is far smaller than its terms, and every
rounding of a term (of size |t|, not |e|) lands in it at full size. A backward-stable
evaluation returns the exact value at inputs perturbed by a few roundings each, so the
error the model must allow per rounding is the response of the value to one relative
rounding of every input:

    s_i = |f_i(x ⊙ (1 + ρ·r)) − f_i(x)| / ρ,   r_j = ±1 at random, ρ small,

evaluated with the float64 reference (inputs, parameters and the cotangent all perturbed;
for a sum of terms t_k of random sign this is ≈ (Σ t_k²)^½, the size a sum's rounding
errors reach). The tolerance becomes ``ulps · u · (|e_i| + max|e| + s_i)``.

Guards, so that the scale can only describe roundings, never excuse a wrong value:
* it is computed only for a check that fails the plain scale (a passing check is unchanged,
  and costs nothing);
* linearity: the same direction at ρ and ρ/16 must give responses in the ratio 16 (within
  a factor 2) — where a perturbation crosses a kink or a tie (ReLU at 0, tied maxima, a
  step) the response does not shrink with ρ and that element gets no scale;
* ρ = 2⁻²⁰ is far above float64's own rounding (2⁻⁵³) and far below any curvature the
  domains draw, so the second-order term (ρ²) is negligible;
* bitwise-exact checks (``ulps == 0``) never get one;
* in bfloat16 and float16 the low-precision model (``spec.py``) assumes the terms are
  combined in float32, so the terms that cancel may err by float32 roundings, not by the
  storage type's: ``units`` scales s by u(float32)/u(dtype), and an accumulation in the
  input type (torch's float16 layer-norm backward, 1,186 u on the probe) still fails.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

RHO = 2.0**-20
SHRINK = 16.0  # the second evaluation's ρ is RHO / SHRINK
LINEAR = 2.0   # accepted deviation of the response ratio from SHRINK (a factor)
DRAWS = 4      # random directions of the stored-tensor response (``stored_scales``)


def units(arithmetic: str) -> float:
    """The factor that puts s into the tolerance's units for ``arithmetic``: 1, or
    u(float32)/u(dtype) for the low-precision types (their terms combine in float32)."""
    from conformance.judge.comparison import EPS
    from conformance.model.spec import ASSUMED_ACCUMULATION, UNIT_ROUNDOFF

    return EPS[ASSUMED_ACCUMULATION] / EPS[arithmetic] if arithmetic in UNIT_ROUNDOFF else 1.0


def _perturbed(arrays: Sequence, direction: Sequence, rho: float) -> list:
    out = []
    for a, r in zip(arrays, direction):
        if isinstance(a, tuple):
            out.append(tuple(x * (1.0 + rho * d) for x, d in zip(a, r)))
        elif isinstance(a, np.ndarray) and a.dtype.kind == "f":
            out.append(a * (1.0 + rho * r))
        else:
            out.append(a)
    return out


def _direction(arrays: Sequence, rng: np.random.Generator) -> list:
    def one(a):
        if isinstance(a, tuple):
            return tuple(one(x) for x in a)
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            return rng.choice((-1.0, 1.0), size=a.shape)
        return None
    return [one(a) for a in arrays]


def scales(fn: Callable[..., Sequence[np.ndarray]], arrays: Sequence, base: Sequence[np.ndarray],
           seed: int = 0) -> list[np.ndarray]:
    """Per value of ``fn(*arrays)`` (``base``, already computed), the response s_i to one
    relative rounding of every float input, 0 where the response is not linear in ρ."""
    direction = _direction(arrays, np.random.default_rng(seed))
    big = fn(*_perturbed(arrays, direction, RHO))
    small = fn(*_perturbed(arrays, direction, RHO / SHRINK))
    return _responses(base, big, small)


def _responses(base, big, small) -> list[np.ndarray]:
    """|big − base| / ρ where the response is linear in ρ (``big`` at ρ, ``small`` at
    ρ/SHRINK), else 0."""
    out = []
    for b, hi, lo in zip(base, big, small):
        b = np.asarray(b, dtype=np.float64)
        d_hi = np.abs(np.asarray(hi, dtype=np.float64) - b)
        d_lo = np.abs(np.asarray(lo, dtype=np.float64) - b)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = d_hi / d_lo
        linear = np.isfinite(d_hi) & (d_lo > 0) & (ratio >= SHRINK / LINEAR) & (ratio <= SHRINK * LINEAR)
        out.append(np.where(linear, d_hi / RHO, 0.0))
    return out


def stored_scales(fn: Callable[[], Sequence[np.ndarray]], base: Sequence[np.ndarray],
                  seed: int = 0, draws: int = DRAWS) -> list[np.ndarray]:
    """Per value of ``fn()`` (``base``), the root mean square over ``draws`` random
    directions of the response to one relative rounding of every tensor the formula stores
    (``references._stored``): each marked tensor z becomes z ⊙ (1 + ρ·r), r = ±1 at random,
    drawn in the order the tensors are formed (the same at ρ and ρ/SHRINK), with the
    linearity guard of ``scales`` (a non-linear response counts 0).

    For an element that responds to the stored entries z_k with coefficients c_k, one
    direction gives |Σ_k c_k z_k r_k|, whose mean square is Σ_k (c_k z_k)²: the RMS
    estimates the standard deviation of the response, where a single direction can land
    near 0 by chance. It is first order: where one rounding of a stored tensor is not small
    for what follows it (bfloat16 logits near 200 round by up to 0.5, and exp turns that
    into a factor 1.6) the linearisation does not describe it, and a framework that stores
    such a tensor in the dtype fails — the report shows how far it is off. A formula that
    marks nothing has 0."""
    from references._stored import storing

    def run(rho, k):
        rng = np.random.default_rng([seed, k])

        def hook(z):
            z = np.asarray(z, dtype=np.float64)
            return z * (1.0 + rho * rng.choice((-1.0, 1.0), size=z.shape))
        with storing(hook):
            return fn()
    total = [np.zeros(np.shape(b)) for b in base]
    for k in range(draws):
        for t, r in zip(total, _responses(base, run(RHO, k), run(RHO / SHRINK, k))):
            t += r * r
    return [np.sqrt(t / draws) for t in total]
