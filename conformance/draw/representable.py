"""Values exactly representable in a dtype: rounding drawn inputs, keeping them distinct.

Inputs are rounded to the case's dtype before the call and the reference runs on the same
rounded values in float64, so only the framework's own arithmetic is judged. In bfloat16
(8 significant bits) and float16 (11) rounding can merge values a domain drew apart; for a
domain that promises distinct values (``Domain.distinct``) the merged ones are replaced by
unused representable values, so a "no ties" variant stays free of ties in every dtype.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from adapters.common import numpy_dtype


def rounded(values, dtype: str) -> np.ndarray:
    """``values`` rounded to ``dtype`` (round to nearest even), as an array of that dtype."""
    return np.asarray(values, dtype=np.float64).astype(numpy_dtype(dtype))


@lru_cache(maxsize=None)
def _sixteen_bit_values(dtype: str) -> np.ndarray:
    """Every finite value of a 16-bit dtype, sorted (65,536 bit patterns)."""
    bits = np.arange(2**16, dtype=np.uint32).astype(np.uint16)
    with np.errstate(invalid="ignore"):  # the NaN patterns
        values = bits.view(numpy_dtype(dtype)).astype(np.float64)
    return np.unique(values[np.isfinite(values)])


def distinct_rounded(values, dtype: str) -> np.ndarray:
    """``values`` rounded to ``dtype``, with no two equal where the drawn values were not:
    collisions are resolved by spreading the array over representable values of the same
    range, evenly by rank (denser near zero, as the dtype is), in the drawn order."""
    values = np.asarray(values, dtype=np.float64)
    out = rounded(values, dtype)
    flat = values.ravel()
    if np.unique(out.astype(np.float64)).size == np.unique(flat).size or numpy_dtype(dtype).itemsize != 2:
        return out
    lo, hi = float(flat.min()), float(flat.max())
    grid = _sixteen_bit_values(dtype)
    floor = (hi - lo) / 4096  # leave out the dtype's crowd of tiny magnitudes
    grid = grid[(grid >= lo) & (grid <= hi) & ((np.abs(grid) >= floor) | (grid == 0))]
    if grid.size < flat.size:
        return out  # the range cannot hold that many distinct values: keep the rounding
    picks = grid[np.unique(np.linspace(0, grid.size - 1, flat.size).round().astype(int))]
    if picks.size < flat.size:
        return out
    ranks = np.argsort(np.argsort(flat, kind="stable"), kind="stable")
    return picks[ranks].reshape(values.shape).astype(numpy_dtype(dtype))
