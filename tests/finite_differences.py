"""A finite-difference VJP oracle that shares no code with ``references``.

``fd_vjp(f, args, cotangent, wrt)`` estimates, for each argument index in ``wrt``, the
vector-Jacobian product u^T (∂f/∂arg) element by element with float64 central differences:

    g_i ≈ <u, f(x + h e_i) − f(x − h e_i)> / (2h),   h = h_rel · max(1, |x_i|).

The difference of the two outputs is taken *before* the dot product with u, so outputs that
do not depend on x_i cancel exactly and rounding error only comes from the entries that do.
The step is rounded so that x ± h are exactly representable (the effective step is used).
Error budget for smooth f with |x| ≲ 2 and h_rel = 1e-6: truncation ≈ h²|f'''|/6 ≲ 1e-11,
rounding ≈ eps·|f|/h ≈ 2.2e-16 · O(1) / 1e-6 ≈ 1e-9 per affected output entry.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np


def fd_vjp(f: Callable, args: Sequence, cotangent, wrt: Sequence[int], h_rel: float = 1e-6):
    """Central-difference estimates of u^T ∂f/∂args[k] for k in ``wrt`` (a list of arrays)."""
    args = [np.array(a, dtype=np.float64) for a in args]
    u = np.asarray(cotangent, dtype=np.float64)
    grads = []
    for k in wrt:
        x = args[k]
        grad = np.empty_like(x)
        for idx in np.ndindex(*x.shape):
            h = h_rel * max(1.0, abs(float(x[idx])))
            plus, minus = x.copy(), x.copy()
            plus[idx] += h
            minus[idx] -= h
            step = plus[idx] - minus[idx]  # the representable 2h actually taken
            f_plus = np.asarray(f(*_replace(args, k, plus)), dtype=np.float64)
            f_minus = np.asarray(f(*_replace(args, k, minus)), dtype=np.float64)
            grad[idx] = np.sum(u * (f_plus - f_minus)) / step
        grads.append(grad)
    return grads


def _replace(args, k, value):
    out = list(args)
    out[k] = value
    return out
