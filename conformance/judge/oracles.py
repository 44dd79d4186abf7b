"""Oracles for forward mode and second order, from the float64 references alone.

They share no code with any framework: only the hand-written reference VJPs
(``references``) and, where one is short and documented, a hand-written second derivative
(``references._second_order``).

* **JVP, by duality.** (J v)_k = ⟨Jᵀ e_k, v⟩: one reference VJP against the output basis
  vector e_k gives row k of J exactly, so at small sizes (at most ``SMALL`` output
  elements) J v is assembled in full; at larger sizes ``SAMPLED`` random rows are assembled
  exactly and ``DENSE`` random cotangents u check the dot-product identity
  ⟨u, J v⟩ = ⟨Jᵀ u, v⟩ on the whole output tangent. No finite-difference noise: the
  elements are judged by the first-order error model (``spec.Tolerance``, ``grad`` ulps),
  the identity by that model propagated through the sum, Σ_i |u_i| tol_i.
* **HVP.** A hand-written H v where there is one (exact). Otherwise the float64 reference
  gradient g(x) = ∇⟨u, f(x)⟩ differentiated along v by central differences
  D(h) = (g(x + h v) − g(x − h v)) / 2h at h and h/2, Richardson-extrapolated,
  R = (4 D(h/2) − D(h)) / 3. Its error estimate, |D(h/2) − D(h)| / 3 (the truncation error
  of D(h/2), which bounds R's) plus the rounding floor 4 ε₆₄ (|g_i| + max|g|) / h (max|g|
  over every differentiated argument: the gradient's intermediates are that large), enters
  the tolerance twice over: tol_i = ulps · u · (|e_i| + max|e| + max|∇s| max|v|) + 2 est_i,
  with ``ulps`` twice the gradient's (the second pass runs the first-order formulas once
  more, on intermediates of the gradient's magnitude: an H v that is small because terms
  of that size cancel, e.g. GELU's tanh form, errs by ulps of max|∇s| per unit tangent). A
  float64 framework is thus judged against what the oracle can resolve (~1e-10 relative),
  a float32 one by its own rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from references._second_order import SECOND_ORDER

from conformance.judge.comparison import EPS, CheckResult, compare, tolerance_array

SMALL, SAMPLED, DENSE = 64, 24, 8
STEP = 2.0**-10  # the central-difference step, relative to the arguments' scale
HVP_ULPS_FACTOR = 2.0


def _flat(arrays) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


def _unflat(flat: np.ndarray, shapes):
    out, i = [], 0
    for s in shapes:
        n = int(np.prod(s))
        out.append(flat[i:i + n].reshape(s))
        i += n
    return out


@dataclass
class JvpOracle:
    rows: np.ndarray                 # flat output indices whose J v is exact
    exact: dict[str, np.ndarray]     # {argument: (J_a v_a)[rows]}
    full: bool                       # rows cover the whole output
    dense_u: list[np.ndarray] = field(default_factory=list)
    dense: dict[str, np.ndarray] = field(default_factory=dict)  # {argument: ⟨Jᵀu_j, v_a⟩}
    size: int = 0


def basis_rows(vjp, out_shapes):
    """``row(k)``: the reference VJP against output basis vector e_k (row k of J, per
    argument), computed once however many oracles ask for it."""
    total = int(sum(int(np.prod(s)) for s in out_shapes))
    done: dict[int, dict] = {}

    def row(k: int) -> dict:
        if k not in done:
            e = np.zeros(total)
            e[k] = 1.0
            done[k] = vjp(_unflat(e, out_shapes))
        return done[k]
    return row


def jvp_oracle(vjp, out_shapes, tangents: dict, rng: np.random.Generator, row=None) -> JvpOracle:
    """``vjp(cotangents: list of arrays) -> {argument: gradient}`` is the float64 reference;
    ``row`` (``basis_rows``) shares its rows with the Jacobian oracle."""
    total = int(sum(int(np.prod(s)) for s in out_shapes))
    full = total <= SMALL
    rows = np.arange(total) if full else np.sort(rng.choice(total, SAMPLED, replace=False))
    exact = {n: np.empty(len(rows)) for n in tangents}
    row = row or basis_rows(vjp, out_shapes)
    for j, k in enumerate(rows):
        g = row(int(k))
        for n, v in tangents.items():
            exact[n][j] = np.vdot(g[n], v)
    oracle = JvpOracle(rows, exact, full, size=total)
    if not full:
        oracle.dense = {n: np.empty(DENSE) for n in tangents}
        for j in range(DENSE):
            u = rng.uniform(-1.0, 1.0, total)
            g = vjp(_unflat(u, out_shapes))
            oracle.dense_u.append(u)
            for n, v in tangents.items():
                oracle.dense[n][j] = np.vdot(g[n], v)
    return oracle


def judge_jvp(check: str, got, oracle: JvpOracle, name: str, dtype: str, ulps: float) -> CheckResult:
    """The framework's output tangent (an array, or a tuple for several outputs) against the
    oracle: exact rows element-wise, then the dot-product identity for each dense u."""
    parts = got if isinstance(got, (tuple, list)) else (got,)
    flat = _flat(parts)
    if flat.size != oracle.size:
        return CheckResult(check, False, np.inf, np.inf, np.inf, 0.0,
                           detail=f"output tangent has {flat.size} elements, expected {oracle.size}")
    result = compare(check, flat[oracle.rows], oracle.exact[name], dtype, ulps)
    if not oracle.full:
        result.detail = f"{len(oracle.rows)} of {oracle.size} elements exact"
        if result.worst_index is not None:
            result.worst_index = (int(oracle.rows[result.worst_index[0]]),)
    if oracle.full or not np.all(np.isfinite(flat)):
        return result
    mag = np.abs(flat)
    elem_tol = ulps * EPS[dtype] * (mag + mag.max())
    for j, u in enumerate(oracle.dense_u):
        lhs, rhs = float(np.dot(u, flat)), float(oracle.dense[name][j])
        err, tol = abs(lhs - rhs), float(np.dot(np.abs(u), elem_tol))
        ratio = 0.0 if err == 0 else (err / tol if tol > 0 else np.inf)
        if ratio > result.ratio:
            result = CheckResult(check, ratio <= 1.0, err, err / max(abs(rhs), 1e-300), ratio, tol,
                                 None, lhs, rhs,
                                 detail=(f"dot-product identity ⟨u, Jv⟩ = ⟨Jᵀu, v⟩ (random u #{j}): "
                                         f"got {lhs!r}, expected {rhs!r}, abs err {err:.3g}, "
                                         f"tolerance {tol:.3g}, ratio {ratio:.3g}"))
    return result


@dataclass
class HvpOracle:
    values: dict[str, np.ndarray]
    error: dict[str, np.ndarray]     # the oracle's own error estimate, element-wise
    method: str                      # "hand-written" or "central differences + Richardson"
    scale: float = 0.0               # max|∇s| · max|v|: the magnitude of the second pass's terms
    terms: dict = field(default_factory=dict)  # the spec's declared terms of H v (Tolerance.terms)


def hvp_oracle(module: str, grad, args64: dict, diff: list[str], tangents: dict,
               cotangent, attrs: dict, g0: dict | None = None) -> HvpOracle:
    """``grad(args: dict) -> {argument: ∇⟨u, f⟩}`` is the float64 reference VJP; ``g0``
    its value at ``args64`` where the caller has it (the Hessian's columns share it)."""
    g0 = g0 if g0 is not None else grad(args64)
    exact = SECOND_ORDER.get(module)
    if exact is not None:
        tans = [tangents.get(n) if n in diff else None for n in args64]
        tans = [None if t is None else np.asarray(t, dtype=np.float64) for t in tans]
        got = exact(cotangent, tans, *args64.values(), **attrs)
        values = {n: np.asarray(h, dtype=np.float64) for n, h in zip(args64, got) if n in diff}
        return HvpOracle(values, {n: np.zeros_like(v) for n, v in values.items()}, "hand-written",
                         _scale(g0, tangents, diff))
    scale = max([1.0] + [float(np.abs(args64[n]).max(initial=0.0)) for n in diff])
    vmax = max([float(np.abs(tangents[n]).max(initial=0.0)) for n in diff] + [1e-300])
    h = STEP * scale / vmax

    def central(step):
        plus = {k: (a + step * tangents[k] if k in diff else a) for k, a in args64.items()}
        minus = {k: (a - step * tangents[k] if k in diff else a) for k, a in args64.items()}
        gp, gm = grad(plus), grad(minus)
        return {n: (gp[n] - gm[n]) / (2 * step) for n in diff}

    d1, d2 = central(h), central(h / 2)
    # The gradient's rounding is that of its intermediates, which are as large as the
    # largest gradient of any differentiated argument (attention: ∇q = dS·K/√d is small
    # where ∇v = Pᵀ dY is not, and errs by ulps of the latter).
    gmax = max([float(np.abs(g0[n]).max(initial=0.0)) for n in diff] + [0.0])
    values, error = {}, {}
    for n in diff:
        values[n] = (4 * d2[n] - d1[n]) / 3
        floor = 4 * EPS["float64"] * (np.abs(g0[n]) + gmax) / h
        error[n] = np.abs(d2[n] - d1[n]) / 3 + floor
    return HvpOracle(values, error, "central differences + Richardson", _scale(g0, tangents, diff))


def _scale(g: dict, tangents: dict, diff: list[str]) -> float:
    gmax = max([float(np.abs(g[n]).max(initial=0.0)) for n in diff] + [0.0])
    vmax = max([float(np.abs(tangents[n]).max(initial=0.0)) for n in diff] + [0.0])
    return gmax * vmax


def judge_hvp(check: str, got, oracle: HvpOracle, name: str, dtype: str, grad_ulps: float) -> CheckResult:
    """One argument's part of H v against the oracle, with the oracle's error in the tolerance."""
    expected, slack = oracle.values[name], 2 * oracle.error[name]
    got = np.asarray(got)
    if got.shape != expected.shape:
        return CheckResult(check, False, np.inf, np.inf, np.inf, 0.0,
                           detail=f"shape {got.shape}, expected {expected.shape}")
    if got.size == 0:
        return CheckResult(check, True, 0.0, 0.0, 0.0, 0.0)
    g = got.astype(np.float64)
    tol = _hvp_tolerance(expected, slack, oracle, name, dtype, grad_ulps)
    with np.errstate(invalid="ignore", over="ignore"):
        # Non-finite expectations (only a route compared with another) must match exactly.
        same = ~np.isfinite(expected) & ((g == expected) | (np.isnan(g) & np.isnan(expected)))
        err = np.where(same, 0.0, np.abs(g - expected))
        err = np.where(np.isfinite(err), err, np.inf)
        tol = np.where(np.isfinite(tol), tol, 0.0)
        ratio = np.where(err == 0, 0.0, np.where(tol > 0, err / np.where(tol > 0, tol, 1), np.inf))
        rel = np.where(err == 0, 0.0, err / np.maximum(np.abs(expected), np.finfo(np.float64).tiny))
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(ratio)), ratio.shape))
    return CheckResult(check, bool(ratio[worst] <= 1.0), float(err.max()), float(rel.max()),
                       float(ratio[worst]), float(tol[worst]), worst, float(g[worst]),
                       float(expected[worst]), detail=f"oracle: {oracle.method}")


def _hvp_tolerance(expected, slack, oracle: HvpOracle, name: str, dtype: str, grad_ulps: float):
    """Each element's allowance: the dtype's, the second pass's terms, the oracle's error."""
    ulps = HVP_ULPS_FACTOR * grad_ulps
    declared = oracle.terms.get(name)
    return (tolerance_array(expected, dtype, ulps) + ulps * EPS[dtype] * oracle.scale + slack
            + (0.0 if declared is None else ulps * EPS[dtype] * declared))


def judge_hvp_projected(check: str, got, oracle: HvpOracle, name: str, tangent, dtype: str,
                        grad_ulps: float) -> CheckResult:
    """One argument's projection ⟨v_a, (H v)_a⟩ (forward over forward above its limit of
    passes, ``DerivativeResult.projected``) against the oracle's H v projected on the same
    tangent. The allowance is each element's, weighted by |v_a| and summed: what the
    elements' own allowances add up to through the projection."""
    got = np.asarray(got, dtype=np.float64)
    if got.size != 1:
        return CheckResult(check, False, np.inf, np.inf, np.inf, 0.0,
                           detail=f"shape {got.shape}, expected a scalar (a projection on the tangent)")
    v = np.asarray(tangent, dtype=np.float64)
    part, slack = oracle.values[name], 2 * oracle.error[name]
    expected = float(np.sum(v * part))
    tol = float(np.sum(np.abs(v) * _hvp_tolerance(part, slack, oracle, name, dtype, grad_ulps)))
    g = float(got.reshape(()))
    with np.errstate(invalid="ignore", over="ignore"):
        err = abs(g - expected) if np.isfinite(g) else np.inf
        ratio = 0.0 if err == 0 else (err / tol if tol > 0 else np.inf)
        rel = 0.0 if err == 0 else err / max(abs(expected), np.finfo(np.float64).tiny)
    return CheckResult(check, bool(ratio <= 1.0), err, rel, ratio, tol, (), g, expected,
                       detail=f"oracle: {oracle.method}; projected on the tangent: ⟨v_{name}, (H v)_{name}⟩ "
                              f"over {v.size} elements (one forward-over-forward pass per argument)")


def fd_jvp_witness(forward, args64: dict, name: str, tangent) -> np.ndarray:
    """Central differences of the float64 forward along one argument's tangent: the
    witness that the reference's J v is right where a framework disagrees."""
    scale = max(1.0, float(np.abs(args64[name]).max(initial=0.0)))
    h = 2.0**-14 * scale / max(float(np.abs(tangent).max(initial=0.0)), 1e-300)
    plus = {k: (a + h * tangent if k == name else a) for k, a in args64.items()}
    minus = {k: (a - h * tangent if k == name else a) for k, a in args64.items()}
    outs = [forward(*plus.values()), forward(*minus.values())]
    outs = [o if isinstance(o, tuple) else (o,) for o in outs]
    return (_flat(outs[0]) - _flat(outs[1])) / (2 * h)
