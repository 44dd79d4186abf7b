"""Every NumPy reference's VJP against float64 central finite differences.

The oracle (tests/finite_differences.py) shares no code with ``references``.

Inputs are built so that no kink or tie lies within the FD step: values of piecewise
activations are ≥ 1e-2 away from 0, max / max-pool inputs are distinct with gaps ≥ 5e-3
(≤ 400 elements), cross-entropy probabilities are ≥ 0.1. The FD step is
h = 1e-6·max(1, |x|), far smaller.

Tolerance: rtol = 1e-6, atol = 1e-7. The oracle's truncation error is ≲ 1e-11 here; its
rounding error is ≲ 2·eps·|f_k|·|u_k| / (2h) per affected output entry, i.e. up to
2·2.2e-16·64·4 / 2e-6 ≈ 6e-8 for the largest outputs here (squared error: four terms ≤ 16,
|u| ≲ 4). Measured worst case over 40 seeds per case: 3.4e-9 (squared_error), ≤ 1.3e-9
elsewhere. A wrong formula (a missing factor, sign, index or tie) is an O(1e-2)–O(1) error.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from references import REFERENCES

try:  # tests/ as a package (tests/__init__.py) or as a plain rootdir-inserted folder
    from .finite_differences import fd_vjp
except ImportError:
    from finite_differences import fd_vjp

RTOL, ATOL = 1e-6, 1e-7
FD_SETTINGS = settings(max_examples=20, deadline=None, derandomize=True, database=None)


# -- input generators: (rng, shape) -> array --------------------------------------------------
def smooth(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def away_from_zero(rng, shape):
    """|x| in [1e-2, 2] with random sign: no kink of relu-like functions within reach of h."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(1e-2, 2.0, shape)


def distinct(rng, shape):
    """Distinct values in [-2, 2], neighbours at least 2/size apart (no ties for max)."""
    size = int(np.prod(shape))
    ranks = rng.permutation(size) + rng.uniform(0.25, 0.75, size)
    return (ranks * 4.0 / size - 2.0).reshape(shape)


def positive(rng, shape):
    return rng.uniform(0.1, 1.0, shape)


def distributions(rng, shape):
    return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])


def scaled_distributions(rng, shape):
    """Rows summing to anything in [0.5, 2]: exercises the Σp term of softmax-CE's backward."""
    return distributions(rng, shape) * rng.uniform(0.5, 2.0, shape[:-1] + (1,))


def mask(rng, shape):
    return rng.integers(0, 2, shape).astype(np.float64)


class Case(NamedTuple):
    module: str
    makers: tuple[Callable, ...]  # one generator per positional argument
    const: tuple[int, ...] = ()  # argument indices whose vjp entry must be None
    attrs: dict = {}
    pool: tuple | None = None  # (kernel, stride) for pooling cases


def _pool_cases(module, maker):
    configs = [((2, 2), (2, 2)), ((3, 3), (1, 1)), ((2, 3), (1, 2)), ((2, 2), (3, 3)),
               ((1, 1), (1, 1)), ((3, 2), (2, 1)), ((2, 1), (1, 3))]
    return [Case(module, (maker,), attrs={"kernel": k, "stride": s}, pool=(k, s))
            for k, s in configs]


CASES = [
    Case("add", (smooth, smooth)),
    Case("multiply", (smooth, smooth)),
    Case("switch", (smooth, mask), const=(1,)),
    Case("dropout", (smooth, mask), const=(1,), attrs={"rate": 0.3}),
    Case("sum", (smooth,)),
    Case("max", (distinct,)),
    Case("relu", (away_from_zero,)),
    Case("leaky_relu", (away_from_zero,)),
    Case("leaky_relu", (away_from_zero,), attrs={"negative_slope": 0.2}),
    Case("elu", (away_from_zero,)),
    Case("elu", (away_from_zero,), attrs={"alpha": 0.5}),
    Case("selu", (away_from_zero,)),
    Case("sigmoid", (smooth,)),
    Case("softmax", (smooth,)),
    Case("softplus", (smooth,)),
    Case("tanh", (smooth,)),
    Case("cross_entropy", (positive, distributions), const=(1,)),
    Case("squared_error", (smooth, smooth), const=(1,)),
    Case("softmax_cross_entropy", (smooth, scaled_distributions), const=(1,)),
    *_pool_cases("max_pool2d", distinct),
    *_pool_cases("avg_pool2d", smooth),
]


def _case_id(case: Case) -> str:
    if case.pool:
        (p, q), (u1, u2) = case.pool
        return f"{case.module}-k{p}x{q}-s{u1}x{u2}"
    extra = "-".join(f"{k}{v}" for k, v in case.attrs.items())
    return f"{case.module}-{extra}" if extra else case.module


def _shape(case: Case, dims, rng) -> tuple[int, ...]:
    n, d, a, b = dims
    if case.pool is None:
        return (n, d)
    (p, q), (u1, u2) = case.pool
    h = p + u1 * a + int(rng.integers(0, u1))  # ragged bottom border when u1 > 1
    w = q + u2 * b + int(rng.integers(0, u2))
    return (1 + n % 2, 1 + d % 2, h, w)


def test_every_parameter_free_reference_is_covered():
    from tests.test_cli import EXPECTED_MODULES

    assert {case.module for case in CASES} == set(EXPECTED_MODULES)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
@FD_SETTINGS
@given(seed=st.integers(0, 2**32 - 1),
       dims=st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(0, 2), st.integers(0, 2)))
def test_vjp_matches_finite_differences(case, seed, dims):
    rng = np.random.default_rng(seed)
    forward, vjp = REFERENCES[case.module]
    shape = _shape(case, dims, rng)
    args = [make(rng, shape) for make in case.makers]
    y = forward(*args, **case.attrs)
    assert y.dtype == np.float64
    u = rng.normal(size=y.shape)

    grads = vjp(u, *args, **case.attrs)

    assert isinstance(grads, tuple) and len(grads) == len(args)
    assert tuple(i for i, g in enumerate(grads) if g is None) == case.const
    wrt = [i for i in range(len(args)) if i not in case.const]
    expected = fd_vjp(lambda *a: forward(*a, **case.attrs), args, u, wrt)
    for i, fd in zip(wrt, expected):
        assert grads[i].shape == args[i].shape and grads[i].dtype == np.float64
        np.testing.assert_allclose(grads[i], fd, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case.module}: argument {i}")
