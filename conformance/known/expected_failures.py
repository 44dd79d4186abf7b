"""Expected failures: framework discrepancies this suite found, investigated and explained.

A failing check that matches an entry here is recorded with status ``xfail`` (the record
keeps its errors, its verdict and the entry's explanation) and does not fail the run; CI
gates on new failures only. An entry whose cases now pass is reported as ``xpass`` in the
run's summary so it can be removed: a framework fixed it. Each entry says who is wrong and
why, with the evidence; none is a tolerance loosened. The entries are in ``expected_table.py``.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from conformance.known.expected_entry import Expected
from conformance.known.expected_table import EXPECTED

__all__ = ["EXPECTED", "Expected", "TableError", "apply", "known_error", "match", "validate"]


def match(record, check: str | None = None) -> Expected | None:
    """The entry that explains ``check`` (default: the record's own) of ``record``'s case."""
    check = check if check is not None else (record.get("check") if isinstance(record, dict)
                                             else record.check)
    for e in EXPECTED:
        if check in e.checks and e.covers(record):
            return e
    return None


def apply(records) -> bool:
    """Mark the case's failing records that entries explain ``xfail`` (their reason keeps
    the measurement after the explanation); True when every failure or error of the case is
    explained (the case then does not fail the run). An error is never an expected failure;
    it is explained only where a known framework error names it (``known_error``)."""
    bad = [r for r in records if r.status in ("fail", "error")]
    entries = [match(r) if r.status == "fail" else known_error(r) for r in bad]
    if not bad or not all(e is not None for e in entries):
        return False
    for r, e in [(r, e) for r, e in zip(bad, entries) if r.status == "fail"]:
        r.status, r.reason = "xfail", f"expected failure — {e.why}. Measured: {r.reason}"
        r.witnesses = {**(r.witnesses or {}), "expected_failure": {"entry": e.label}}
    return True


def known_error(record):
    """The known framework error (``conformance.known.discrepancies.KNOWN_ERRORS``) whose text
    an ``error`` record carries, or None. Such an error does not fail its case: the run's
    settling step replays the entry's plain-framework snippet in a fresh process and gives
    the verdict ``framework-error`` only where it reproduces."""
    from conformance.known.discrepancies import find_error

    if record.status != "error":
        return None
    return find_error(record.case_id, record.check, record.reason or "")


class TableError(ValueError):
    """An expected-failure entry that names nothing of the spec table."""


def validate(entries=None, specs=None, frameworks=None) -> None:
    """Every entry must name modules of the table, a known framework, dtype, mode and
    device, a variant pattern that matches a variant of each module, and checks that each
    module reports (first-order names exactly; derivative checks by kind and argument).
    Raises TableError listing every bad entry: a renamed variant or argument never leaves
    an entry silently matching nothing."""
    from adapters.protocol import DEVICES, DTYPES, MODES
    from conformance.model.checks import DERIVATIVE_KINDS, parse

    if specs is None:
        from conformance.specs import BY_NAME as specs
    if frameworks is None:
        from adapters import BUILTIN as frameworks
    problems = []
    for e in EXPECTED if entries is None else entries:
        where = f"expected failure {e.label}"
        if e.framework not in frameworks:
            problems.append(f"{where}: unknown framework {e.framework!r}")
        for field, value, valid in (("dtype", e.dtype, DTYPES), ("mode", e.mode, MODES),
                                    ("device", e.device, DEVICES)):
            if value is not None and value not in valid:
                problems.append(f"{where}: unknown {field} {value!r} (valid: {', '.join(valid)})")
        for module in e.modules:
            spec = specs.get(module)
            if spec is None:
                problems.append(f"{where}: no module {module!r} in the spec table")
                continue
            variants = [v for v in spec.variants if fnmatchcase(v.name, e.variant)]
            if not variants:
                problems.append(f"{where}: no variant of {module} matches {e.variant!r} "
                                f"(variants: {', '.join(repr(v.name) for v in spec.variants)})")
                continue
            if e.form != "*" and not _forms_match(spec, e.form):
                problems.append(f"{where}: no form of {module} matches {e.form!r}")
            first = {c for v in variants for c in spec.checks(v)}
            args = {a.name for a in spec.differentiable}
            for check in e.checks:
                c = parse(check)
                ok = (c.arg in args and bool(c.route)) if c.kind in DERIVATIVE_KINDS else check in first
                if not ok:
                    problems.append(f"{where}: {module} has no check {check!r}")
    if problems:
        raise TableError("; ".join(problems))


def _forms_match(spec, pattern: str) -> bool:
    from conformance.model.forms import CANONICAL
    from conformance.specs.forms import forms_of

    return any(fnmatchcase(f, pattern) for f in (CANONICAL, *forms_of(spec).all()))
