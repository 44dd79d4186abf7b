"""Expected failures: framework discrepancies this suite found, investigated and explained.

A failing check that matches an entry here is recorded with status ``xfail`` (the record
keeps its errors, its verdict and the entry's explanation) and does not fail the run; CI
gates on new failures only. An entry whose cases now pass is reported as ``xpass`` in the
run's summary so it can be removed: a framework fixed it. Each entry says who is wrong and
why, with the evidence; none is a tolerance loosened.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch


@dataclass(frozen=True)
class Expected:
    case: str        # fnmatch pattern on the case id
    checks: tuple[str, ...]
    why: str


EXPECTED: tuple[Expected, ...] = (
    Expected("gelu*-tensorflow-float64-*", ("forward", "grad:x"),
             "tensorflow: tf.nn.gelu builds its constants (1/√2 for the erf form, 0.044715 and "
             "√(2/π) for the tanh form) as float32 and casts them to float64, so float64 GELU is "
             "off by up to ~5e-9 relative; finite differences and torch/jax agree with the reference"),
    Expected("max_pool3d[ties*-tensorflow-float32-*", ("grad:x",),
             "tensorflow: the 3-D max-pool gradient gives the full gradient to every tied maximum "
             "(x=[1,1,1], k=2, s=1, dy=[1,10] gives [1,11,10]): not a subgradient (the document's "
             "erratum max-ties-full-gradient, in a framework); its own 2-D max-pool routes to the "
             "first maximum, as torch and jax do"),
    Expected("prelu[kink]-tensorflow-*", ("grad:x",),
             "tensorflow: keras.layers.PReLU computes relu(x) − α·relu(−x), whose gradient at x = 0 "
             "is 0: outside the subdifferential [min(α,1), max(α,1)], so neither slope, unlike torch "
             "(α) and jax"),
)


def matches(e: Expected, case_id: str) -> bool:
    """fnmatch with '*' and '?' only: the '[variant]' of a case id is literal."""
    return fnmatch(case_id, e.case.replace("[", "[[]"))


def match(case_id: str, check: str) -> Expected | None:
    for e in EXPECTED:
        if matches(e, case_id) and check in e.checks:
            return e
    return None
