"""The cancelling-terms scale (conformance/judge/sensitivity.py): it sizes what cancels, it gives
nothing at kinks and ties, and with it an honest float32 evaluation of a cancelling sum
passes while a wrong value still fails."""

import numpy as np
import pytest

from conformance.judge.comparison import compare
from conformance.judge.sensitivity import scales


def _sum_rows(x):
    return (x.sum(axis=0),)


@pytest.mark.parametrize("n", [8, 64, 512])
def test_scale_of_a_cancelling_sum_is_the_size_of_its_terms(n):
    rng = np.random.default_rng(n)
    x = rng.uniform(0.5, 1.0, (n, 3)) * rng.choice((-1, 1), (n, 3))
    x[-1] -= x.sum(axis=0) - 1e-9  # each column sums to 1e-9: everything cancels
    (base,) = _sum_rows(x)
    norm = np.sqrt((x**2).sum(axis=0))
    ratios = [scales(_sum_rows, [x], [base], seed)[0] / norm for seed in range(30)]
    median = np.median(np.abs(ratios), axis=0)
    # Σ r_j x_j over random signs r: mean square Σ x_j², so its median is ~0.67·‖x‖
    assert np.all((median > 0.3) & (median < 1.5)), median
    assert np.all(base < 1e-8)  # the value itself is 9 orders below its terms


def test_no_scale_at_a_kink_or_a_tie():
    x = np.array([0.0, 0.0, 1.5, -2.0])
    relu = lambda a: (np.maximum(a, 0.0),)  # noqa: E731
    (s,) = scales(relu, [x], relu(x))
    assert s[0] == 0 and s[1] == 0 and s[2] > 0 and s[3] == 0
    pair = np.array([[1.0, 1.0], [2.0, 1.0]])  # row 0: a tie

    def argmax_grad(a):
        return (np.eye(2)[np.argmax(a, axis=1)] * a.sum(axis=1, keepdims=True),)
    (s,) = scales(argmax_grad, [pair], argmax_grad(pair), seed=3)
    assert np.all(s[0] == 0) or np.all(np.isfinite(s[0]) & (s[0] < 10)), s
    big = max(scales(argmax_grad, [pair], argmax_grad(pair), seed=k)[0][0].max() for k in range(20))
    assert big < 10  # a flipped tie (a jump of ~2 per ρ = 2⁻²⁰) would read as ~2e6


# 8 roundings plus the growth the error model gives a 256-term reduction (GROWTH·√n,
# spec.Tolerance): a sequential float32 sum of n terms errs by ~u·σ·n/√24.
ULPS = 8 + 16


def _cancelling_bias_gradient(seed):
    """dL/db of a linear layer = Σ_n ct_n, with cotangent rows that cancel."""
    rng = np.random.default_rng(seed)
    ct = (rng.uniform(0.5, 1.0, (256, 4)) * rng.choice((-1, 1), (256, 4))).astype(np.float32)
    ct[-1] = (ct[-1] - ct.astype(np.float64).sum(axis=0) + 3e-4).astype(np.float32)
    ct64 = ct.astype(np.float64)
    return ct, ct64, ct64.sum(axis=0)


@pytest.mark.parametrize("seed", range(5))
def test_an_honest_float32_sum_passes_only_at_the_terms_scale(seed):
    ct, ct64, exact = _cancelling_bias_gradient(seed)
    got = np.zeros(4, np.float32)
    for row in ct:  # sequential float32 accumulation: the worst legitimate order
        got = (got + row).astype(np.float32)
    plain = compare("grad:b", got, exact, "float32", ULPS)
    (s,) = scales(_sum_rows, [ct64], [exact], seed)
    widened = compare("grad:b", got, exact, "float32", ULPS, cancelling=s)
    assert widened.passed, widened.describe()
    # The plain scale (|e| ~ 3e-4) cannot see the terms (~1): thousands of times over
    assert not plain.passed and plain.ratio > 100, plain.describe()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("relative", [1e-2, 1e-4])
def test_a_wrong_value_still_fails_at_the_terms_scale(seed, relative):
    ct, ct64, exact = _cancelling_bias_gradient(seed)
    # a planted fault: one row's contribution scaled by (1 + relative), only in column 2;
    # 1e-4 of one term of ~0.75 is 5× what 256 float32 roundings of the terms allow
    wrong = exact.copy()
    wrong[2] += relative * ct64[7, 2]
    (s,) = scales(_sum_rows, [ct64], [exact], seed)
    result = compare("grad:b", wrong, exact, "float32", ULPS, cancelling=s)
    assert not result.passed and result.worst_index == (2,), result.describe()


@pytest.mark.parametrize("seed", range(5))
def test_in_bfloat16_the_terms_scale_allows_float32_accumulation_only(seed):
    """The low-precision model: terms combine in float32. A float32 sum of bfloat16 values
    rounded once to bfloat16 passes at the terms' scale; the same sum accumulated in
    bfloat16 (a kernel keeping its accumulator in the input type) still fails."""
    import ml_dtypes

    from conformance.judge.sensitivity import units

    bf16 = ml_dtypes.bfloat16
    ct, _, _ = _cancelling_bias_gradient(seed)
    ct = ct.astype(bf16)
    ct64 = ct.astype(np.float64)
    exact = ct64.sum(axis=0)
    (s,) = scales(_sum_rows, [ct64], [exact], seed)
    in_float32 = ct.astype(np.float32).sum(axis=0).astype(bf16)
    in_bfloat16 = np.zeros(4, bf16)
    for row in ct:
        in_bfloat16 = (in_bfloat16 + row).astype(bf16)
    judged = [compare("grad:b", got, exact, "bfloat16", ULPS, cancelling=units("bfloat16") * s)
              for got in (in_float32, in_bfloat16)]
    assert judged[0].passed, judged[0].describe()
    assert not judged[1].passed and judged[1].ratio > 2, judged[1].describe()
    assert units("bfloat16") == 2.0**-23 / 2.0**-7 and units("float32") == 1.0
