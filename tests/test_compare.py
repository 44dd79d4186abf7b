"""The comparison: tolerances per dtype, exactness at 0 ulps, non-finite values, shapes."""

import numpy as np
import pytest

from conformance.judge.comparison import EPS, compare, tolerance_array


def test_within_and_beyond_tolerance():
    expected = np.array([1.0, -2.0, 0.5])
    tol = tolerance_array(expected, "float32", 8)
    np.testing.assert_allclose(tol, 8 * EPS["float32"] * (np.abs(expected) + 2.0))
    ok = compare("forward", (expected + 0.9 * tol).astype(np.float64), expected, "float32", 8)
    assert ok.passed and 0.8 < ok.ratio <= 0.9 + 1e-9
    bad = compare("forward", expected + np.array([0, 1.5, 0]) * tol, expected, "float32", 8)
    assert not bad.passed and bad.worst_index == (1,) and bad.ratio == pytest.approx(1.5)
    assert "forward[1]" in bad.describe() and "ratio 1.5" in bad.describe()


def test_zero_ulps_means_exact():
    expected = np.array([0.0, 1.0])
    assert compare("grad:x", expected.copy(), expected, "float64", 0).passed
    res = compare("grad:x", np.array([0.0, np.nextafter(1.0, 2.0)]), expected, "float64", 0)
    assert not res.passed and res.ratio == np.inf


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_where_reference_is_finite_fails(bad):
    got = np.array([[1.0, bad]])
    res = compare("grad:x", got, np.array([[1.0, 2.0]]), "float32", 1e6)
    assert not res.passed and res.ratio == np.inf and res.worst_index == (0, 1)


def test_matching_non_finite_expectations_pass_and_mismatched_fail():
    expected = np.array([np.inf, np.nan, 1.0])
    assert compare("forward", expected.copy(), expected, "float64", 4).passed
    assert not compare("forward", np.array([-np.inf, np.nan, 1.0]), expected, "float64", 4).passed


def test_shape_mismatch_and_missing_gradient_fail():
    assert not compare("forward", np.zeros((2, 3)), np.zeros((3, 2)), "float32", 8).passed
    res = compare("grad:b", None, np.zeros(3), "float32", 8)
    assert not res.passed and "shape" in res.describe()


def test_float64_tolerance_is_tighter_than_float32():
    expected = np.array([1.0])
    got = expected + 1e-9
    assert compare("forward", got, expected, "float32", 8).passed
    assert not compare("forward", got, expected, "float64", 8).passed
