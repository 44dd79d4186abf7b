"""Argument helpers shared by the reference files: float64 views and rule checks."""

from __future__ import annotations

import numpy as np


def as_float64(*arrays):
    return tuple(np.asarray(a, dtype=np.float64) for a in arrays)


def check_rule(name: str, value, choices) -> str:
    """``value`` when it is one of ``choices``, else a ValueError naming them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value
