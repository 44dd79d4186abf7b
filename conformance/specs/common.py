"""Helpers shared by the spec family files: citations, dims, tolerances, rule sets."""

from __future__ import annotations

from conformance.model.spec import Citation, Tolerance

SHORT, LONG = "000_0c41eef9689a3bf9.txt", "001_9eba1572aa0cb554.txt"
TABLE = "table 'Parameter-free modules'"


def rows(row: str) -> tuple[Citation, ...]:
    return (Citation(SHORT, f"{TABLE}, row '{row}'"), Citation(LONG, f"{TABLE}, row '{row}'"))


def flat(_attrs):
    return {"N": (1, 3), "D": (1, 8)}


def rows_of(_attrs):
    return {"N": (1, 3), "D": (1, 16)}


def images(attrs):
    p, q = attrs["kernel"]
    return {"N": (1, 2), "C": (1, 3), "H": (p, p + 5), "W": (q, q + 5)}


def wide(_attrs):
    return {"N": (2, 4), "D": (64, 256)}


X = ("N", "D")
IMG = ("N", "C", "H", "W")
KINK = {"grad_at_zero": ("left", "right", "mean")}
# A slope passed as a 32-bit attribute of the op (TensorFlow's LeakyRelu 'alpha' is a proto
# float) is rounded to float32 even when the tensor is float64.
SLOPE = {"slope_precision": ("exact", "float32")}
# Tie rules a framework may legitimately follow. The document's own "all maxima get the full
# gradient" is not one of them: it is not a subgradient (erratum max-ties-full-gradient).
POOL_TIES = {"tie_rule": ("first", "last", "split")}
# Elementwise maps: depth <= 3, no reductions.
ELEMENTWISE = Tolerance(forward=8, grad=16)
# Reductions over the last axis (length <= 16) and the ops built on them.
REDUCING = Tolerance(forward=64, grad=64)


