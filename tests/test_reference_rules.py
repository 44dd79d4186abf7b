"""The references' reference-only rules and hand-computed values.

Where the source document is ambiguous (ties of Max / MaxPooling-2D, the derivative of the
piecewise activations at exactly 0) each rule is exercised deliberately; forward values are
checked against numbers computed by hand; invalid rules and attributes must raise ValueError.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from references import REFERENCES

LAM = 1.0507009873554804934193349852946
ALPHA = 1.6732632423543772848170429916717


def fwd(name, *args, **kw):
    return REFERENCES[name].forward(*args, **kw)


def vjp(name, *args, **kw):
    return REFERENCES[name].vjp(*args, **kw)


# -- Max: ties ---------------------------------------------------------------------------------
@pytest.mark.parametrize("rule, expected", [
    ("split", [0, 1, 1]), ("first", [0, 2, 0]), ("last", [0, 0, 2]), ("all", [0, 2, 2])],
    ids=["split", "first", "last", "all"])
def test_max_tie_rules(rule, expected):
    x = np.array([[1.0, 3.0, 3.0]])
    assert fwd("max", x, tie_rule=rule) == pytest.approx([3.0])
    (dx,) = vjp("max", np.array([2.0]), x, tie_rule=rule)
    np.testing.assert_array_equal(dx, [expected])


def test_max_default_rule_is_split_and_a_subgradient():
    x = np.array([[5.0, 5.0, 5.0, 1.0], [0.0, 2.0, -1.0, 2.0]])
    (dx,) = vjp("max", np.array([3.0, -1.0]), x)
    np.testing.assert_allclose(dx, [[1, 1, 1, 0], [0, -0.5, 0, -0.5]])
    np.testing.assert_allclose(dx.sum(axis=1), [3.0, -1.0])  # shares dL/dy, does not copy it


# -- MaxPooling-2D: ties, overlaps, stride > kernel --------------------------------------------
@pytest.mark.parametrize("rule, expected", [
    ("first", [[4, 0], [0, 0]]), ("last", [[0, 0], [0, 4]]),
    ("split", [[1, 1], [1, 1]]), ("all", [[4, 4], [4, 4]])], ids=["first", "last", "split", "all"])
def test_max_pool_tie_rules_flat_window(rule, expected):
    x = np.ones((1, 1, 2, 2))
    (dx,) = vjp("max_pool2d", np.full((1, 1, 1, 1), 4.0), x, kernel=2, tie_rule=rule)
    np.testing.assert_array_equal(dx[0, 0], expected)


@pytest.mark.parametrize("rule, expected", [
    ("first", [[0, 1], [0, 0]]), ("last", [[0, 0], [1, 0]]),
    ("split", [[0, 0.5], [0.5, 0]]), ("all", [[0, 1], [1, 0]])],
    ids=["first", "last", "split", "all"])
def test_max_pool_ties_use_row_major_window_order(rule, expected):
    x = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])
    (dx,) = vjp("max_pool2d", np.ones((1, 1, 1, 1)), x, kernel=(2, 2), tie_rule=rule)
    np.testing.assert_array_equal(dx[0, 0], expected)


def test_max_pool_overlapping_windows_accumulate():
    x = np.array([[[[0.0, 5.0, 0.0], [1.0, 0.0, 2.0]]]])
    y = fwd("max_pool2d", x, kernel=2, stride=1)
    np.testing.assert_array_equal(y[0, 0], [[5.0, 5.0]])
    (dx,) = vjp("max_pool2d", np.array([[[[2.0, 3.0]]]]), x, kernel=2, stride=1)
    np.testing.assert_array_equal(dx[0, 0], [[0, 5, 0], [0, 0, 0]])


def test_avg_pool_values_and_uncovered_positions():
    x = np.arange(20.0).reshape(1, 1, 4, 5)
    y = fwd("avg_pool2d", x, kernel=(2, 2), stride=(2, 3))
    np.testing.assert_allclose(y[0, 0], [[3.0, 6.0], [13.0, 16.0]])
    (dx,) = vjp("avg_pool2d", np.ones((1, 1, 2, 2)), x, kernel=(2, 2), stride=(2, 3))
    np.testing.assert_allclose(dx[0, 0], np.tile([0.25, 0.25, 0, 0.25, 0.25], (4, 1)))


def test_pool_stride_defaults_to_kernel():
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 4))
    for name in ("max_pool2d", "avg_pool2d"):
        np.testing.assert_array_equal(fwd(name, x, kernel=2), fwd(name, x, kernel=2, stride=2))
        assert fwd(name, x, kernel=(3, 2)).shape == (2, 3, 2, 2)


# -- piecewise activations at exactly 0 --------------------------------------------------------
SLOPES_AT_ZERO = [  # (module, attrs, {rule: dy/dx at 0})
    ("relu", {}, {"left": 0.0, "right": 1.0, "mean": 0.5}),
    ("leaky_relu", {}, {"left": 0.01, "right": 1.0, "mean": 0.505}),
    ("leaky_relu", {"negative_slope": 0.3}, {"left": 0.3, "right": 1.0, "mean": 0.65}),
    ("elu", {"alpha": 0.5}, {"left": 0.5, "right": 1.0, "mean": 0.75}),
    ("selu", {}, {"left": LAM * ALPHA, "right": LAM, "mean": LAM * (ALPHA + 1) / 2}),
]
ZERO_IDS = ["relu", "leaky_relu", "leaky_relu-slope0.3", "elu-alpha0.5", "selu"]


@pytest.mark.parametrize("name, attrs, slopes", SLOPES_AT_ZERO,
                         ids=ZERO_IDS)
@pytest.mark.parametrize("rule", ["left", "right", "mean"])
def test_grad_at_zero_rules(name, attrs, slopes, rule):
    x, g = np.array([[0.0, 0.0]]), np.array([[2.0, -1.0]])
    assert np.all(fwd(name, x, grad_at_zero=rule, **attrs) == 0.0)
    (dx,) = vjp(name, g, x, grad_at_zero=rule, **attrs)
    np.testing.assert_allclose(dx, g * slopes[rule], rtol=1e-15)


@pytest.mark.parametrize("name, attrs, slopes", SLOPES_AT_ZERO,
                         ids=ZERO_IDS)
def test_grad_at_zero_default_is_the_documents_otherwise_branch(name, attrs, slopes):
    x, g = np.array([[0.0]]), np.array([[1.0]])
    assert vjp(name, g, x, **attrs)[0][0, 0] == pytest.approx(slopes["left"], rel=1e-15)
    x = np.array([[-1e-3, 1e-3]])  # off zero the rule does not matter
    outs = [vjp(name, g.repeat(2, 1), x, grad_at_zero=r, **attrs)[0] for r in slopes]
    assert all(np.array_equal(outs[0], o) for o in outs)


# -- invalid rules and attributes ----------------------------------------------------------------
X2, X4 = np.ones((1, 3)), np.ones((1, 1, 2, 2))
INVALID_RULES = [  # (module, input, rule keyword, a valid choice the message must name)
    ("max", X2, "tie_rule", "'split'"), ("max_pool2d", X4, "tie_rule", "'first'"),
    ("relu", X2, "grad_at_zero", "'left'"), ("leaky_relu", X2, "grad_at_zero", "'mean'"),
    ("elu", X2, "grad_at_zero", "'right'"), ("selu", X2, "grad_at_zero", "'left'")]


@pytest.mark.parametrize("name, x, rule, choice", INVALID_RULES,
                         ids=[f"{n}-{r}" for n, _, r, _ in INVALID_RULES])
def test_invalid_rule_raises_and_names_the_choices(name, x, rule, choice):
    attrs = {"kernel": 2} if name == "max_pool2d" else {}
    y = fwd(name, x, **attrs)
    with pytest.raises(ValueError, match=choice):
        fwd(name, x, **attrs, **{rule: "middle"})
    with pytest.raises(ValueError, match=choice):
        vjp(name, np.ones_like(y), x, **attrs, **{rule: "middle"})


@pytest.mark.parametrize("kernel, stride", [
    (3, 1), ((1, 3), 1), (0, 1), (-1, 1), ((2, 2, 2), 1), (2.5, 1), (True, 1),
    (2, 0), (2, -1), (2, (1, 0)), (2, "2")],
    ids=["kernel-taller-than-H", "kernel-wider-than-W", "kernel-0", "kernel-negative",
         "kernel-triple", "kernel-float", "kernel-bool", "stride-0", "stride-negative",
         "stride-pair-with-0", "stride-str"])
@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_invalid_pool_attributes(name, kernel, stride):
    with pytest.raises(ValueError):
        fwd(name, X4, kernel=kernel, stride=stride)
    with pytest.raises(ValueError):
        vjp(name, np.ones((1, 1, 1, 1)), X4, kernel=kernel, stride=stride)


@pytest.mark.parametrize("call", [
    pytest.param(lambda: fwd("max_pool2d", np.ones((2, 2, 2)), kernel=1), id="pool-not-NCHW"),
    pytest.param(lambda: vjp("avg_pool2d", np.ones((1, 1, 2, 2)), X4, kernel=2),
                 id="pool-cotangent-shape"),
    pytest.param(lambda: fwd("add", np.ones((2, 3)), np.ones((3,))), id="add-no-broadcasting"),
    pytest.param(lambda: vjp("softmax", np.ones((2, 3)), np.ones((3, 2))), id="softmax-cotangent"),
    pytest.param(lambda: vjp("sum", np.ones((2, 1)), np.ones((2, 3))), id="sum-cotangent"),
    pytest.param(lambda: fwd("dropout", X2, X2, rate=1.0), id="dropout-rate-1"),
    pytest.param(lambda: fwd("dropout", X2, X2, rate=-0.1), id="dropout-rate-negative"),
    pytest.param(lambda: fwd("dropout", X2, np.full((1, 3), 0.5)), id="dropout-mask-not-0/1"),
    pytest.param(lambda: fwd("cross_entropy", np.array([[0.5, 0.0]]), np.array([[0.5, 0.5]])),
                 id="cross_entropy-x-not-positive"),
    pytest.param(lambda: fwd("squared_error", X2, np.ones((1, 2))), id="squared_error-shapes"),
])
def test_invalid_inputs_raise(call):
    with pytest.raises(ValueError):
        call()


# -- hand-computed forward values, extremes without overflow warnings ------------------------
@pytest.fixture
def no_fp_warnings():
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


def test_selu_constants(no_fp_warnings):
    x = np.array([[1.0, -1000.0, 0.0]])
    np.testing.assert_allclose(fwd("selu", x), [[LAM, -LAM * ALPHA, 0.0]], rtol=1e-15)
    assert LAM * ALPHA == pytest.approx(1.7580993408473766, rel=1e-15)


def test_extremes_of_smooth_activations(no_fp_warnings):
    x = np.array([[-1000.0, 0.0, 1000.0]])
    np.testing.assert_allclose(fwd("softplus", x), [[0.0, np.log(2.0), 1000.0]], rtol=1e-15)
    np.testing.assert_allclose(fwd("sigmoid", x), [[0.0, 0.5, 1.0]], rtol=1e-15)
    np.testing.assert_allclose(fwd("tanh", x), [[-1.0, 0.0, 1.0]], rtol=1e-15)
    np.testing.assert_allclose(fwd("elu", x), [[-1.0, 0.0, 1000.0]], rtol=1e-15)
    g = np.ones((1, 3))
    np.testing.assert_allclose(vjp("softplus", g, x)[0], [[0.0, 0.5, 1.0]], rtol=1e-15)
    np.testing.assert_allclose(vjp("sigmoid", g, x)[0], [[0.0, 0.25, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(vjp("tanh", g, x)[0], [[0.0, 1.0, 0.0]], rtol=1e-15)
    assert fwd("softplus", np.array([[30.0]]))[0, 0] == pytest.approx(30.0 + np.exp(-30.0))


def test_softmax_and_softmax_cross_entropy_large_logits(no_fp_warnings):
    z = np.array([[1000.0, 1000.0, -1000.0]])
    np.testing.assert_allclose(fwd("softmax", z), [[0.5, 0.5, 0.0]])
    # a constant cotangent is invisible through softmax (outputs sum to 1)
    np.testing.assert_allclose(vjp("softmax", np.full((1, 3), 7.0), z)[0], 0.0, atol=1e-12)
    p = np.array([[0.0, 0.0, 1.0]])
    assert fwd("softmax_cross_entropy", z, p) == pytest.approx([2000.0 + np.log(2.0)])
    dz, dp = vjp("softmax_cross_entropy", np.array([2.0]), z, p)
    np.testing.assert_allclose(dz, [[1.0, 1.0, -2.0]])
    assert dp is None


def test_hand_computed_losses_and_elementwise():
    x, p = np.array([[0.5, 0.25, 0.25]]), np.array([[1.0, 0.0, 0.0]])
    assert fwd("cross_entropy", x, p) == pytest.approx([np.log(2.0)])
    np.testing.assert_allclose(vjp("cross_entropy", np.array([3.0]), x, p)[0], [[-6.0, 0, 0]])
    x, t = np.array([[1.0, 2.0]]), np.array([[0.0, 4.0]])
    assert fwd("squared_error", x, t) == pytest.approx([5.0])
    np.testing.assert_allclose(vjp("squared_error", np.array([0.5]), x, t)[0], [[1.0, -2.0]])
    x, mask = np.array([[1.0, -2.0, 3.0]]), np.array([[1.0, 0.0, 1.0]])
    np.testing.assert_allclose(fwd("dropout", x, mask, rate=0.75), [[4.0, 0.0, 12.0]])
    np.testing.assert_allclose(vjp("dropout", np.ones((1, 3)), x, mask, rate=0.75)[0], [[4, 0, 4]])
    a, b = np.array([[1.0, 2.0]]), np.array([[3.0, -1.0]])
    np.testing.assert_allclose(vjp("multiply", np.array([[2.0, 2.0]]), a, b), [[[6, -2]], [[2, 4]]])
    np.testing.assert_allclose(fwd("leaky_relu", np.array([[-2.0, 2.0]])), [[-0.02, 2.0]])


@pytest.mark.parametrize("name", ["sigmoid", "softmax", "tanh", "sum", "relu"])
def test_float32_inputs_are_computed_in_float64(name):
    x = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    y = fwd(name, x)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, fwd(name, x.astype(np.float64)))
    (dx,) = vjp(name, np.ones(y.shape, np.float32), x)
    assert dx.dtype == np.float64
