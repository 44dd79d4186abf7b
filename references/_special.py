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


# Levels by argument: the fraction converges faster the larger a is. Each band's count is
# 1.5× the smallest that equals the 400-level result bitwise on a 200,001-point grid of the
# band (40, 80, 120, 300 measured; 400 below a = 1), and equals it on 2,000,001 points of
# [−9, 9]: about 4× fewer levels over GELU's [−4, 4].
_CF_BANDS = ((3.0, 60), (2.0, 120), (1.5, 200), (1.0, 300), (0.0, _CF_LEVELS))


def _fraction(a, levels):
    tail = a.copy()
    for k in range(levels, 0, -1):
        tail = a + (k / 2.0) / tail
    return np.exp(-a * a) / np.sqrt(np.pi) / tail


def _erfc_fraction(a):
    """erfc(a) for a >= 0.75 by the continued fraction (levels by band, ``_CF_BANDS``)."""
    a = np.asarray(a, dtype=np.float64)
    out = np.empty_like(a)
    done = np.zeros(a.shape, dtype=bool)
    for lo, levels in _CF_BANDS:
        band = ~done & (a >= lo)
        if band.any():
            out[band] = _fraction(a[band], levels)
        done |= band
    return out


def erf(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    small = np.abs(x) < _SPLIT
    out = np.empty_like(x)
    out[small] = _erf_series(x[small])
    out[~small] = np.sign(x[~small]) * (1.0 - _erfc_fraction(np.abs(x[~small])))
    return out


def erfc(x) -> np.ndarray:
    """1 − erf(x), without cancellation for x >= 0.75 (the continued fraction directly)."""
    x = np.asarray(x, dtype=np.float64)
    large = x >= _SPLIT
    fraction = _erfc_fraction(np.where(large, x, _SPLIT))
    return np.where(large, fraction, 1.0 - erf(np.where(large, 0.0, x)))
