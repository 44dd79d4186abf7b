"""The Jacobian and Hessian APIs as checks: ``jacobian:<arg>@<api>`` and ``hessian:<arg>@<api>``.

* ``jacobian:<arg>`` — the full Jacobian of the outputs (flattened and stacked, in order)
  with respect to ``arg``: an (output elements × ``arg`` elements) matrix, against the one
  assembled from the float64 reference VJP pulled back from every output basis vector
  (row i = (J)ᵀ e_i).
* ``hessian:<arg>`` — ``arg``'s rows of the Hessian of s(x) = ⟨u, f(x)⟩ over every
  differentiated argument together: an (``arg`` elements × all elements) matrix, against the
  one assembled from the HVP oracle along every input basis vector (column j = H e_j; the
  hand-written second derivatives where the reference has them, central differences of the
  reference gradient otherwise, with their error in the tolerance).

Both are asked at small sizes only: above ``JACOBIAN_LIMIT`` matrix elements or
``HESSIAN_LIMIT`` input elements the check is a skip that says so (the oracle costs one
reference VJP per row or one HVP per column, the framework one pass per row or column).
"""

from __future__ import annotations

import math

import numpy as np

from conformance.judge.comparison import CheckResult, compare
from conformance.judge.oracles import HvpOracle, hvp_oracle, judge_hvp

JACOBIAN_LIMIT = 4096  # output elements × input elements
HESSIAN_LIMIT = 64     # input elements (the Hessian is N × N)


def size_skips(kinds, out_shapes, in_shapes) -> dict[str, str]:
    """{kind: why not} for the matrix kinds these sizes put over their limit."""
    m = sum(math.prod(s) for s in out_shapes)
    n = sum(math.prod(s) for s in in_shapes)
    out = {}
    if "jacobian" in kinds and m * n > JACOBIAN_LIMIT:
        out["jacobian"] = (f"the full Jacobian is {m}×{n} = {m * n} elements here, over the "
                           f"limit of {JACOBIAN_LIMIT} (checked at small shapes)")
    if "hessian" in kinds and n > HESSIAN_LIMIT:
        out["hessian"] = (f"the full Hessian is {n}×{n} here, over the limit of "
                          f"{HESSIAN_LIMIT} input elements (checked at small shapes)")
    return out


def _unit(shapes, k):
    flat = np.zeros(sum(math.prod(s) for s in shapes))
    flat[k] = 1.0
    out, at = [], 0
    for s in shapes:
        n = math.prod(s)
        out.append(flat[at:at + n].reshape(s))
        at += n
    return out


def jacobian_oracle(vjp, out_shapes, diff, row=None) -> dict[str, np.ndarray]:
    """{argument: J (output elements × argument elements)} from the float64 VJP,
    ``vjp(list of cotangents) -> {argument: gradient}``; ``row`` (``basis_rows``) shares
    the rows with the JVP oracle."""
    m = sum(math.prod(s) for s in out_shapes)
    row = row or (lambda i: vjp(_unit(out_shapes, i)))
    rows = [row(i) for i in range(m)]
    return {n: np.stack([np.ravel(r[n]) for r in rows]) if rows else np.zeros((0, 0)) for n in diff}


def batch_summed(jac: np.ndarray, out_shapes, arg_shape) -> np.ndarray:
    """What a batch Jacobian API computes (``DerivativeResult.batch_summed``), from J (output
    elements × argument elements): for every output, the block of sample k's inputs holds
    Σ_i ∂y[i, j]/∂x[k, :] (the gradient of output element j summed over the batch, taken
    at sample k), every other block 0. Where samples are independent this is J's
    block diagonal. The outputs and the argument share their first axis (the batch)."""
    n_in = math.prod(arg_shape)
    batch = arg_shape[0]
    per_in = n_in // batch
    rows, at = [], 0
    for s in out_shapes:
        n = math.prod(s)
        block = jac[at:at + n].reshape(batch, n // batch, batch, per_in)  # (i, j, k, m)
        at += n
        summed = block.sum(axis=0)  # (j, k, m)
        full = np.zeros_like(block)
        for k in range(batch):
            full[k, :, k, :] = summed[:, k, :]
        rows.append(full.reshape(n, n_in))
    return np.concatenate(rows, axis=0)


def hessian_oracle(module, grad, args64, diff, u, attrs) -> HvpOracle:
    """The Hessian of ⟨u, f⟩ over the differentiated arguments, one HVP oracle per column."""
    shapes = [np.shape(args64[n]) for n in diff]
    cols, g0 = [], grad(args64)
    for j in range(sum(math.prod(s) for s in shapes)):
        tangents = dict(zip(diff, _unit(shapes, j)))
        cols.append(hvp_oracle(module, grad, args64, diff, tangents, u, attrs, g0=g0))
    values = {n: np.stack([np.ravel(c.values[n]) for c in cols], axis=1) for n in diff}
    error = {n: np.stack([np.ravel(c.error[n]) for c in cols], axis=1) for n in diff}
    return HvpOracle(values, error, cols[0].method if cols else "none",
                     max([c.scale for c in cols] + [0.0]))


def judge_jacobian(check, got, expected, dtype, ulps) -> CheckResult:
    return compare(check, got, expected, dtype, ulps)


def judge_hessian(check, got, oracle: HvpOracle, name, dtype, ulps) -> CheckResult:
    return judge_hvp(check, got, oracle, name, dtype, ulps)
