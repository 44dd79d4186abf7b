"""One example of one case: draw the arrays, ask the framework, ask the reference, compare.

Where the variant names convention rules, every combination of rules is tried against the
reference; the example passes when at least one combination explains every check, and the
outcome lists which ones did (the documented rule first).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from references import REFERENCES

from conformance.judge.comparison import EPS, STORED_NOTE, CheckResult, bitwise_check, bound_check, compare
from conformance.model.checks import parse
from conformance.run.reference_cache import cached, key
from conformance.model.sizes import small_ranges
from conformance.model.spec import reference_attrs  # noqa: F401  (re-exported)
from conformance.model.spec import AUTOCAST_DTYPE, CONST, TF32_ARITHMETIC, UNIT_ROUNDOFF, LowPrecision, ulps_for
from conformance.draw.strategies import make_cotangent, make_inputs
from conformance.model.forms import CANONICAL
from conformance.run.forms import against_canonical, call_in_form


@dataclass
class Outcome:
    """Checks under the documented rules, plus every rule set that explained all checks."""

    checks: list[CheckResult]
    explained_by: list[dict[str, str]] = field(default_factory=list)
    rule_checks: dict[str, list[CheckResult]] = field(default_factory=dict)
    # Informational checks: determinism (bitwise reruns) and GPU-against-CPU agreement.
    info: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.explained_by)


def rule_sets(rules: Mapping[str, tuple[str, ...]]) -> list[dict[str, str]]:
    """Every combination of rule values; the first is the documented one."""
    if not rules:
        return [{}]
    keys = list(rules)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(rules[k] for k in keys))]


def arithmetic(case, adapter) -> str:
    """The arithmetic the tolerance model assumes: the dtype, or "tf32" where the case runs
    at the framework's default precision on a GPU with TF32 switched on for its op (a
    module whose spec declares matmul arithmetic, ``TF32_ARITHMETIC``)."""
    if (case.precision == "default" and case.dtype == "float32"
            and case.spec.arithmetic in TF32_ARITHMETIC and getattr(adapter, "tf32_active", None)
            and adapter.tf32_active(case.device)):
        return "tf32"
    if case.precision == "autocast":  # float32 arguments computed in bfloat16: its model
        return AUTOCAST_DTYPE
    return case.dtype


def _flatten(result, multiple: bool) -> dict[str, np.ndarray]:
    outs = tuple(result.output) if multiple else (result.output,)
    flat = {f"output{i}": np.asarray(o) for i, o in enumerate(outs)}
    flat.update({f"grad:{k}": np.asarray(v) for k, v in result.grads.items()})
    return flat


def run_example(case, adapter, example: Mapping[str, Any], seed: int = 0,
                check_determinism: bool = False) -> Outcome:
    spec, variant, dtype = case.spec, case.variant, case.dtype
    tol_dtype = arithmetic(case, adapter)
    inputs, rng = make_inputs(spec, variant, example, dtype)
    native = variant.draws_randomness
    ref = REFERENCES[spec.name]
    attrs = reference_attrs(variant.attrs)
    args64 = {k: v.astype(np.float64) for k, v in inputs.items()}
    probe = cached(key(case, example, "probe", {}), lambda: ref.forward(*args64.values(), **attrs))
    multiple = isinstance(probe, tuple)
    cotangent = (tuple(make_cotangent(np.shape(p), rng, dtype) for p in probe) if multiple
                 else make_cotangent(np.shape(probe), rng, dtype))
    out_names = [f"forward:{o}" for o in spec.outputs] if multiple else ["forward"]

    sent = [a for a in spec.args if not (native and a.role == CONST)]
    wrt = [a.name for a in spec.differentiable]
    def call(device, form=None):
        form = getattr(case, "form", CANONICAL) if form is None else form
        args, names = [inputs[a.name] for a in sent], [a.name for a in sent]
        kw = dict(dtype=dtype, device=device, mode=case.mode, seed=seed)
        if form != CANONICAL:  # the same example in another form (conformance/run/forms.py)
            return call_in_form(form, spec, adapter, args, names, wrt, cotangent,
                                variant.call_attrs, **kw)
        return adapter.vjp(spec.name, args, names, wrt, cotangent, variant.call_attrs, **kw)

    result = call(case.device)
    info = []
    if getattr(case, "form", CANONICAL) != CANONICAL:
        info += against_canonical(
            _flatten(result, multiple), _flatten(call(case.device, CANONICAL), multiple),
            out_names, lambda check: _ulps(spec, tol_dtype, "grad" if check.startswith("grad")
                                           else "forward", (check, example["dims"], attrs, variant)),
            tol_dtype)
    if check_determinism:
        again = _flatten(call(case.device), multiple)
        info += [bitwise_check(f"determinism:{k}", v, again[k])
                 for k, v in _flatten(result, multiple).items()]
    if case.device != "cpu":
        on_cpu = _flatten(call("cpu"), multiple)
        # Each side is within its tolerance of the reference, so within twice it of the other.
        info += [compare(f"{case.device}-vs-cpu:{k}", v, on_cpu[k], tol_dtype,
                         2 * _ulps(spec, tol_dtype, "grad" if parse(k).kind == "grad" else "forward",
                                   (k, example["dims"], attrs, variant)))
                 for k, v in _flatten(result, multiple).items()]
    recovered = {}
    if native and spec.recover is not None:
        recovered = spec.recover(args64, result.output)
        args64.update(recovered)

    extra = []
    if native:
        for name, fn in spec.extra_checks:
            deviation, bound, detail = fn(args64, recovered, attrs)
            extra.append(bound_check(name, deviation, bound, detail))

    ct64 = (tuple(c.astype(np.float64) for c in cotangent) if multiple
            else cotangent.astype(np.float64))
    got_outputs = tuple(result.output) if multiple else (result.output,)
    outcome = Outcome(checks=[], info=info)
    for i, rules in enumerate(rule_sets(variant.rules)):
        expected = cached(key(case, example, "forward", rules),
                          lambda: ref.forward(*args64.values(), **attrs, **rules))
        grads = cached(key(case, example, "vjp", rules),
                       lambda: ref.vjp(ct64, *args64.values(), **attrs, **rules))
        expected_outputs = expected if multiple else (expected,)
        judged = [(name, got, exp, _ulps(spec, tol_dtype, "forward",
                                         (name, example["dims"], attrs, variant)))
                  for name, got, exp in zip(out_names, got_outputs, expected_outputs)]
        judged += [(f"grad:{arg.name}", result.grads.get(arg.name), grad,
                    _ulps(spec, tol_dtype, "grad", (f"grad:{arg.name}", example["dims"], attrs, variant)))
                   for arg, grad in zip(spec.args, grads) if arg.differentiable]
        checks = [compare(name, got, exp, tol_dtype, ulps) for name, got, exp, ulps in judged]
        if not native and any(_rejudge(c, u) for c, (*_, u) in zip(checks, judged)):
            diff = [i for i, arg in enumerate(spec.args) if arg.differentiable]
            checks = _at_cancelling_scale(spec, checks, judged, tol_dtype, ref, args64, ct64, attrs,
                                          rules, expected_outputs, [grads[i] for i in diff],
                                          multiple, seed)
        checks += extra
        if i == 0:
            outcome.checks = checks
        outcome.rule_checks[_key(rules)] = checks
        if all(c.passed for c in checks):
            outcome.explained_by.append(rules)
    return outcome


def _rejudge(check: CheckResult, ulps: float) -> bool:
    """A failure that the terms' scale may explain: a finite error of a rounded check (its
    ratio may be infinite: an expected result of exactly 0, e.g. a gradient whose terms
    cancel at a dim of 1, has a tolerance of 0 at the plain scale)."""
    return not check.passed and ulps > 0 and check.max_abs_err is not None and \
        np.isfinite(check.max_abs_err)


def _at_cancelling_scale(spec, checks, judged, tol_dtype, ref, args64, ct64, attrs, rules,
                         expected_outputs, grads, multiple, seed):
    """The failed checks judged again with the tolerance's scale widened by the size of the
    terms that cancel in each element (``conformance.judge.sensitivity``), by the spec's own
    cancelling intermediates where it declares them (``Tolerance.terms``), and in bfloat16
    and float16 by the roundings of the tensors the formula stores (``LowPrecision``)."""
    from conformance.judge.sensitivity import scales, stored_scales, units

    names = [n for n, *_ in judged]
    fwd_names = [n for n in names if parse(n).kind != "grad"]
    grad_names = [n for n in names if parse(n).kind == "grad"]
    failing = {n for c, (n, *_, u) in zip(checks, judged) if _rejudge(c, u)}
    inputs = list(args64.values())
    order = [parse(n).arg for n in grad_names]

    def forward(*a):
        out = ref.forward(*a, **attrs, **rules)
        return out if multiple else (out,)

    def vjp(ct, *a):
        g = dict(zip(args64, ref.vjp(ct, *a, **attrs, **rules)))
        return [g[n] for n in order]

    low = tol_dtype in UNIT_ROUNDOFF
    s: dict[str, np.ndarray] = {}
    stored: dict[str, np.ndarray] = {}
    if failing & set(fwd_names):
        s.update(zip(fwd_names, scales(forward, inputs, expected_outputs, seed)))
        if low:
            stored.update(zip(fwd_names, stored_scales(lambda: forward(*inputs),
                                                       expected_outputs, seed)))
    if failing & set(grad_names):
        s.update(zip(grad_names, scales(vjp, [ct64, *inputs], grads, seed)))
        if low:
            stored.update(zip(grad_names, stored_scales(lambda: vjp(ct64, *inputs), grads, seed)))
    for n in failing:
        t = spec.tolerance.declared_terms(n, args64, ct64, attrs)
        if t is not None:
            s[n] = s[n] + t if n in s else t
    factor = units(tol_dtype)
    scale = {n: factor * s[n] for n in failing if n in s}
    stored = {n: r for n, r in stored.items() if n in failing and np.any(r > 0)}
    ulps = {n: u for n, *_, u in judged}
    for n, r in stored.items():
        add = LowPrecision.stored_term(tol_dtype, ulps[n], EPS[tol_dtype]) * r
        scale[n] = scale[n] + add if n in scale else add
    return [compare(n, got, exp, tol_dtype, u, cancelling=scale[n],
                    note=STORED_NOTE if n in stored else None) if n in scale
            else c for c, (n, got, exp, u) in zip(checks, judged)]


def _ulps(spec, arithmetic: str, kind: str, at=None) -> float:
    """The spec's tolerance for ``kind``; for bfloat16/float16 the low-precision model.
    ``at`` = (check, dims, attrs, variant): grown with the check's reduction length at
    those dims (``spec.Tolerance``, "Growth with size")."""
    tolerance = spec.tolerance
    if at is not None:
        check, dims, attrs, variant = at
        tolerance = tolerance.at(check, dims, attrs, small_ranges(spec, variant))
    return ulps_for(tolerance, spec.low_precision, arithmetic, kind)


def _key(rules: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in rules.items())
