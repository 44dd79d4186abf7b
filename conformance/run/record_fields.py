"""The fields every record of a case shares, assembled once for every check kind (first
order, derivative kinds): the case's identity, where its formula is documented, whether
the framework composed the module, the precision it ran at, and a check's error figures."""

from __future__ import annotations

from conformance.judge.comparison import CheckResult
from conformance.model.forms import CANONICAL


def identity(case) -> dict:
    """module, attrs, framework, device, dtype, mode, case_id, citations, family, form: what a
    record says of its case without asking the framework (a crashed case has only these)."""
    return dict(module=case.spec.name, attrs=case.attrs, framework=case.framework,
                device=case.device, dtype=case.dtype, mode=case.mode, case_id=case.id,
                citations=[str(c) for c in case.spec.citations], family=case.spec.family,
                form=getattr(case, "form", CANONICAL))


def case_fields(case, adapter) -> dict:
    """The identity and whether the framework composed the module."""
    return {**identity(case), "composed": composed(adapter, case)}


def stats(c: CheckResult) -> dict:
    """A check's error figures at its worst element."""
    return dict(max_abs_err=c.max_abs_err, max_rel_err=c.max_rel_err, tolerance=c.tolerance,
                ratio=c.ratio, worst_index=list(c.worst_index) if c.worst_index else None,
                got=c.got, expected=c.expected, error_eps=c.error_eps)


def composed(adapter, case) -> bool:
    try:
        return bool(adapter.is_composed(case.spec.name, case.variant.call_attrs))
    except TypeError:
        return bool(adapter.is_composed(case.spec.name))


def precision(case, adapter) -> dict:
    """Put the framework in the case's precision mode and say what it is (with the
    accumulation assumed and measured for bfloat16/float16)."""
    from conformance.judge.accumulation import record_entry
    from conformance.run.example import arithmetic

    setter = getattr(adapter, "set_precision", None)
    if setter:
        setter(case.precision)
    flags = getattr(adapter, "precision_flags", lambda: {})()
    out = {"mode": case.precision, "arithmetic": arithmetic(case, adapter), "flags": flags}
    entry = record_entry(case, adapter, out["arithmetic"])
    if entry:
        out["accumulation"] = entry
    return out
