"""The pooling (1/2/3-d, padded), normalisation, GELU and PReLU references against float64
central finite differences (tests/finite_differences.py, which shares no code with
``references``), plus hand-computed values for the convention rules.

FD tolerance as in test_references_fd.py: rtol = 1e-6, atol = 1e-7 (oracle rounding error
≲ eps·|f|/h ≈ 1e-9 per affected entry with h = 1e-6; a wrong factor, index or sign is an
O(1e-2)–O(1) error). Inputs keep kinks and ties out of reach of h: max-pool inputs are
distinct (gaps ≥ 4/size ≥ 1e-2), PReLU inputs satisfy |x| ≥ 1e-2; the normalised sets hold
at least 3 elements drawn from [−2, 2] (σ ≳ 0.1), so 1/σ and the curvature stay moderate.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from references import REFERENCES

try:  # tests/ as a package or as a plain rootdir-inserted folder
    from .finite_differences import fd_vjp
except ImportError:
    from finite_differences import fd_vjp

RTOL, ATOL = 1e-6, 1e-7
FD_SETTINGS = settings(max_examples=12, deadline=None, derandomize=True, database=None)
MODULES = {"max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "batch_norm", "batch_norm_running_stats", "layer_norm", "instance_norm",
           "group_norm", "gelu", "prelu"}


def smooth(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def distinct(rng, shape):
    size = int(np.prod(shape))
    ranks = rng.permutation(size) + rng.uniform(0.25, 0.75, size)
    return (ranks * 4.0 / size - 2.0).reshape(shape)


def away_from_zero(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(1e-2, 2.0, shape)


def scale(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 2.0, shape)


class Case(NamedTuple):
    module: str
    shapes: Callable  # (rng, a, b) -> one shape per positional argument
    makers: tuple[Callable, ...]
    attrs: dict


def _pool_case(module, maker, kernel, stride, padding):
    nd = int(module[-2])
    k, s, p = ((v,) * nd if isinstance(v, int) else v for v in (kernel, stride, padding))

    def shapes(rng, a, b):
        sizes = tuple(max(1, ki - 2 * pi) + si * int(rng.integers(0, 3)) + int(rng.integers(0, si))
                      for ki, si, pi in zip(k, s, p))
        return [(1 + a % 2, 1 + b % 2) + sizes]

    return Case(module, shapes, (maker,), {"kernel": kernel, "stride": stride, "padding": padding})


POOL_CONFIGS = [  # (kernel, stride, padding) per number of spatial axes
    (1, [(2, 2, 0), (3, 1, 1), (2, 3, 1), (4, 3, 2), (1, 1, 0)]),
    (2, [((2, 2), (2, 2), 0), ((3, 3), (1, 1), 1), ((3, 2), (2, 1), (1, 0)), ((2, 2), (3, 3), 1),
         ((3, 3), (2, 2), (2, 1))]),
    (3, [(2, 2, 0), (3, 2, 1), ((2, 3, 2), (1, 2, 3), (1, 1, 0))]),
]
POOL_CASES = [_pool_case(f"{kind}_pool{nd}d", distinct if kind == "max" else smooth, k, s, p)
              for nd, configs in POOL_CONFIGS for (k, s, p) in configs for kind in ("max", "avg")]
POOL_CASES += [_pool_case(f"avg_pool{nd}d", smooth, k, s, p)._replace(
    attrs={"kernel": k, "stride": s, "padding": p, "divisor": "exclude_pad"})
    for nd, configs in POOL_CONFIGS for (k, s, p) in configs if np.any(np.asarray(p))]


def _nchw(rng, a, b, c_mult=1):
    n, c = 1 + a % 3, c_mult * (1 + b % 2)
    return (n, c, 1 + int(rng.integers(1, 3)), 2 + int(rng.integers(0, 2)))


def _bn_shapes(rng, a, b):
    x = (2 + a % 2, 1 + b % 3, 1 + int(rng.integers(0, 2)), 2 + int(rng.integers(0, 2)))
    return [x, x[1:2], x[1:2]]


def _per_channel(c_mult=1):
    def shapes(rng, a, b):
        x = _nchw(rng, a, b, c_mult)
        return [x, x[1:2], x[1:2]]
    return shapes


def _layer_shapes(k):
    def shapes(rng, a, b):
        x = (1 + a % 3, 2 + b % 3, 3 + int(rng.integers(0, 3)))
        return [x, x[3 - k:], x[3 - k:]]
    return shapes


def _flat(rng, a, b):
    return [(1 + a % 3, 3 + b)]


def _prelu_shapes(rng, a, b):
    x = (1 + a % 3, 1 + b % 3, 1 + int(rng.integers(0, 4)))
    return [x, x[1:2]]


NORM = (smooth, scale, smooth)
CASES = POOL_CASES + [
    Case("batch_norm", _bn_shapes, NORM, {"eps": 1e-5}),
    Case("batch_norm", _bn_shapes, NORM, {"eps": 0.5}),
    Case("layer_norm", _layer_shapes(1), NORM, {"eps": 1e-5}),
    Case("layer_norm", _layer_shapes(2), NORM, {"eps": 0.1}),
    Case("instance_norm", _per_channel(), NORM, {"eps": 1e-5}),
    Case("group_norm", _per_channel(2), NORM, {"groups": 2, "eps": 1e-5}),
    Case("group_norm", _per_channel(), NORM, {"groups": 1, "eps": 0.1}),
    Case("group_norm", _per_channel(3), NORM, {"groups": 3, "eps": 1e-5}),
    Case("gelu", _flat, (smooth,), {"approximate": "none"}),
    Case("gelu", _flat, (smooth,), {"approximate": "tanh"}),
    Case("prelu", _prelu_shapes, (away_from_zero, smooth), {}),
    Case("prelu", _prelu_shapes, (away_from_zero, smooth), {"grad_at_zero": "right"}),
]


def _case_id(case: Case) -> str:
    return case.module + "".join(f"-{k}{v}" for k, v in case.attrs.items())


def test_every_new_reference_is_covered():
    assert MODULES <= set(REFERENCES)
    assert {c.module for c in CASES} | {"batch_norm_running_stats"} == MODULES


@pytest.mark.parametrize("case", CASES, ids=_case_id)
@FD_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), a=st.integers(0, 5), b=st.integers(0, 5))
def test_vjp_matches_finite_differences(case, seed, a, b):
    rng = np.random.default_rng(seed)
    forward, vjp = REFERENCES[case.module]
    args = [make(rng, shape) for make, shape in zip(case.makers, case.shapes(rng, a, b))]
    y = forward(*args, **case.attrs)
    assert y.dtype == np.float64 and np.all(np.isfinite(y))
    u = rng.normal(size=y.shape)
    grads = vjp(u, *args, **case.attrs)
    assert isinstance(grads, tuple) and len(grads) == len(args)
    expected = fd_vjp(lambda *a: forward(*a, **case.attrs), args, u, range(len(args)))
    for i, fd in enumerate(expected):
        assert grads[i].shape == args[i].shape and grads[i].dtype == np.float64
        np.testing.assert_allclose(grads[i], fd, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case.module}: argument {i}")


def fwd(name, *args, **kw):
    return REFERENCES[name].forward(*args, **kw)


def vjp(name, *args, **kw):
    return REFERENCES[name].vjp(*args, **kw)
