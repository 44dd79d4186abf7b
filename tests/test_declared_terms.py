"""Cancelling intermediates a spec declares (``Tolerance.terms``): softmax's backward
subtracts y_i Σ_j s_j from s_i, and that sum is rounded at the size of its terms while no
input perturbation moves it (conformance/judge/sensitivity.py cannot see it). An honest float32
evaluation of the documented formula then fails the plain scale by a few times; at the
declared terms' scale it passes, and a wrong value still fails."""

import numpy as np
import pytest

from conformance.judge.comparison import compare
from conformance.judge.sensitivity import scales
from conformance.specs import BY_NAME
from references.activations import softmax_vjp
from tests.planted import float32_softmax_grad

SPEC = BY_NAME["softmax"]
ULPS = SPEC.tolerance.grad
# Inputs on which the full profile saw every framework exceed the plain scale (1.03-3.5×):
# one row of two logits and a cotangent of two nearly equal values, all float32.
X = np.array([[1.3696169, -2.3021328]], np.float32)
G = np.array([[-0.918053, -0.96694475]], np.float32)


def _judged(got, x, g):
    (exact,) = softmax_vjp(g.astype(np.float64), x.astype(np.float64))
    plain = compare("grad:x", got, exact, "float32", ULPS)
    (s,) = scales(lambda ct, a: softmax_vjp(ct, a), [g.astype(np.float64), x.astype(np.float64)],
                  [exact], seed=0)
    terms = SPEC.tolerance.terms("grad:x", {"x": x.astype(np.float64)}, g.astype(np.float64), {})
    perturbed = compare("grad:x", got, exact, "float32", ULPS, cancelling=s)
    declared = compare("grad:x", got, exact, "float32", ULPS, cancelling=s + terms)
    return plain, perturbed, declared


def test_honest_float32_softmax_grad_fails_plain_and_input_scales_but_passes_declared_terms():
    plain, perturbed, declared = _judged(float32_softmax_grad(X, G), X, G)
    assert not plain.passed and plain.worst_index == (0, 0), plain.describe()
    # the input perturbation does not reach the rounding of Σ s: still a failure
    assert not perturbed.passed, perturbed.describe()
    assert declared.passed, declared.describe()


@pytest.mark.parametrize("sum_error", [1e-4, -3e-4, 1e-3])
def test_a_wrong_row_sum_still_fails_at_the_declared_terms_scale(sum_error):
    _, _, declared = _judged(float32_softmax_grad(X, G, sum_error), X, G)
    assert not declared.passed, declared.describe()


@pytest.mark.parametrize("seed", range(20))
def test_declared_terms_never_excuse_a_wrong_formula(seed):
    """Forgetting y in the subtracted term (s − Σ s): fails everywhere it differs."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-5, 5, (3, 7)).astype(np.float32)
    g = rng.uniform(-1, 1, (3, 7)).astype(np.float32)
    y = np.exp(x - x.max(-1, keepdims=True))
    y = (y / y.sum(-1, keepdims=True)).astype(np.float32)
    s = g * y
    wrong = (s - s.sum(-1, keepdims=True)).astype(np.float32)
    _, _, declared = _judged(wrong, x, g)
    assert not declared.passed, declared.describe()


def test_terms_are_declared_for_the_gradient_only():
    t = SPEC.tolerance.terms
    assert t("forward", {"x": X.astype(np.float64)}, G.astype(np.float64), {}) is None
    terms = t("grad:x", {"x": X.astype(np.float64)}, G.astype(np.float64), {})
    assert terms.shape == X.shape and np.all(terms > 0)


def _run_at_the_inputs(monkeypatch, adapter_class, terms="declared"):
    """``execute.run_example`` for softmax float32 on X, G (the strategy patched to give
    them), judged by the machinery as a run judges it."""
    from dataclasses import replace

    from conformance.run import example as execute
    from conformance.run import reference_cache
    from conformance.plan.cases import Case

    monkeypatch.setattr(execute, "make_inputs", lambda *a, **k: ({"x": X.copy()}, None))
    monkeypatch.setattr(execute, "make_cotangent", lambda *a, **k: G.copy())
    monkeypatch.setattr(reference_cache, "_cache", type(reference_cache._cache)())
    monkeypatch.setattr(reference_cache, "_total", [0])
    spec = SPEC if terms == "declared" else replace(SPEC, tolerance=replace(SPEC.tolerance, terms=None))
    case = Case(spec, spec.variants[0], "planted", "float32", "cpu")
    outcome = execute.run_example(case, adapter_class(), {"dims": {"N": 1, "D": 2}, "seed": 0})
    return {c.check: c for c in outcome.checks}["grad:x"]


def test_the_run_judges_softmax_at_its_declared_terms(monkeypatch):
    from tests.planted import Float32Softmax, Float32SoftmaxWrongSum

    honest = _run_at_the_inputs(monkeypatch, Float32Softmax)
    assert honest.passed, honest.describe()
    without = _run_at_the_inputs(monkeypatch, Float32Softmax, terms=None)
    assert not without.passed, without.describe()  # the false alarm the terms remove
    wrong = _run_at_the_inputs(monkeypatch, Float32SoftmaxWrongSum)
    assert not wrong.passed, wrong.describe()


# -- second order: softmax cross-entropy at D = 1 ------------------------------------------
CE = BY_NAME["softmax_cross_entropy"]


def _ce_oracle(z, p, u, v):
    from conformance.judge.oracles import HvpOracle
    from references._second_order import SECOND_ORDER

    exact, _ = SECOND_ORDER["softmax_cross_entropy"](u, [v, None], z, p)
    terms = CE.tolerance.terms("hvp:z", {"z": z, "p": p}, u, {}, tangents={"z": v})
    bare = HvpOracle({"z": exact}, {"z": np.zeros_like(exact)}, "hand-written", 0.0)
    declared = HvpOracle({"z": exact}, {"z": np.zeros_like(exact)}, "hand-written", 0.0, {"z": terms})
    return exact, bare, declared


def _float32_ce_hvp(z, p, u, v):
    """H v = u Σp (y ⊙ v − y ⟨y, v⟩) in float32, with y = softmax(z) rounded one unit
    below 1 at D = 1 (a float32 softmax or exp(log_softmax) may give 1 − 2⁻²⁴)."""
    z, p, u, v = (np.asarray(a, np.float32) for a in (z, p, u, v))
    y = np.full(z.shape, 1 - 2.0**-24, np.float32)
    dot = (y * v).sum(-1, keepdims=True).astype(np.float32)
    return (u[..., None] * p.sum(-1, keepdims=True) * (y * v - y * dot)).astype(np.float32)


def test_hvp_at_a_zero_gradient_is_judged_at_its_declared_terms():
    from conformance.judge.oracles import judge_hvp

    z, p = np.array([[0.7]]), np.array([[1.0]])     # D = 1: ∇s = 0 and H = 0 exactly
    u, v = np.array([0.9]), np.array([[-0.6]])
    exact, bare, declared = _ce_oracle(z, p, u, v)
    assert np.all(exact == 0)
    got = _float32_ce_hvp(z, p, u, v)
    assert np.any(got != 0)                           # the cancelling terms leave a rounding
    ulps = CE.tolerance.grad
    assert not judge_hvp("hvp:z", got, bare, "z", "float32", ulps).passed  # tolerance 0
    assert judge_hvp("hvp:z", got, declared, "z", "float32", ulps).passed
    wrong = got + np.float32(1e-3) * np.abs(v).astype(np.float32)  # a wrong second derivative
    assert not judge_hvp("hvp:z", wrong, declared, "z", "float32", ulps).passed
