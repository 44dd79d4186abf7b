"""Run one case: Hypothesis draws examples, each is executed and compared, and the worst
result per check becomes that check's record.

A failing example is shrunk by Hypothesis (smaller dims, then a smaller seed); the record
keeps the shrunk example and a command that replays it. An exception inside the framework
is an ``error`` record with the exception, never a crash of the run; an
``adapters.base.Unsupported`` is a ``skip`` with its reason.
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, settings

from adapters.base import Unsupported

from conformance.model.checks import parse
from conformance.plan.cases import Case
from conformance.judge.comparison import CheckResult
from conformance.run.inflight import note as note_example
from conformance.run.examples_db import forget as forget_failures
from conformance.run.examples_db import remember as remember_failure
from conformance.run.examples_db import replay_saved
from conformance.run.example import Outcome, _key, run_example
from conformance.plan.profiles import Profile
from conformance.results.records import Record, repro_command
from conformance.run.record_fields import case_fields, precision, stats
from conformance.run.search import replay, search, sized_fields
from conformance.judge.witnesses import reference_vs_fd


class CaseFailure(AssertionError):
    """An example whose checks no known rule explains (what Hypothesis shrinks)."""


@dataclass
class Accumulator:
    worst: dict[str, tuple[CheckResult, dict]] = field(default_factory=dict)
    examples: int = 0
    explained: list[list[dict]] = field(default_factory=list)
    failing: tuple[Outcome, dict] | None = None
    unsupported: str | None = None
    info: dict[str, tuple[CheckResult, dict]] = field(default_factory=dict)
    dims: list[dict] = field(default_factory=list)  # the distinct dims run, in order

    def add(self, example: dict, outcome: Outcome) -> None:
        self.examples += 1
        if example["dims"] not in self.dims:
            self.dims.append(example["dims"])
        for c in outcome.info:
            best = self.info.get(c.check)
            if best is None or c.ratio > best[0].ratio or (best[0].passed and not c.passed):
                self.info[c.check] = (c, example)
        if outcome.passed:
            self.explained.append(outcome.explained_by)
            checks = outcome.rule_checks[_key(outcome.explained_by[0])]
            for c in checks:
                best = self.worst.get(c.check)
                if best is None or c.ratio > best[0].ratio:
                    self.worst[c.check] = (c, example)
        else:
            self.failing = (outcome, example)

    def common_rules(self) -> list[dict]:
        """Rule sets that explained every example (documented first)."""
        if not self.explained:
            return []
        common = self.explained[0]
        for ex in self.explained[1:]:
            common = [r for r in common if r in ex]
        return common


def hypothesis_settings(profile: Profile, max_examples: int | None) -> settings:
    return settings(max_examples=max_examples or profile.max_examples, deadline=None,
                    database=None, print_blob=False, report_multiple_bugs=False,
                    suppress_health_check=list(HealthCheck),
                    phases=(Phase.explicit, Phase.generate, Phase.shrink))


def run_case(case: Case, adapter, profile: Profile, *, max_examples: int | None = None,
             seed: int = 0, adapter_spec: str | None = None,
             check_determinism: bool = False) -> list[Record]:
    acc = Accumulator()
    base = case_fields(case, adapter)
    reason = skip_reason(case, adapter)
    if reason:
        return [Record(**base, check=c, status="skip", reason=reason)
                for c in case.spec.checks(case.variant)]
    base["precision"] = precision(case, adapter)

    seen: dict[str, Outcome] = {}  # Hypothesis redraws a finite size pool: run each once

    def body(example):
        if acc.unsupported:
            return
        key = json.dumps(example, sort_keys=True)
        if key in seen:
            return replay(seen[key], example, acc, CaseFailure)
        note_example(case.id, example)  # survives the process if the framework kills it
        try:
            outcome = run_example(case, adapter, example, seed=example["seed"],
                                  check_determinism=check_determinism)
        except Unsupported as exc:
            acc.unsupported = str(exc)
            return
        except Exception as exc:
            missing = _no_kernel(adapter, exc, case)
            if missing:  # no kernel for this low-precision dtype: a skip in its own words
                acc.unsupported = missing
                return
            exc._conformance_example = example  # the replayable example, for the record
            raise
        acc.add(example, outcome)
        seen[key] = outcome
        replay(outcome, example, acc, CaseFailure)

    def rec(**kw):
        return Record(**base, **sized_fields(case, acc.dims), **kw)

    try:
        replay_saved(body, case)  # failures an earlier run saved (--database), first
        search(body, case, profile, hypothesis_settings(profile, max_examples
                                                         or _examples(profile, case)), seed=seed,
               failure=CaseFailure)
    except CaseFailure:
        outcome, example = acc.failing
        remember_failure(case.id, example)
        repro = repro_command(case.id, example, adapter_spec)
        fd = reference_vs_fd(case, example)
        witnesses = {"finite_differences": fd.to_json()}
        accumulation = _accumulation(case, adapter)
        if accumulation:  # low precision: name the accumulation measured for this family
            witnesses["accumulation"] = accumulation
        out = []
        for c in outcome.checks:
            out.append(rec(check=c.check, status="pass" if c.passed else "fail",
                           verdict="agree" if c.passed else "unexplained",
                           reason="" if c.passed else c.describe() + _closest_rule(outcome, c)
                           + (f"; {accumulation}" if accumulation else ""), **stats(c),
                           examples=acc.examples, example=example, repro=repro,
                           witnesses={} if c.passed else dict(witnesses)))
        return out
    except Exception as exc:  # the framework crashed: record it, keep the run going
        example = getattr(exc, "_conformance_example", None)
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return [rec(check=c, status="error", verdict="unexplained", reason=text,
                    examples=acc.examples, repro=repro_command(case.id, example, adapter_spec))
                for c in case.spec.checks(case.variant)]
    if acc.unsupported:
        return [rec(check=c, status="skip", reason=acc.unsupported)
                for c in case.spec.checks(case.variant)]
    forget_failures(case.id)  # passed: a saved failure of it no longer reproduces
    return _passing_records(case, acc, rec, adapter_spec) + _info_records(case, acc, rec, adapter_spec)


def _info_records(case, acc, rec, adapter_spec):
    out = []
    for name, (c, example) in sorted(acc.info.items()):
        repro = repro_command(case.id, example, adapter_spec)
        if parse(name).kind == "determinism":
            out.append(rec(check=name, status="pass",
                           verdict="agree" if c.passed else "nondeterministic",
                           reason=c.detail, max_abs_err=c.max_abs_err, examples=acc.examples,
                           example=example, repro=repro))
        else:
            out.append(rec(check=name, status="pass" if c.passed else "fail",
                           verdict="agree" if c.passed else "unexplained",
                           reason="" if c.passed else c.describe(), **stats(c),
                           examples=acc.examples, example=example, repro=repro))
    return out


def _closest_rule(outcome, c: CheckResult) -> str:
    """For a check that fails under the documented rule of a variant with known alternatives
    (tie rules, fully masked rows, ...): how it fares under the alternative that comes
    closest, so that a framework off by a little from another rule reads as such ("" when
    no alternative does better)."""
    documented = next(iter(outcome.rule_checks), None)
    best = None
    for key, checks in outcome.rule_checks.items():
        if key == documented:
            continue
        alt = next((a for a in checks if a.check == c.check), None)
        if alt is not None and alt.ratio < c.ratio and (best is None or alt.ratio < best[1].ratio):
            best = (key, alt)
    if best is None:
        return ""
    key, alt = best
    verdict = "passes" if alt.passed else "fails too"
    return f"; under the closest known rule, {key}, it {verdict}: {alt.describe()}"


def _passing_records(case, acc, rec, adapter_spec):
    common = acc.common_rules()
    rules = case.variant.rules
    documented = {k: v[0] for k, v in rules.items()}
    if not common:
        reason = ("examples were explained by different rules and no single known rule "
                  "explains them all: " + " | ".join(
                      "/".join(_key(r) for r in ex) for ex in acc.explained))
        return [rec(check=c, status="fail", verdict="unexplained", reason=reason,
                    examples=acc.examples, repro=repro_command(case.id, None, adapter_spec))
                for c in case.spec.checks(case.variant)]
    convention = None
    if documented not in common:
        convention = {k: v for k, v in common[0].items() if v != documented[k]}
    out = []
    for name in case.spec.checks(case.variant):
        c, example = acc.worst[name]
        reason = ""
        if convention:
            reason = ("follows " + _key(convention) + " where the reference's rule is "
                      + _key({k: documented[k] for k in convention}))
        out.append(rec(check=name, status="pass", verdict="convention" if convention else "agree",
                       convention=convention, reason=reason, **stats(c), examples=acc.examples,
                       example=example, repro=repro_command(case.id, example, adapter_spec)))
    return out


def _accumulation(case: Case, adapter) -> str:
    """For a failing bfloat16/float16 case: the accumulation its framework was measured to
    use for this module's family (``conformance.judge.accumulation``), as one sentence."""
    from conformance.judge.accumulation import describe, measured_for

    try:
        return describe(measured_for(adapter, case.spec, case.dtype, case.device))
    except Exception as exc:  # the probe must never hide the case's own failure
        return f"accumulation probe failed: {type(exc).__name__}: {exc}"


def _examples(profile: Profile, case: Case) -> int | None:
    """The profile's examples for a bfloat16/float16 case (None: its ``max_examples``)."""
    from adapters.base import LOW_PRECISION

    return profile.low_precision_examples if case.dtype in LOW_PRECISION else None


def _no_kernel(adapter, exc: BaseException, case: Case) -> str | None:
    hook = getattr(adapter, "no_kernel_reason", None)
    return hook(exc, case.dtype, case.device) if hook else None


def skip_reason(case: Case, adapter) -> str | None:
    """Why a case cannot run on this adapter (framework, dtype, device, module, attributes),
    or None; the first-order and the derivative runs skip for the same reasons."""
    reason = adapter.unavailable_reason()
    if reason:
        return reason
    if case.dtype not in case.spec.dtypes:
        return f"{case.spec.name} is not specified for {case.dtype}"
    reason = adapter.device_reason(case.device)
    if reason:
        return reason
    if not adapter.supports(case.spec.name):
        return f"{adapter.name} has no implementation of {case.spec.name}"
    check = getattr(adapter, "unsupported_reason", None)
    reason = check(case.spec.name, case.variant.call_attrs) if check else None
    if reason or getattr(case, "form", "canonical") == "canonical":
        return reason
    from adapters.base import form_reason

    return form_reason(adapter, case.spec.name, case.form, case.variant.call_attrs)
