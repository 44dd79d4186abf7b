"""One example of forward-mode and second-order checks: ask the framework by every route,
build the oracles from the float64 references, compare, and compare the routes.

Checks are named ``jvp:<arg>@<route>`` (the output tangent for a tangent on ``arg``),
``hvp:<arg>@<route>`` (``arg``'s part of the Hessian-vector product of ⟨u, f(x)⟩ along the
joint tangent), ``jacobian:<arg>@<api>`` and ``hessian:<arg>@<api>`` (the full matrices at
small sizes: ``conformance.run.jacobians``); ``<kind>:<arg>@<route>~<first route>`` compares a route with the
framework's first route of that kind, within twice the error model (routes that should
agree must, to rounding). The tangents are drawn from the example's seed after the inputs
and the cotangent, uniform in [−1, 1] and rounded to the case's dtype. Variants with
convention rules are judged under every rule set, as first order is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from references import REFERENCES

from conformance.judge.comparison import CheckResult, compare
from conformance.run.example import _key, arithmetic, rule_sets
from conformance.judge.oracles import (HvpOracle, basis_rows, hvp_oracle, judge_hvp, judge_hvp_projected, judge_jvp,
                                      jvp_oracle)
from conformance.draw.strategies import make_cotangent, make_inputs
from conformance.run.jacobians import batch_summed, hessian_oracle, jacobian_oracle, judge_hessian, judge_jacobian

from conformance.model.checks import DERIVATIVE_KINDS as KINDS  # noqa: E402
from conformance.model.checks import derivative, parse, parse_derivative  # noqa: E402
from conformance.model.spec import reference_attrs  # noqa: E402
from conformance.judge.witnesses import FdWitness  # noqa: E402

FD_THRESHOLD = 1e-5  # the oracle's relative gap to central differences that counts as agreement
# Examples per case for the derivative checks: the quick profile (the CI gate) runs one, on
# its pool's smallest shape (every route is a new program per shape, and JAX's eager mode
# compiles each primitive per shape: the smallest shape is the one modules share); any
# other profile runs as many as it runs for first order, on its own shapes.
EXAMPLES = {"quick": 1}
TANGENT_STREAM = 13  # the tangents' generator: (example seed, this)
DTYPES = ("float32", "float64")  # the derivative checks' dtypes (low precision: first order only)


def grad_ulps(spec, arithmetic_: str) -> float:
    """The first-order gradient's ulps for this arithmetic (the error model's, ``execute``)."""
    from conformance.run import example as execute

    ulps = getattr(execute, "_ulps", None)
    return ulps(spec, arithmetic_, "grad") if ulps else spec.tolerance.grad




def check_names(spec, routes: Mapping[str, tuple[str, ...]]) -> list[str]:
    return [derivative(kind, a.name, route) for kind in KINDS for route in routes.get(kind, ())
            for a in spec.differentiable]


parse_check = parse_derivative  # (kind, argument, route) or None: conformance.model.checks


@dataclass
class DerivativeOutcome:
    checks: list[CheckResult] = field(default_factory=list)
    # Per check (one kind, one argument, one route): where the derivative does not exist (a
    # kink, a tie), each route composes the framework's rules for it its own way: forward
    # mode may take one side of a kink and reverse mode the other, and a mixed second
    # derivative taken in one order crosses the kink of a different rule than in the other
    # order. So each check is judged under every rule set on its own, and the rules the
    # routes follow are reported (a disagreement between routes that each follow a known
    # rule is a convention: ``settle_routes``).
    rule_checks: dict[str, list[CheckResult]] = field(default_factory=dict)  # rule key -> checks
    explained_by: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # check -> rules
    unsupported: dict[tuple[str, str], str] = field(default_factory=dict)
    skipped: dict[tuple[str, str], str] = field(default_factory=dict)  # the suite's size caps
    errors: dict[tuple[str, str], str] = field(default_factory=dict)
    info: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(self.explained_by.get(c.check) for c in self.checks)

    def judged(self, check: str) -> CheckResult | None:
        """The check under the first rule set that explains it (None: none does)."""
        rules = self.explained_by.get(check)
        if not rules:
            return None
        return next(c for c in self.rule_checks[_key(rules[0])] if c.check == check)


def draw(case, example: Mapping[str, Any]):
    """(inputs in dtype, float64 arguments, cotangent, float64 cotangent list, tangents)."""
    spec, dtype = case.spec, case.dtype
    inputs, rng = make_inputs(spec, case.variant, example, dtype)
    args64 = {k: v.astype(np.float64) for k, v in inputs.items()}
    probe = REFERENCES[spec.name].forward(*args64.values(), **reference_attrs(case.variant.attrs))
    multiple = isinstance(probe, tuple)
    shapes = [np.shape(p) for p in (probe if multiple else (probe,))]
    cts = [make_cotangent(s, rng, dtype) for s in shapes]
    cotangent = tuple(cts) if multiple else cts[0]
    trng = np.random.default_rng([int(example["seed"]), TANGENT_STREAM])
    tangents = {a.name: trng.uniform(-1.0, 1.0, size=inputs[a.name].shape).astype(dtype)
                for a in spec.differentiable}
    return inputs, args64, cotangent, [c.astype(np.float64) for c in cts], tangents, shapes


def run_derivative_example(case, adapter, example: Mapping[str, Any],
                           routes: Mapping[str, tuple[str, ...]]) -> DerivativeOutcome:
    spec, variant, dtype = case.spec, case.variant, case.dtype
    tol_dtype = arithmetic(case, adapter)
    inputs, args64, cotangent, cts64, tangents, shapes = draw(case, example)
    diff = [a.name for a in spec.differentiable]
    from conformance.run.jacobians import size_skips

    over = size_skips(routes, shapes, [inputs[n].shape for n in diff])
    skipped = {(k, r): why for k, why in over.items() for r in routes.get(k, ())}
    routes = {k: v for k, v in routes.items() if k not in over}
    results = adapter.derivatives(spec.name, [inputs[a.name] for a in spec.args],
                                  [a.name for a in spec.args], diff, tangents, cotangent,
                                  getattr(variant, "call_attrs", variant.attrs), routes=routes, dtype=dtype, device=case.device,
                                  mode=case.mode, seed=int(example["seed"]))
    outcome = DerivativeOutcome()
    outcome.skipped.update(skipped)
    answered = []
    for r in results:
        if r.unsupported is not None:
            outcome.unsupported[(r.kind, r.route)] = r.unsupported
        elif getattr(r, "skipped", None) is not None:
            outcome.skipped[(r.kind, r.route)] = r.skipped
        elif r.error is not None:
            outcome.errors[(r.kind, r.route)] = r.error
        else:
            for n, why in getattr(r, "unsupported_args", {}).items():
                outcome.unsupported[(r.kind, r.route, n)] = why
            answered.append(r)
    ref = REFERENCES[spec.name]
    attrs = reference_attrs(variant.attrs)
    ulps = grad_ulps(spec, tol_dtype)
    t64 = {n: tangents[n].astype(np.float64) for n in diff}
    multiple = len(shapes) > 1 or isinstance(cotangent, tuple)
    u = tuple(cts64) if multiple else cts64[0]
    for i, rules in enumerate(rule_sets(variant.rules)):
        def vjp(cts, rules=rules):
            grads = ref.vjp(tuple(cts) if multiple else cts[0], *args64.values(), **attrs, **rules)
            return {a.name: g for a, g in zip(spec.args, grads) if a.name in diff}

        def grad(args, rules=rules):
            grads = ref.vjp(u, *args.values(), **attrs, **rules)
            return {a.name: g for a, g in zip(spec.args, grads) if a.name in diff}

        checks = []
        row = basis_rows(vjp, shapes)  # the reference's rows of J, shared by jvp and jacobian
        if any(r.kind == "jvp" for r in answered):
            jo = jvp_oracle(vjp, shapes, t64, np.random.default_rng([int(example["seed"]), 29]), row)
        if any(r.kind == "hvp" for r in answered):
            ho = hvp_oracle(spec.name, grad, args64, diff, t64, u, {**attrs, **rules})
            ho.terms = declared_terms(spec, args64, u, attrs, t64, diff)
        if any(r.kind == "jacobian" for r in answered):
            jac = jacobian_oracle(vjp, shapes, diff, row)
        if any(r.kind == "hessian" for r in answered):
            hess = hessian_oracle(spec.name, grad, args64, diff, u, {**attrs, **rules})
        for r in answered:
            for n in diff:
                name = f"{r.kind}:{n}@{r.route}"
                if n in getattr(r, "unsupported_args", {}):
                    continue  # a skip in the framework's words (``outcome.unsupported``)
                if r.values.get(n) is None:
                    checks.append(CheckResult(name, False, np.inf, np.inf, np.inf, 0.0,
                                              detail="the route returned no value"))
                elif r.kind == "jvp":
                    checks.append(judge_jvp(name, r.values.get(n), jo, n, tol_dtype, ulps))
                elif r.kind == "jacobian":
                    expected = (batch_summed(jac[n], shapes, inputs[n].shape)
                                if getattr(r, "batch_summed", False) else jac[n])
                    checks.append(judge_jacobian(name, r.values.get(n), expected, tol_dtype, ulps))
                elif r.kind == "hessian":
                    checks.append(judge_hessian(name, r.values.get(n), hess, n, tol_dtype, ulps))
                elif getattr(r, "projected", False):
                    checks.append(judge_hvp_projected(name, r.values.get(n), ho, n, t64[n], tol_dtype, ulps))
                else:
                    checks.append(judge_hvp(name, r.values.get(n), ho, n, tol_dtype, ulps))
        if i == 0:
            outcome.checks = checks
            hv = any(r.kind == "hvp" for r in answered)
            agreement = _route_agreement(answered, diff, tol_dtype, ulps, ho.scale if hv else 0.0,
                                         ho.terms if hv else {})
        outcome.rule_checks[_key(rules)] = checks
        for c in checks:
            if c.passed:
                outcome.explained_by.setdefault(c.check, []).append(rules)
    if answered:
        outcome.info = settle_routes(agreement, outcome.checks, outcome.explained_by,
                                     documented=rule_sets(variant.rules)[0])
    return outcome


def declared_terms(spec, args64, cotangent, attrs, tangents, diff) -> dict:
    """{argument: |terms| of H v} where the spec declares them (``spec.Tolerance.terms``)."""
    terms = {n: spec.tolerance.declared_terms(f"hvp:{n}", args64, cotangent, attrs, tangents=tangents)
             for n in diff}
    return {n: t for n, t in terms.items() if t is not None}


def _route_agreement(answered, diff, dtype, grad_ulps, scale, terms=None) -> list[CheckResult]:
    """Each route against the first of its kind, within twice the error model (for hvp with
    its gradient-sized term, ``scale`` = max|∇s| max|v|, and the declared ``terms``, but no
    oracle error: none enters)."""
    out = []
    for kind in KINDS:
        # A batch Jacobian is another matrix than J (``batch_summed``): its oracle judges it.
        # So is a projection of H v (``projected``): a scalar per argument.
        same = [r for r in answered if r.kind == kind and not getattr(r, "batch_summed", False)
                and not getattr(r, "projected", False)]
        for other in same[1:]:
            for n in diff:
                a, b = other.values.get(n), same[0].values.get(n)
                if a is None or b is None:
                    continue
                name = derivative(kind, n, other.route, same[0].route)
                if kind == "hvp":
                    first = HvpOracle({n: np.asarray(b, dtype=np.float64)},
                                      {n: np.zeros(np.shape(b))}, f"route {same[0].route}", scale,
                                      {k: v for k, v in (terms or {}).items() if k == n})
                    out.append(judge_hvp(name, a, first, n, dtype, 2 * grad_ulps))
                    continue
                a = np.concatenate([np.ravel(x) for x in a]) if isinstance(a, tuple) else a
                b = np.concatenate([np.ravel(x) for x in b]) if isinstance(b, tuple) else b
                out.append(compare(name, a, b, dtype, 2 * grad_ulps))
    return out


def settle_routes(agreement: list[CheckResult], checks: list[CheckResult],
                  explained: Mapping[str, list[dict[str, str]]],
                  documented: Mapping[str, str]) -> list[CheckResult]:
    """Where two routes of one framework disagree, say which one the oracle sides with
    (the route that fails its own check is the wrong one; both or neither: said so).
    ``explained``: check -> the rule sets under which it passes, the documented one first;
    two routes that each follow a known rule, but no rule in common, disagree by
    convention — the check passes, and its ``convention`` says which rule each follows."""
    for c in agreement:
        if c.passed:
            continue
        name = parse(c.check)
        first, second = (derivative(name.kind, name.arg, name.route),
                         derivative(name.kind, name.arg, name.against))
        if first not in {x.check for x in checks} or second not in {x.check for x in checks}:
            continue
        ra, rb = explained.get(first, []), explained.get(second, [])
        a, b = bool(ra), bool(rb)
        if a and b and not any(r in rb for r in ra):
            c.passed = True
            c.convention = {name.route: ra[0], name.against: rb[0]}
            note = (f"routes follow different rules where the derivative does not exist: "
                    f"{name.route} follows {_key(ra[0])}, {name.against} follows {_key(rb[0])} "
                    f"(the reference's rule: {_key(documented)})")
        elif a != b:
            wrong, right = (name.route, name.against) if b else (name.against, name.route)
            note = f"the oracle settles it: {wrong} is wrong, {right} agrees with the reference"
        else:
            note = ("the oracle agrees with both (the routes differ within its tolerance)" if a
                    else "both routes fail against the oracle")
        c.detail = f"{c.detail}; {note}" if c.detail else note
    return agreement


def fd_witness(case, adapter, example, check: str) -> FdWitness | None:
    """What central differences say about the oracle at a failing example: for jvp, the
    exact J v (duality) against differences of the float64 forward along the tangent; for
    hvp, the oracle against differences of the reference gradient (the hand-written one is
    checked, the difference one checks itself by Richardson)."""
    from conformance.judge.oracles import fd_jvp_witness

    parsed = parse_check(check)
    if parsed is None:
        return None
    kind, arg, _ = parsed
    spec = case.spec
    inputs, args64, cotangent, cts64, tangents, shapes = draw(case, example)
    ref, attrs = REFERENCES[spec.name], reference_attrs(case.variant.attrs)
    diff = [a.name for a in spec.differentiable]
    t64 = {n: tangents[n].astype(np.float64) for n in diff}
    multiple = len(shapes) > 1
    u = tuple(cts64) if multiple else cts64[0]
    if kind == "jvp":
        def vjp(cts):
            grads = ref.vjp(tuple(cts) if multiple else cts[0], *args64.values(), **attrs)
            return {a.name: g for a, g in zip(spec.args, grads) if a.name in diff}
        jo = jvp_oracle(vjp, shapes, {arg: t64[arg]}, np.random.default_rng(0))
        fd = fd_jvp_witness(lambda *a: ref.forward(*a, **attrs), args64, arg, t64[arg])[jo.rows]
        exact = jo.exact[arg]
    else:
        def grad(args):
            grads = ref.vjp(u, *args.values(), **attrs)
            return {a.name: g for a, g in zip(spec.args, grads) if a.name in diff}
        exact = hvp_oracle(spec.name, grad, args64, diff, t64, u, attrs).values[arg]
        fd = hvp_oracle("", grad, args64, diff, t64, u, attrs).values[arg]
    scale = float(np.abs(exact).max(initial=0.0)) + 1e-300
    rel = float(np.abs(np.asarray(fd) - exact).max(initial=0.0)) / scale
    agrees = rel < FD_THRESHOLD
    return FdWitness(applicable=True, agrees=agrees, relative_gap=rel, threshold=FD_THRESHOLD,
                     detail=f"the oracle's {kind} vs central differences of the float64 reference "
                            f"({'agree' if agrees else 'DISAGREE'}: max difference {rel:.2g} of "
                            "max|oracle|)")
