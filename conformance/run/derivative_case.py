"""The forward-mode and second-order checks of one case, as records.

Runs after the first-order checks of the same case, with its own Hypothesis search
(``derivatives.EXAMPLES``: 1 example in the quick profile, the profile's count otherwise,
``--max-examples`` either way)
so that a failure is shrunk on its own and a route the framework does not implement is a
skip that does not hide the others. A route that answers "not implemented" on the first
example is not asked again; its checks are skips whose reason is the framework's own text
(prefixed ``not implemented:``, which the capability matrix reads).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import seed as hypothesis_seed

from adapters.base import Unsupported
from adapters.derivatives import DEFAULT_ROUTES

from conformance.run.derivative_example import DTYPES, EXAMPLES, KINDS, fd_witness, DerivativeOutcome, check_names, parse_check, run_derivative_example
from conformance.judge.witnesses import FdWitness
from conformance.results.records import Record, repro_command
from conformance.run.record_fields import case_fields, precision, stats
from conformance.run.example import _key
from conformance.run.case import hypothesis_settings, skip_reason
from conformance.run.search import keyless
from conformance.draw.strategies import SEED_MAX, example_strategy, shape_pool

ORDERS = ("1", "jvp", "hvp", "jacobian", "hessian")
ALIASES = {"2": "hvp", "first": "1", "forward": "jvp", "second": "hvp", "jac": "jacobian",
           "hess": "hessian"}
from conformance.model.checks import NOT_IMPLEMENTED  # noqa: E402


# What a run checks when --orders is not given: every kind, in every profile (the quick
# profile, the CI gate, runs the derivative kinds on one example per case at its pool's
# smallest shape: ``derivative_example.EXAMPLES``). ``--orders 1`` is first order alone.
DEFAULT_ORDERS: dict[str, tuple[str, ...]] = {}


def parse_orders(text: str | None, profile: str | None = None) -> tuple[str, ...]:
    """``1,jvp,2`` -> ("1", "jvp", "hvp"); empty: the profile's default (every kind).
    ValueError lists the valid names."""
    given_ = [ALIASES.get(v.strip(), v.strip()) for v in (text or "").split(",") if v.strip()]
    bad = [g for g in given_ if g not in ORDERS]
    if bad:
        raise ValueError(f"unknown order {', '.join(map(repr, bad))}; valid: 1, jvp, hvp (or 2), jacobian (jac), hessian (hess)")
    if not given_:
        return DEFAULT_ORDERS.get(profile or "", ORDERS)
    return tuple(o for o in ORDERS if o in given_)


class DerivativeFailure(AssertionError):
    pass


@dataclass
class _Acc:
    examples: int = 0
    unsupported: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    worst: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    explained: list = field(default_factory=list)
    failing: tuple | None = None
    case_unsupported: str | None = None

    def add(self, example, outcome: DerivativeOutcome) -> None:
        self.examples += 1
        for key, reason in outcome.unsupported.items():
            self.unsupported.setdefault(key, reason)
        for key, reason in outcome.skipped.items():
            self.skipped.setdefault(key, reason)
        for key, text in outcome.errors.items():
            self.errors.setdefault(key, (text, example))
        for c in outcome.info:
            best = self.info.get(c.check)
            if best is None or c.ratio > best[0].ratio:
                self.info[c.check] = (c, example)
        if outcome.passed:
            self.explained.append(outcome.explained_by)
            for check in outcome.explained_by:
                c = outcome.judged(check)
                best = self.worst.get(check)
                if best is None or c.ratio > best[0].ratio:
                    self.worst[check] = (c, example)
        else:
            self.failing = (outcome, example)


def routes_for(adapter, orders) -> dict[str, tuple[str, ...]]:
    getter = getattr(adapter, "derivative_routes", None)
    routes = getter() if getter else dict(DEFAULT_ROUTES)
    return {k: tuple(v) for k, v in routes.items() if k in KINDS and k in orders and v}


def planned_checks(case, adapter_spec: str, orders) -> list[str]:
    """The ``jvp:``/``hvp:`` checks a case would have recorded: what a case whose framework
    crashed the process stands for besides its first-order checks. None where they are
    skips by construction (the dtypes outside DTYPES, randomness the framework draws) or
    the adapter cannot be loaded (its skip is recorded elsewhere)."""
    from adapters import load_adapter

    if case.dtype not in DTYPES or getattr(case.variant, "draws_randomness", False):
        return []
    try:
        adapter = load_adapter(adapter_spec)
    except (ImportError, AttributeError, ValueError):
        return []
    return check_names(case.spec, routes_for(adapter, orders))


def derivative_records(case, adapter, profile, *, orders=ORDERS, max_examples=None, seed=0,
                       adapter_spec=None) -> list[Record]:
    routes = routes_for(adapter, orders)
    names = check_names(case.spec, routes)
    if not names:
        return []
    order_arg = ",".join(k for k in KINDS if k in routes)
    base = case_fields(case, adapter)

    def rec(**kw):
        return Record(**base, **kw)

    def repro(example):
        return repro_command(case.id, example, adapter_spec) + f" --orders {order_arg}"

    reason = skip_reason(case, adapter)
    if not reason and (getattr(case.variant, "draws_randomness", False) or case.variant.attrs.get("native")):
        reason = ("the framework draws this variant's randomness; forward mode and second order "
                  "are checked on the injected-argument variant")
    if not reason and case.dtype not in DTYPES:
        reason = f"forward-mode and second-order checks run in {' and '.join(DTYPES)}"
    if reason:
        return [rec(check=c, status="skip", reason=reason) for c in names]
    base["precision"] = precision(case, adapter)
    acc = _Acc()
    n = max_examples or EXAMPLES.get(profile.name, profile.max_examples)  # --max-examples wins

    @keyless
    @hypothesis_seed(seed)
    @hypothesis_settings(profile, n)
    @given(example=_examples(case, profile))
    def body(example):
        if acc.case_unsupported:
            return
        active = {k: tuple(r for r in v if (k, r) not in acc.unsupported and (k, r) not in acc.errors)
                  for k, v in routes.items()}
        if not any(active.values()):
            return
        try:
            outcome = run_derivative_example(case, adapter, example, active)
        except Unsupported as exc:
            acc.case_unsupported = str(exc)
            return
        except Exception as exc:
            exc._conformance_example = example
            raise
        acc.add(example, outcome)
        if not outcome.passed:
            raise DerivativeFailure("; ".join(c.describe() for c in outcome.checks if not c.passed))

    try:
        body()
    except DerivativeFailure:
        outcome, example = acc.failing
        by_check = {c.check: c for c in outcome.checks}
        failing = [c.check for c in outcome.checks if not c.passed]
        try:
            fd = fd_witness(case, adapter, example, failing[0]) if failing else None
        except Exception as exc:  # a witness that cannot be computed says so
            fd = FdWitness(applicable=False, agrees=False,
                           detail=f"not computed ({type(exc).__name__}: {exc})")
        out = []
        for name in names:
            c = by_check.get(name)
            if c is None:
                out.append(_unanswered(rec, name, acc, repro))
                continue
            out.append(rec(check=name, status="pass" if c.passed else "fail",
                           verdict="agree" if c.passed else "unexplained",
                           reason="" if c.passed else c.describe(), **stats(c),
                           examples=acc.examples, example=example, repro=repro(example),
                           witnesses={} if c.passed or fd is None else {"finite_differences": fd.to_json()}))
        return out + _info(acc, rec, repro)
    except Exception as exc:  # outside any route: the oracle or the adapter's preamble
        example = getattr(exc, "_conformance_example", None)
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return [rec(check=c, status="error", verdict="unexplained", reason=text,
                    examples=acc.examples, repro=repro(example)) for c in names]
    if acc.case_unsupported:
        return [rec(check=c, status="skip", reason=acc.case_unsupported) for c in names]
    return _passing(names, acc, rec, repro, case) + _info(acc, rec, repro)


def _examples(case, profile):
    """Free shapes: the profile's own strategy. A shape pool (the quick profile): its
    smallest shape — every route is a new program per shape, and the first-order checks
    already cover the others."""
    if profile.free_shapes:
        return example_strategy(case.spec, case.variant, profile)
    from hypothesis import strategies as st

    ranges = {**case.spec.dims(case.variant.attrs), **getattr(case.variant, "dims", {})}
    return st.fixed_dictionaries({"dims": st.just(shape_pool(ranges)[0]),
                                  "seed": st.integers(0, SEED_MAX)})


def _unanswered(rec, name, acc, repro) -> Record:
    kind, arg, route = parse_check(name)
    if (kind, route, arg) in acc.unsupported:  # the route cannot take this argument
        return rec(check=name, status="skip", reason=NOT_IMPLEMENTED + acc.unsupported[(kind, route, arg)],
                   examples=acc.examples)
    if (kind, route) in acc.unsupported:
        return rec(check=name, status="skip", reason=NOT_IMPLEMENTED + acc.unsupported[(kind, route)],
                   examples=acc.examples)
    if (kind, route) in acc.skipped:
        return rec(check=name, status="skip", reason=acc.skipped[(kind, route)], examples=acc.examples)
    if (kind, route) in acc.errors:
        text, example = acc.errors[(kind, route)]
        return rec(check=name, status="error", verdict="unexplained", reason=text,
                   examples=acc.examples, example=example, repro=repro(example))
    return rec(check=name, status="skip", reason="no example reached this check", examples=acc.examples)


def _passing(names, acc, rec, repro, case) -> list[Record]:
    common = {}  # check -> the rule sets that explain it in every example
    for name in names:
        per = [ex[name] for ex in acc.explained if name in ex]
        common[name] = per[0] if per else []
        for ex in per[1:]:
            common[name] = [r for r in common[name] if r in ex]
    documented = {k: v[0] for k, v in case.variant.rules.items()}
    out = []
    for name in names:
        if name not in acc.worst:
            out.append(_unanswered(rec, name, acc, repro))
            continue
        c, example = acc.worst[name]
        common_ = common[name]
        if not common_:
            out.append(rec(check=name, status="fail", verdict="unexplained",
                           reason="examples were explained by different rules and no single "
                                  "known rule explains them all", examples=acc.examples,
                           example=example, repro=repro(example)))
            continue
        convention = None
        if documented not in common_:
            convention = {k: v for k, v in common_[0].items() if v != documented[k]}
        out.append(rec(check=name, status="pass", verdict="convention" if convention else "agree",
                       convention=convention,
                       reason=("follows " + _key(convention) + " where the reference's rule is "
                               + _key({k: documented[k] for k in convention})) if convention else "",
                       **stats(c), examples=acc.examples, example=example, repro=repro(example)))
    return out


def _info(acc, rec, repro) -> list[Record]:
    out = []
    for name, (c, example) in sorted(acc.info.items()):
        if c.convention:  # each route follows a known rule, not the same one
            out.append(rec(check=name, status="pass", verdict="convention",
                           convention={route: _key(r) for route, r in c.convention.items()},
                           reason=c.detail, **stats(c), examples=acc.examples,
                           example=example, repro=repro(example)))
            continue
        out.append(rec(check=name, status="pass" if c.passed else "fail",
                       verdict="agree" if c.passed else "unexplained",
                       reason="" if c.passed else "routes disagree: " + c.describe(), **stats(c),
                       examples=acc.examples, example=example, repro=repro(example)))
    return out


def replay(case, adapter, example, orders, echo=print) -> bool:
    """Rerun one example's derivative checks (the ``repro`` command); True when they pass."""
    routes = routes_for(adapter, orders)
    if not routes:
        return True
    outcome = run_derivative_example(case, adapter, example, routes)
    for key, why in outcome.unsupported.items():
        echo(f"  skip {key[0]}@{key[1]}: {NOT_IMPLEMENTED}{why}")
    for key, why in outcome.skipped.items():
        echo(f"  skip {key[0]}@{key[1]}: {why}")
    for key, text in outcome.errors.items():
        echo(f"  ERR  {key[0]}@{key[1]}: {text}")
    for c in outcome.checks + outcome.info:
        echo(f"  {'ok  ' if c.passed else 'FAIL'} {c.describe()}")
    agree = all(c.passed for c in outcome.info)
    return outcome.passed and agree and not outcome.errors or (not outcome.checks and not outcome.errors)


__all__ = ["derivative_records", "parse_orders", "replay", "ORDERS"]
