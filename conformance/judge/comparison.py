"""Comparison of one computed array against the float64 reference.

Vectorised first; the worst element is located only to explain a result. A non-finite
value where the reference is finite is a failure, never a pass (its ratio is infinite).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Machine epsilon per arithmetic. "tf32": float32 storage with TF32 multiplies (a 10-bit
# mantissa, as NVIDIA's tensor cores use for float32 matmuls and convolutions by default in
# some frameworks): the same error model, with TF32's epsilon instead of float32's.
EPS = {"float16": float(np.finfo(np.float16).eps), "bfloat16": 2.0**-7, "tf32": 2.0**-10,
       "float32": float(np.finfo(np.float32).eps), "float64": float(np.finfo(np.float64).eps)}


CANCELLING_NOTE = ("judged at the scale of the terms that cancel in it (the reference's response "
                   "to one rounding of every input: conformance/judge/sensitivity.py)")
STORED_NOTE = ("judged at the scale of the terms that cancel in it and of the roundings of the "
               "tensors its formula stores (the reference's responses to one rounding of every "
               "input and of every stored tensor: conformance/judge/sensitivity.py, "
               "spec.LowPrecision.STORED_SIGMAS)")


@dataclass
class CheckResult:
    """The outcome of one check (``forward``, ``grad:x``, ...) on one example."""

    check: str
    passed: bool
    max_abs_err: float
    max_rel_err: float
    ratio: float  # max over elements of |got - expected| / tol (inf: shape or finiteness)
    tolerance: float  # the tolerance at the worst element
    worst_index: tuple[int, ...] | None = None
    got: float | None = None
    expected: float | None = None
    detail: str = ""
    # The worst error in units of eps(arithmetic) · (|expected_i| + max|expected|).
    error_eps: float | None = None
    # Two routes that disagree where the derivative does not exist, each following a known
    # rule: {route: its rules} (``conformance.run.derivative_example.settle_routes``).
    convention: dict | None = None

    def describe(self) -> str:
        if self.detail and self.worst_index is None:
            return f"{self.check}: {self.detail}"
        idx = "" if not self.worst_index else "[" + ", ".join(map(str, self.worst_index)) + "]"
        return (f"{self.check}{idx}: got {self.got!r}, expected {self.expected!r} "
                f"(abs err {self.max_abs_err:.3g}, rel err {self.max_rel_err:.3g}, "
                f"tolerance {self.tolerance:.3g}, ratio {self.ratio:.3g})"
                + (f"; {self.detail}" if self.detail else ""))


def tolerance_array(expected: np.ndarray, dtype: str, ulps: float,
                    cancelling: np.ndarray | None = None) -> np.ndarray:
    """``ulps * u * (|expected_i| + max_j |expected_j| [+ s_i])``: see ``spec.Tolerance``;
    ``cancelling`` = s, the size of the terms that cancel in each element
    (``conformance.judge.sensitivity``)."""
    mag = np.abs(expected)
    scale = float(mag.max()) if mag.size else 0.0
    if cancelling is not None:
        mag = mag + np.where(np.isfinite(cancelling), cancelling, 0.0)
    return ulps * EPS[dtype] * (mag + scale)


def compare(check: str, got, expected, dtype: str, ulps: float,
            cancelling: np.ndarray | None = None, note: str | None = None) -> CheckResult:
    got = np.asarray(got)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return CheckResult(check, False, np.inf, np.inf, np.inf, 0.0,
                           detail=f"shape {got.shape}, expected {expected.shape}")
    if got.size == 0:
        return CheckResult(check, True, 0.0, 0.0, 0.0, 0.0)
    g = got.astype(np.float64)
    finite = np.isfinite(expected)
    # Non-finite expectations must be matched exactly (same inf sign, or NaN for NaN).
    same_nonfinite = (~finite) & ((g == expected) | (np.isnan(g) & np.isnan(expected)))
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.where(finite, np.abs(g - expected), np.where(same_nonfinite, 0.0, np.inf))
        err = np.where(np.isnan(err), np.inf, err)
        tol = tolerance_array(np.where(finite, expected, 0.0), dtype, ulps,
                              None if cancelling is None else np.broadcast_to(cancelling, expected.shape))
        ratio = np.where(err == 0, 0.0, np.where(tol > 0, err / np.where(tol > 0, tol, 1), np.inf))
        rel = np.where(err == 0, 0.0, err / np.maximum(np.abs(expected), np.finfo(np.float64).tiny))
    flat = int(np.argmax(ratio))
    worst = tuple(int(i) for i in np.unravel_index(flat, ratio.shape))
    worst_ratio = float(ratio[worst])
    return CheckResult(
        check=check,
        passed=bool(worst_ratio <= 1.0),
        max_abs_err=float(err.max()),
        max_rel_err=float(np.where(finite, rel, np.where(err > 0, np.inf, 0.0)).max()),
        ratio=worst_ratio,
        tolerance=float(tol[worst]),
        worst_index=worst,
        got=float(g[worst]),
        expected=float(expected[worst]),
        error_eps=float(worst_ratio * ulps) if ulps > 0 else (0.0 if worst_ratio == 0 else float("inf")),
        detail="" if cancelling is None else (note or CANCELLING_NOTE),
    )


def bitwise_check(check: str, first, second) -> CheckResult:
    """Are two runs of the same computation bitwise identical? (determinism)"""
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    same = a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    diff = 0.0 if same or a.shape != b.shape else float(np.nanmax(np.abs(a - b), initial=0.0))
    return CheckResult(check, same, diff, float("nan"), 0.0 if same else float("inf"), 0.0,
                       detail="bitwise identical" if same else f"runs differ by up to {diff:.3g}")


def bound_check(check: str, deviation: float, bound: float, detail: str) -> CheckResult:
    """A scalar statistic against a bound (e.g. a dropout keep rate)."""
    ratio = deviation / bound if bound > 0 else (0.0 if deviation == 0 else np.inf)
    return CheckResult(check, bool(ratio <= 1.0), float(deviation), float("nan"), float(ratio),
                       float(bound), detail=detail)
