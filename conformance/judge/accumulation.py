"""Measured accumulation: does a framework accumulate low-precision reductions in float32
or in the input type?

The low-precision error model (``spec.LowPrecision``) assumes float32 accumulation. This
measures it instead of assuming it: each probe (``specs/accumulation.py``) runs one module of
the spec table through the adapter's ``vjp`` on inputs where a running sum kept in the
input type errs by tens of percent and a float32 accumulator by at most the output's own
rounding, and judges the output and every gradient against the float64 reference on the
same values. The worst error, in units of the dtype's unit roundoff u of the largest
expected magnitude, classifies the framework:

* ``float32``: within ``FLOAT32_BOUND`` u (the output's rounding and a few stored
  intermediates: the float32-accumulation model);
* the dtype itself (``bfloat16`` / ``float16``): beyond it — an accumulator rounded to the
  input type (running, per-lane or tree): on the probes' cancelling values a float32
  accumulator is exact and an input-type one errs by many u (a running bfloat16 sum of n
  positive values also stalls at 256).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from conformance.draw.representable import rounded
from conformance.model.probes import Probe  # noqa: F401  (the table's probes are Probes)
from conformance.model.spec import UNIT_ROUNDOFF

FLOAT32_BOUND = 4.0
FLOAT32 = "float32"


def length(dtype: str) -> int:
    """n = 8192 = 2¹³: long enough that a running sum in bfloat16 (2⁸) or float16 (2¹¹)
    stalls on positive rows and that any input-type accumulation of cancelling values errs
    by many u, short enough that float32 sums of them stay exact (2¹³ · 2¹¹ <= 2²⁴)."""
    return 2 ** 13


def classify(error_u: float, dtype: str) -> str:
    if not np.isfinite(error_u) or error_u > FLOAT32_BOUND:
        return dtype
    return FLOAT32


def _error_u(got, expected, dtype: str) -> float:
    got = np.asarray(got).astype(np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return float("inf")
    err = float(np.abs(got - expected).max()) if got.size else 0.0
    return err / (UNIT_ROUNDOFF[dtype] * scale) if scale > 0 else (0.0 if err == 0 else float("inf"))


def run_probe(adapter, probe: Probe, dtype: str, device: str = "cpu") -> dict:
    """Run one probe; a dict with the measured accumulation (or a skip and its reason)."""
    from adapters.base import Unsupported
    from references import REFERENCES

    from conformance.specs import BY_NAME
    from conformance.draw.strategies import shapes_of

    spec = BY_NAME[probe.module]
    attrs = {**spec.variant(probe.variant).call_attrs, **probe.attrs}
    n = length(dtype)
    shapes = shapes_of(spec, probe.dims(n))
    inputs = {a.name: rounded(probe.values[a.name](shapes[a.name]), dtype) for a in spec.args}
    args64 = [inputs[a.name].astype(np.float64) for a in spec.args]
    ref = REFERENCES[probe.module]
    expected = ref.forward(*args64, **probe_ref_attrs(attrs))
    ct_fn = probe.cotangent or _ones_like
    cotangent = rounded(ct_fn(np.shape(expected)), dtype)
    wrt = [a.name for a in spec.differentiable]
    base = {"module": probe.module, "probe": probe.what, "n": n, "dtype": dtype,
            "device": device, "framework": adapter.name}
    reason = adapter.unavailable_reason() or adapter.device_reason(device)
    if reason is None and not adapter.supports(probe.module):
        reason = f"{adapter.name} has no implementation of {probe.module}"
    if reason:
        return {**base, "measured": None, "reason": reason}
    try:
        result = adapter.vjp(probe.module, [inputs[a.name] for a in spec.args],
                             [a.name for a in spec.args], wrt, cotangent, attrs, dtype=dtype,
                             device=device, mode="eager", seed=0)
    except Unsupported as exc:
        return {**base, "measured": None, "reason": str(exc)}
    except Exception as exc:  # a missing kernel is a skip; anything else is reported as such
        missing = adapter.no_kernel_reason(exc, dtype, device) if hasattr(adapter, "no_kernel_reason") else None
        return {**base, "measured": None,
                "reason": missing or f"probe raised {type(exc).__name__}: {str(exc)[:200]}"}
    grads = ref.vjp(cotangent.astype(np.float64), *args64, **probe_ref_attrs(attrs))
    errors = {"forward": _error_u(result.output, expected, dtype)}
    for arg, grad in zip(spec.args, grads):
        if arg.differentiable and grad is not None:
            errors[f"grad:{arg.name}"] = _error_u(result.grads.get(arg.name), grad, dtype)
    worst = max(errors, key=lambda k: errors[k])
    error_u = errors[worst]
    return {**base, "measured": classify(error_u, dtype), "error_u": _finite(error_u),
            "worst_check": worst, "errors_u": {k: _finite(v) for k, v in errors.items()},
            "reason": ""}


def probe_ref_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    from adapters.base import DRAWS_RANDOMNESS

    return {k: v for k, v in attrs.items() if k != DRAWS_RANDOMNESS}


def _ones_like(shape):
    return np.ones(shape)


def _finite(v: float):
    return round(float(v), 3) if np.isfinite(v) else "inf"


def probe_for(spec):
    """The probe whose measurement speaks for ``spec``: its own module's, else one that
    covers its family, else its arithmetic class; None for elementwise modules."""
    from conformance.specs.accumulation import PROBES

    for key in (spec.name, spec.family, getattr(spec, "arithmetic", None)):
        for p in PROBES:
            if key is not None and (p.module == key or key in p.covers):
                return p
    return None


def measured_for(adapter, spec, dtype: str, device: str) -> dict | None:
    """The probe result for ``spec``'s family on this adapter, run once per adapter."""
    probe = probe_for(spec)
    if probe is None or dtype not in UNIT_ROUNDOFF:
        return None
    cache = adapter.__dict__.setdefault("_accumulation_measured", {})
    key = (probe.module, dtype, device)
    if key not in cache:
        cache[key] = run_probe(adapter, probe, dtype, device)
    return cache[key]


def describe(m: dict | None) -> str:
    """One sentence for a failure's reason: the accumulation measured for its family."""
    if not m:
        return ""
    if m.get("measured") is None:
        return f"accumulation not measured ({m.get('reason', '')})"
    what = ("in float32 (or wider): the failure is not an input-type accumulation"
            if m["measured"] == FLOAT32 else f"in {m['measured']} (an accumulator rounded to "
            "the input type), outside the float32-accumulation model")
    return (f"accumulation measured on {m['framework']} by the probe '{m['probe']}' "
            f"(n = {m['n']}, {m['module']}): {what}; worst probe error {m['error_u']} u "
            f"({m['worst_check']})")


def record_entry(case, adapter, arithmetic: str) -> dict | None:
    """What a low-precision record carries: the assumed accumulation and the one measured
    for its family on this framework (None for other dtypes and elementwise modules)."""
    if arithmetic not in UNIT_ROUNDOFF:
        return None
    from conformance.model.spec import ASSUMED_ACCUMULATION

    try:
        m = measured_for(adapter, case.spec, arithmetic, case.device)
    except Exception as exc:  # a probe failure is reported, never fatal to the case
        return {"assumed": ASSUMED_ACCUMULATION, "measured": None,
                "reason": f"probe raised {type(exc).__name__}: {exc}"}
    if m is None:
        return {"assumed": ASSUMED_ACCUMULATION, "measured": None,
                "reason": "no reduction to probe (elementwise)"}
    return {"assumed": ASSUMED_ACCUMULATION, "measured": m["measured"], "probe": m["probe"],
            "dtype": arithmetic, "errors_u": m.get("errors_u"),
            "probe_module": m["module"], "n": m["n"], "error_u": m.get("error_u"),
            "reason": m.get("reason", "")}


def convention_rows(records: list[dict]) -> list[dict]:
    """The conventions page's accumulation rows, from the records' ``precision``: one row
    per probe, each framework's measured accumulation per dtype (and device)."""
    from conformance.model.spec import ASSUMED_ACCUMULATION

    rows: dict[str, dict] = {}
    for r in records:
        entry = (r.get("precision") or {}).get("accumulation")
        if not entry or not entry.get("probe"):
            continue
        row = rows.setdefault(entry["probe_module"], {
            "probe": f"accumulation: {entry['probe']} ({entry['probe_module']})",
            "description": "measured: the accumulation of long reductions in bfloat16/float16 "
                           "(float32: within the float32-accumulation model; the dtype's name: "
                           "an accumulator rounded to the input type)",
            "reference": f"assumed by the tolerance model: {ASSUMED_ACCUMULATION}",
            "measured": {}, "families": set()})
        row["families"].add(r.get("family") or r["module"])
        who = r["framework"] + ("" if r["device"] == "cpu" else f" ({r['device']})")
        err = entry.get("error_u")
        row["measured"].setdefault(who, {})[entry.get("dtype", r["dtype"])] = (
            f"{entry['measured']} ({err} u at n = {entry['n']})" if entry["measured"]
            else f"not measured: {entry.get('reason', '')}")
    out = []
    for key in sorted(rows):
        row = rows[key]
        measured = {who: "; ".join(f"{dt}: {v}" for dt, v in sorted(by_dtype.items()))
                    for who, by_dtype in sorted(row["measured"].items())}
        out.append({"probe": row["probe"], "description": row["description"]
                    + "; speaks for " + ", ".join(sorted(row["families"])),
                    "reference": row["reference"], "measured": measured})
    return out
