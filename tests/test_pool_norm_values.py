"""Hand-computed values of the pooling / normalisation / GELU / PReLU references: both
avg-pool divisor rules with padding, −inf max-pool padding, both running-variance rules,
tiny BN / LN / GN / PReLU cases, GELU constants, erf against ``math.erf``, invalid input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from references import REFERENCES
from references._special import erf, erfc


def fwd(name, *args, **kw):
    return REFERENCES[name].forward(*args, **kw)


def vjp(name, *args, **kw):
    return REFERENCES[name].vjp(*args, **kw)


# -- pooling with padding ------------------------------------------------------------------------
@pytest.mark.parametrize("divisor, y, dx", [
    ("include_pad", [1.0, 2.0, 5.0 / 3.0], [2.0 / 3.0, 1.0, 2.0 / 3.0]),
    ("exclude_pad", [1.5, 2.0, 2.5], [5.0 / 6.0, 4.0 / 3.0, 5.0 / 6.0])])
def test_avg_pool1d_divisor_rules(divisor, y, dx):
    x = np.array([[[1.0, 2.0, 3.0]]])  # windows [0,1,2], [1,2,3], [2,3,0] (0 = padding)
    np.testing.assert_allclose(fwd("avg_pool1d", x, kernel=3, stride=1, padding=1,
                                   divisor=divisor)[0, 0], y, rtol=1e-15)
    (got,) = vjp("avg_pool1d", np.ones((1, 1, 3)), x, kernel=3, stride=1, padding=1,
                 divisor=divisor)
    np.testing.assert_allclose(got[0, 0], dx, rtol=1e-15)


@pytest.mark.parametrize("divisor, y", [
    ("include_pad", [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]),
    ("exclude_pad", np.ones((3, 3)))])
def test_avg_pool2d_padded_corners(divisor, y):
    x = np.ones((1, 1, 2, 2))
    np.testing.assert_allclose(fwd("avg_pool2d", x, kernel=2, stride=1, padding=1,
                                   divisor=divisor)[0, 0], y, rtol=1e-15)


def test_divisor_rules_agree_without_padding():
    x = np.random.default_rng(0).normal(size=(1, 2, 5, 4, 3))
    a, b = (fwd("avg_pool3d", x, kernel=2, stride=1, divisor=d) for d in ("include_pad", "exclude_pad"))
    np.testing.assert_array_equal(a, b)


def test_max_pool_pads_with_minus_infinity():
    x = np.array([[[-5.0, -1.0, -3.0]]])  # windows [pad, -5], [-1, -3]
    np.testing.assert_array_equal(fwd("max_pool1d", x, kernel=2, padding=1)[0, 0], [-5.0, -1.0])
    (dx,) = vjp("max_pool1d", np.array([[[1.0, 2.0]]]), x, kernel=2, padding=1)
    np.testing.assert_array_equal(dx[0, 0], [1.0, 2.0, 0.0])


def test_max_pool3d_first_tie_is_row_major():
    x = np.zeros((1, 1, 2, 2, 2))
    x[0, 0, 1, 0, 0] = x[0, 0, 0, 1, 1] = 1.0  # (0,1,1) comes first in row-major order
    (dx,) = vjp("max_pool3d", np.ones((1, 1, 1, 1, 1)), x, kernel=2, tie_rule="first")
    assert dx[0, 0, 0, 1, 1] == 1.0 and dx.sum() == 1.0


def test_pool_output_size_follows_the_padding_formula():
    x = np.zeros((1, 1, 7, 6))  # (7 + 2 - 3)//2 + 1 = 4, (6 + 0 - 2)//1 + 1 = 5
    assert fwd("max_pool2d", x, kernel=(3, 2), stride=(2, 1), padding=(1, 0)).shape == (1, 1, 4, 5)


# -- batch norm ----------------------------------------------------------------------------------
X4 = np.array([1.0, 2.0, 3.0, 4.0]).reshape(2, 1, 1, 2)  # one channel, M = 4


@pytest.mark.parametrize("rule, var", [("unbiased", 0.9 + 0.1 * 5.0 / 3.0), ("biased", 1.025)])
def test_running_stats_rules(rule, var):
    mean, new_var = fwd("batch_norm_running_stats", X4, np.zeros(1), np.ones(1), momentum=0.1,
                        running_var=rule)
    np.testing.assert_allclose(mean, [0.25], rtol=1e-15)  # 0.9·0 + 0.1·2.5
    np.testing.assert_allclose(new_var, [var], rtol=1e-15)  # σ² = 1.25 biased, 5/3 unbiased
    assert vjp("batch_norm_running_stats", (mean, new_var), X4, np.zeros(1), np.ones(1),
               momentum=0.1, running_var=rule) == (None, None, None)


def test_batch_norm_hand_values():
    x = np.array([-1.0, 0.0, 1.0]).reshape(3, 1)  # μ = 0, σ² = 2/3
    y = fwd("batch_norm", x, np.array([2.0]), np.array([0.5]), eps=1.0 / 3.0)  # r = 1
    np.testing.assert_allclose(y[:, 0], [-1.5, 0.5, 2.5], rtol=1e-15)
    dx, dg, db = vjp("batch_norm", np.array([[1.0], [0.0], [0.0]]), x, np.array([2.0]),
                     np.array([0.5]), eps=1.0 / 3.0)
    # dx = γ r (g − mean g − x̂ mean(g x̂)), x̂ = x: 2([1,0,0] − 1/3 − x·(−1/3))
    np.testing.assert_allclose(dx[:, 0], [0.666666666666667, -2.0 / 3.0, 0.0], atol=1e-15)
    np.testing.assert_allclose([dg[0], db[0]], [-1.0, 1.0], rtol=1e-15)


def test_normalisations_standardise():
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 3.0, size=(4, 6, 3, 5))
    ones, zeros = np.ones(6), np.zeros(6)
    for name, axes, kw in [("batch_norm", (0, 2, 3), {}), ("instance_norm", (2, 3), {}),
                           ("group_norm", None, {"groups": 3})]:
        y = fwd(name, x, ones, zeros, eps=0.0, **kw)
        y = y.reshape(4, 3, 2, 3, 5) if axes is None else y
        axes = (2, 3, 4) if axes is None else axes
        np.testing.assert_allclose(y.mean(axis=axes), 0.0, atol=1e-14)
        np.testing.assert_allclose(y.var(axis=axes), 1.0, rtol=1e-13)
    y = fwd("layer_norm", x, np.ones((3, 5)), np.zeros((3, 5)), eps=0.0)
    np.testing.assert_allclose(y.var(axis=(2, 3)), 1.0, rtol=1e-13)
    np.testing.assert_allclose(fwd("group_norm", x, ones, zeros, groups=6, eps=0.1),
                               fwd("instance_norm", x, ones, zeros, eps=0.1), rtol=1e-14)


# -- GELU, PReLU, erf ------------------------------------------------------------------------------
def test_gelu_values():
    x = np.array([[-3.0, -1.0, 0.0, 1.0, 3.0]])
    exact = [x_ * 0.5 * math.erfc(-x_ / math.sqrt(2)) for x_ in x[0]]
    np.testing.assert_allclose(fwd("gelu", x)[0], exact, rtol=1e-15, atol=1e-17)
    k = math.sqrt(2 / math.pi)
    approx = [0.5 * x_ * (1 + math.tanh(k * (x_ + 0.044715 * x_**3))) for x_ in x[0]]
    np.testing.assert_allclose(fwd("gelu", x, approximate="tanh")[0], approx, rtol=1e-14)
    np.testing.assert_allclose(vjp("gelu", np.ones((1, 1)), np.zeros((1, 1)))[0], [[0.5]])


def test_erf_matches_math():
    z = np.linspace(-9.0, 9.0, 20001)
    np.testing.assert_allclose(erf(z), [math.erf(v) for v in z], rtol=0, atol=5e-16)
    np.testing.assert_allclose(erfc(z), [math.erfc(v) for v in z], rtol=2e-14)


def test_prelu_values():
    x, alpha = np.array([[-2.0, 3.0], [0.0, -1.0]]), np.array([0.25, 0.5])
    np.testing.assert_array_equal(fwd("prelu", x, alpha), [[-0.5, 3.0], [0.0, -0.5]])
    dx, da = vjp("prelu", np.ones((2, 2)), x, alpha)
    np.testing.assert_array_equal(dx, [[0.25, 1.0], [0.25, 0.5]])  # x = 0: the left slope
    np.testing.assert_array_equal(da, [-2.0, -1.0])
    assert vjp("prelu", np.ones((2, 2)), x, alpha, grad_at_zero="right")[0][1, 0] == 1.0


# -- invalid input ---------------------------------------------------------------------------------
G = np.ones(2)


@pytest.mark.parametrize("call", [
    pytest.param(lambda: fwd("avg_pool1d", np.ones((1, 1, 4)), kernel=2, padding=2), id="pad>=kernel"),
    pytest.param(lambda: fwd("max_pool3d", np.ones((1, 1, 4, 4)), kernel=2), id="pool3d-4d-input"),
    pytest.param(lambda: fwd("avg_pool1d", np.ones((1, 1, 4)), kernel=2, divisor="x"), id="divisor"),
    pytest.param(lambda: fwd("group_norm", np.ones((1, 3, 2)), np.ones(3), np.ones(3), groups=2,
                             eps=1e-5), id="groups-not-dividing"),
    pytest.param(lambda: fwd("layer_norm", np.ones((2, 3)), G, G, eps=1e-5), id="ln-gamma-shape"),
    pytest.param(lambda: fwd("batch_norm", np.ones((2, 3)), G, G, eps=1e-5), id="bn-gamma-shape"),
    pytest.param(lambda: fwd("batch_norm", np.ones((2, 2)), G, G, eps=0.0), id="bn-constant-eps0"),
    pytest.param(lambda: fwd("batch_norm_running_stats", np.ones((2, 2)), G, G, momentum=0.1,
                             running_var="bessel"), id="running-var-rule"),
    pytest.param(lambda: fwd("gelu", np.ones((1, 2)), approximate="erf"), id="gelu-approximate"),
    pytest.param(lambda: fwd("prelu", np.ones((2, 3)), G), id="prelu-alpha-shape"),
])
def test_invalid_inputs_raise(call):
    with pytest.raises(ValueError):
        call()
