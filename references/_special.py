"""erf in NumPy, vectorised (a helper of ``references.activations``; no SciPy).

|z| < 0.75: erf(z) = 2/√π · e^{−z²} · Σ_{n≥0} (2z²)^n z / (1·3·5···(2n+1))  (Abramowitz &
Stegun 7.1.6): every term has the sign of z, so the sum has no cancellation; 60 terms converge.
|z| >= 0.75: erf(z) = sign(z)·(1 − erfc|z|), erfc(z) = e^{−z²}/√π · 1/(z + (1/2)/(z + 1/(z +
(3/2)/(z + 2/(z + ...)))))  (A&S 7.1.14's continued fraction, 400 levels, evaluated from the
tail). Measured against ``math.erf`` on [−9, 9]: |error| <= 4.5e-16 (4 ulps of values near 0.7;
tests/test_pool_norm_references.py checks it). ``erfc`` is exposed for GELU's negative side.
"""

from __future__ import annotations

import numpy as np

_SERIES_TERMS = 60
_CF_LEVELS = 400
_SPLIT = 0.75


def _erf_series(z):
    two_z2 = 2.0 * z * z
    term = z.copy()
    total = z.copy()
    for n in range(1, _SERIES_TERMS):
        term = term * two_z2 / (2 * n + 1)
        total = total + term
    return 2.0 / np.sqrt(np.pi) * np.exp(-z * z) * total


def _erfc_fraction(a):
    """erfc(a) for a >= 2 by the continued fraction."""
    tail = a.copy()
    for k in range(_CF_LEVELS, 0, -1):
        tail = a + (k / 2.0) / tail
    return np.exp(-a * a) / np.sqrt(np.pi) / tail


def erf(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    small = np.abs(x) < _SPLIT
    a = np.where(small, _SPLIT, np.abs(x))  # keeps both branches finite
    series = _erf_series(np.where(small, x, 0.0))
    return np.where(small, series, np.sign(x) * (1.0 - _erfc_fraction(a)))


def erfc(x) -> np.ndarray:
    """1 − erf(x), without cancellation for x >= 0.75 (the continued fraction directly)."""
    x = np.asarray(x, dtype=np.float64)
    large = x >= _SPLIT
    fraction = _erfc_fraction(np.where(large, x, _SPLIT))
    return np.where(large, fraction, 1.0 - erf(np.where(large, 0.0, x)))
