"""The linear-module references (FC, Conv-1D/2D/3D, Separable-Conv-2D): VJPs against
float64 central finite differences, and forward / backward values computed by hand.

FD oracle: tests/finite_differences.py (shares no code with ``references``). The modules
are bilinear in (x, w) (affine with the bias), so the central difference has no
truncation error; its rounding error is ≲ eps·Σ|f|/h ≈ 2.2e-16·(≤ 100 entries · ≤ 20) /
1e-6 ≈ 4e-7 absolute in the worst case, typically ~1e-9. Tolerance rtol = 1e-6,
atol = 1e-6. A wrong index, tap, stride, padding side or group is an O(0.1)–O(1) error.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from references import REFERENCES

try:
    from .finite_differences import fd_vjp
except ImportError:
    from finite_differences import fd_vjp

RTOL, ATOL = 1e-6, 1e-6
FD_SETTINGS = settings(max_examples=8, deadline=None, derandomize=True, database=None)


class ConvCase(NamedTuple):
    module: str
    cin: int  # input channels
    cout: int
    size: tuple[int, ...]  # input spatial size
    attrs: dict

    @property
    def id(self):
        return f"{self.module}-{'-'.join(f'{k}={v}' for k, v in self.attrs.items())}"


CONV_CASES = [
    ConvCase("conv1d", 2, 3, (7,), {}),
    ConvCase("conv1d", 2, 2, (8,), {"stride": 3, "padding": 2}),
    ConvCase("conv1d", 4, 2, (7,), {"groups": 2, "dilation": 2}),
    ConvCase("conv1d", 2, 2, (5,), {"padding": "same"}),  # kernel 2: odd total
    ConvCase("conv1d", 2, 2, (5,), {"padding": "same", "same_split": "start"}),
    ConvCase("conv1d", 1, 2, (6,), {"padding": "same", "stride": 2}),  # TF's strided SAME
    ConvCase("conv1d", 2, 2, (6,), {"padding": ((2, 0),), "bias": False}),
    ConvCase("conv2d", 2, 3, (5, 6), {}),
    ConvCase("conv2d", 2, 2, (5, 6), {"stride": 2, "padding": 1}),
    ConvCase("conv2d", 2, 2, (6, 5), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2)}),
    ConvCase("conv2d", 4, 4, (5, 5), {"groups": 2, "padding": "same"}),
    ConvCase("conv2d", 3, 6, (4, 5), {"groups": 3, "padding": "valid"}),  # depthwise, mult 2
    ConvCase("conv2d", 2, 2, (6, 7), {"stride": 2, "padding": "same", "same_split": "start"}),
    ConvCase("conv2d", 2, 2, (5, 5), {"bias": False, "dilation": 2, "padding": 2}),
    ConvCase("conv3d", 2, 2, (3, 4, 3), {}),
    ConvCase("conv3d", 2, 2, (4, 3, 5), {"stride": 2, "padding": 1, "groups": 2}),
    ConvCase("conv3d", 1, 2, (3, 3, 4), {"padding": "same", "dilation": (1, 2, 1)}),
]


def _kernel(case):
    return {"conv1d": (2,), "conv2d": (2, 3), "conv3d": (2, 2, 2)}[case.module] \
        if case.attrs.get("padding") == "same" else \
        {"conv1d": (3,), "conv2d": (3, 2), "conv3d": (2, 3, 2)}[case.module]


def _check_vjp(module, args, attrs, rng, const=()):
    forward, vjp = REFERENCES[module]
    y = forward(*args, **attrs)
    assert y.dtype == np.float64
    u = rng.normal(size=y.shape)
    grads = vjp(u, *args, **attrs)
    assert isinstance(grads, tuple) and len(grads) == len(args)
    expected = fd_vjp(lambda *a: forward(*a, **attrs), args, u, range(len(args)))
    for i, (got, fd) in enumerate(zip(grads, expected)):
        assert got.shape == args[i].shape and got.dtype == np.float64
        if i in const:  # bias=False: b is ignored, its gradient is exactly 0
            np.testing.assert_array_equal(got, 0.0)
        np.testing.assert_allclose(got, fd, rtol=RTOL, atol=ATOL, err_msg=f"{module}: argument {i}")


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: c.id)
@FD_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 2))
def test_conv_vjp_matches_finite_differences(case, seed, batch):
    rng = np.random.default_rng(seed)
    groups = case.attrs.get("groups", 1)
    x = rng.uniform(-2, 2, (batch, case.cin, *case.size))
    w = rng.uniform(-1, 1, (case.cout, case.cin // groups, *_kernel(case)))
    b = rng.uniform(-1, 1, case.cout)
    const = (2,) if case.attrs.get("bias") is False else ()
    _check_vjp(case.module, [x, w, b], case.attrs, rng, const)


@pytest.mark.parametrize("attrs", [{}, {"stride": 2, "padding": 1}, {"padding": "same"},
                                   {"padding": "same", "stride": 2, "same_split": "start"},
                                   {"dilation": 2}], ids=str)
@FD_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), mult=st.integers(1, 2))
def test_separable_vjp_matches_finite_differences(attrs, seed, mult):
    rng = np.random.default_rng(seed)
    c, m = 2, 3
    x = rng.uniform(-2, 2, (2, c, 6, 5))
    w1 = rng.uniform(-1, 1, (c * mult, 1, 2, 3) if attrs.get("padding") == "same" else (c * mult, 1, 3, 2))
    w2 = rng.uniform(-1, 1, (m, c * mult, 1, 1))
    _check_vjp("separable_conv2d", [x, w1, w2], attrs, rng)


@pytest.mark.parametrize("bias", [True, False])
@FD_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3), i=st.integers(1, 5), o=st.integers(1, 4))
def test_linear_vjp_matches_finite_differences(bias, seed, n, i, o):
    rng = np.random.default_rng(seed)
    args = [rng.uniform(-2, 2, (n, i)), rng.uniform(-1, 1, (o, i)), rng.uniform(-1, 1, o)]
    _check_vjp("linear", args, {"bias": bias}, rng, () if bias else (2,))


# -- hand-computed values ------------------------------------------------------------------------
def fwd(name, *args, **kw):
    return REFERENCES[name].forward(*args, **kw)


def vjp(name, *args, **kw):
    return REFERENCES[name].vjp(*args, **kw)


def test_linear_by_hand():
    x, w, b = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0.0, 0.0, 1.0])
    np.testing.assert_array_equal(fwd("linear", x, w, b), [[1.0, 2.0, 4.0]])
    dx, dw, db = vjp("linear", np.array([[1.0, -1.0, 2.0]]), x, w, b)
    np.testing.assert_array_equal(dx, [[3.0, 1.0]])  # dL/dy W
    np.testing.assert_array_equal(dw, [[1.0, 2.0], [-1.0, -2.0], [2.0, 4.0]])  # (dL/dy)ᵀ x: W's shape
    np.testing.assert_array_equal(db, [1.0, -1.0, 2.0])


def test_conv2d_3x3_input_2x2_kernel_stride_2_padding_1_by_hand():
    """Padded input rows: 0 0 0 0 0 / 0 1 2 3 0 / 0 4 5 6 0 / 0 7 8 9 0 / 0 0 0 0 0; the 2×2
    windows at stride 2 start at (0,0), (0,2), (2,0), (2,2); the last row/column is unread."""
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    w = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2)
    b = np.array([0.5])
    y = fwd("conv2d", x, w, b, stride=2, padding=1)
    np.testing.assert_array_equal(y, [[[[4.5, 18.5], [36.5, 77.5]]]])  # 4·1; 3·2+4·3; 2·4+4·7; 5+12+24+36
    dx, dw, db = vjp("conv2d", np.ones((1, 1, 2, 2)), x, w, b, stride=2, padding=1)
    np.testing.assert_array_equal(dx, [[[[4, 3, 4], [2, 1, 2], [4, 3, 4]]]])  # the tap reading each x
    np.testing.assert_array_equal(dw, [[[[5, 10], [10, 20]]]])  # Σ of the padded x under each tap
    np.testing.assert_array_equal(db, [4.0])


@pytest.mark.parametrize("split, expected", [("end", [3.0, 5.0, 3.0]), ("start", [1.0, 3.0, 5.0])])
def test_same_split_of_an_odd_total(split, expected):
    """Kernel 2, stride 1: total padding 1 goes after ([1, 2, 3, 0]) or before ([0, 1, 2, 3])."""
    y = fwd("conv1d", np.array([[[1.0, 2.0, 3.0]]]), np.ones((1, 1, 2)), np.zeros(1),
            padding="same", same_split=split)
    np.testing.assert_array_equal(y, [[expected]])


@pytest.mark.parametrize("split, expected", [("end", [6.0, 7.0]), ("start", [3.0, 9.0])])
def test_strided_same_is_tensorflows_rule(split, expected):
    """L = 4, K = 3, U = 2: out = ceil(4/2) = 2, total = max((2−1)·2 + 3 − 4, 0) = 1."""
    y = fwd("conv1d", np.array([[[1.0, 2.0, 3.0, 4.0]]]), np.ones((1, 1, 3)), np.zeros(1),
            stride=2, padding="same", same_split=split)
    np.testing.assert_array_equal(y, [[expected]])


def test_groups_keep_channels_apart():
    x = np.array([[[1.0, 2.0], [10.0, 20.0]]])  # (1, 2, 2)
    w = np.array([[[1.0]], [[2.0]], [[3.0]], [[4.0]]])  # (4, 1, 1): two outputs per group
    y = fwd("conv1d", x, w, np.zeros(4), groups=2)
    np.testing.assert_array_equal(y, [[[1, 2], [2, 4], [30, 60], [40, 80]]])


def test_separable_depthwise_channel_order_is_k_mult_plus_q():
    """Depthwise channel k·mult + q reads input channel k (TensorFlow's documented order)."""
    x = np.array([1.0, 10.0]).reshape(1, 2, 1, 1)
    w1 = np.array([1.0, 2.0, 3.0, 4.0]).reshape(4, 1, 1, 1)  # mult = 2
    w2 = np.eye(4).reshape(4, 4, 1, 1)
    y = fwd("separable_conv2d", x, w1, w2)
    np.testing.assert_array_equal(y.ravel(), [1.0, 2.0, 30.0, 40.0])


def _as_written_conv1d(x, w):
    """000/001 'Conv-1D' forward exactly as written, y_{s,i} = Σ_p Σ_{i'} x_{p,i−i'} w_{s,p,i'},
    for the output positions where every x_{p,i−i'} exists (i = K−1 .. L−1)."""
    (c, length), (m, _, k) = x.shape, w.shape
    return np.array([[sum(x[p, i - j] * w[s, p, j] for p in range(c) for j in range(k))
                      for i in range(k - 1, length)] for s in range(m)])


def test_document_index_form_is_the_correlation_with_a_rotated_kernel():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 7)), rng.normal(size=(3, 2, 3))
    written = _as_written_conv1d(x, w)
    ref = fwd("conv1d", x[None], w, np.zeros(3))[0]
    np.testing.assert_allclose(fwd("conv1d", x[None], w[..., ::-1], np.zeros(3))[0], written, rtol=1e-12)
    assert not np.allclose(ref, written)  # the reference is not the as-written convolution


def test_001_size_example_holds_for_kernel_3_not_5():
    """001 'Conv-2D': "if the kernel size is 5, then setting the padding=dilation=2 would
    ensure the preservation of dimensions" — true for kernel 3, not 5 (H_out = H − 4)."""
    x, b = np.zeros((1, 1, 8, 8)), np.zeros(1)
    assert fwd("conv2d", x, np.zeros((1, 1, 3, 3)), b, padding=2, dilation=2).shape[2:] == (8, 8)
    assert fwd("conv2d", x, np.zeros((1, 1, 5, 5)), b, padding=2, dilation=2).shape[2:] == (4, 4)
    assert fwd("conv2d", x, np.zeros((1, 1, 3, 3)), b, padding=2, dilation=2, stride=2).shape[2:] == (4, 4)
