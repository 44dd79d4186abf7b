"""Result records: one per (module, attrs, framework, device, dtype, check).

The schema (documented in README.md, section "results.json"):

    module, attrs, framework, device, dtype, mode, check, case_id,
    status      "pass" | "fail" | "error" | "skip" | "xfail" (a failure listed, with its
                explanation, in conformance/known/expected_table.py: it does not fail the run)
    verdict     "agree" | "convention" | "framework-discrepancy" | "document-erratum" |
                "framework-crash" | "framework-error" | "explained" | "unexplained" | null (skips);
                see conformance/judge/verdicts.py
    convention  {rule: value} the framework was measured to follow, when not the documented one
    reason      why a case was skipped, errored or failed (one line)
    max_abs_err, max_rel_err   worst over all examples
    tolerance   the tolerance at the worst element
    ratio       worst error / tolerance (<= 1 passes; the colour of the report's cells)
    worst_index, got, expected  at the worst element
    examples    how many examples ran
    example     the failing (shrunk) example, or the worst passing one
    repro       one shell command that reruns exactly that example
    composed    true when the framework has no native op and the module was composed
    citations   where the formula is documented
    family      the module's family in the spec table (what the report groups by)
    op_source   where the framework's op came from: the adapter's package (e.g.
                "adapters.torch"), or the user's module given with --ops
    witnesses   what the independent witnesses said about a failure (finite differences,
                the other frameworks)
    erratum     the id of the erratum (results.json "errata") behind a document-erratum verdict
    precision   {"mode": "highest" | "default", "arithmetic": the tolerance model's arithmetic
                ("float32", "float64" or "tf32"), "flags": the framework's precision switches}
    duration_s  the case's wall time in its worker (null: the worker crashed)
    timing      time in the framework's calls, first call per shape, steady call, compile
                estimate (conformance/run/timings.py); duration_s and timing are the only
                fields that differ between two runs of the same selection and seed
    shapes      the distinct dims the case's examples ran (small pool and large sizes)
    form        how the op was called: "canonical" or a form such as "axis=0+D=1" or
                "channels_last" (conformance/model/forms.py); a form's records also carry
                the info checks form~canonical:<output> (its results against the same
                framework's canonical call on the same example)
    thresholds  {threshold: crossed?} for every size threshold that applies to the module
                (conformance/model/sizes.py THRESHOLDS), e.g. "elements>32768": true

Informational checks (never failing the run, except a GPU result beyond twice the
tolerance from the same framework's CPU result): ``determinism:<output>`` (two runs
bitwise identical? verdict "nondeterministic" when not) and ``gpu-vs-cpu:<output>``.
"""

from __future__ import annotations

import json
import math
import shlex
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any


@dataclass
class Record:
    module: str
    attrs: dict
    framework: str
    device: str
    dtype: str
    mode: str
    check: str
    case_id: str
    status: str
    verdict: str | None = None
    convention: dict | None = None
    reason: str = ""
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    tolerance: float | None = None
    ratio: float | None = None
    worst_index: list | None = None
    got: float | None = None
    expected: float | None = None
    examples: int = 0
    example: dict | None = None
    repro: str = ""
    composed: bool = False
    citations: list = field(default_factory=list)
    family: str = ""
    op_source: str = ""
    witnesses: dict = field(default_factory=dict)
    erratum: str | None = None
    # How the op was called: "canonical", or a form (conformance/model/forms.py)
    form: str = "canonical"
    precision: dict = field(default_factory=dict)
    # The size dimension (conformance/model/sizes.py): the distinct dims the examples ran, and
    # for each threshold that applies to the module whether one of them crossed it.
    shapes: list = field(default_factory=list)
    thresholds: dict = field(default_factory=dict)
    duration_s: float | None = None
    timing: dict = field(default_factory=dict)
    # The worst error in units of the arithmetic's epsilon of the scale |e_i| + max|e|
    # (ratio × the tolerance's ulps): comparable across dtypes (the report's error chart).
    error_eps: float | None = None

    def to_json(self) -> dict[str, Any]:
        # dataclasses.asdict without its deep copy of every leaf (the run writes ~18,000
        # records; asdict took 0.6 ms each); containers are rebuilt, so no record shares one.
        return {f.name: _finite_or_str(_plain(getattr(self, f.name))) for f in fields(self)}


def _plain(v):
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_plain(x) for x in v)
    if is_dataclass(v) and not isinstance(v, type):
        return {f.name: _plain(getattr(v, f.name)) for f in fields(v)}
    return v


def _finite_or_str(v):
    """JSON has no inf/NaN: write them as strings so the file stays standard JSON."""
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


def repro_command(case_id: str, example: dict | None, adapter_spec: str | None = None) -> str:
    parts = ["python", "-m", "conformance", "repro", case_id]
    if example is not None:
        parts += ["--example", json.dumps(example, separators=(",", ":"), sort_keys=True)]
    if adapter_spec:
        parts += ["--adapter", adapter_spec]
    return " ".join(shlex.quote(p) for p in parts)
