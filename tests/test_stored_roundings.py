"""The low-precision model's stored-tensor term (``spec.LowPrecision``, the references'
``stored`` marks, ``conformance.judge.sensitivity.stored_scales``): a framework that rounds every
stored tensor to the dtype, as the model describes, passes; a fault of one time step does
not; an accumulator kept in the dtype still fails; and the marks never change a value."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.judge.comparison import EPS, STORED_NOTE, compare
from conformance.judge.sensitivity import stored_scales
from conformance.model.spec import LowPrecision, Tolerance, ulps_for
from references import REFERENCES
from references._stored import stored, storing
from tests.cli_helpers import conformance, results
from tests.planted_low_precision import running_sum

ML = pytest.importorskip("ml_dtypes")


def _lstm_args(rng, T=2, N=2, I=1, H=3):
    shapes = [(T, N, I), (N, H), (N, H)] + [(H, H)] * 4 + [(H, I)] * 4 + [(H,)] * 4 + [(H, H)] * 3
    return [rng.uniform(-1, 1, s) for s in shapes]


def test_marks_are_the_identity_outside_storing_and_hooked_inside():
    rng = np.random.default_rng(0)
    args = _lstm_args(rng)
    ct = tuple(rng.normal(size=s) for s in ((2, 2, 3), (2, 3), (2, 3)))
    ref = REFERENCES["lstm"]
    plain = ref.vjp(ct, *args, form="peephole")
    seen = []
    with storing(lambda z: seen.append(np.shape(z)) or z):
        hooked = ref.vjp(ct, *args, form="peephole")
    assert len(seen) > 40  # two steps forward and backward, each forming many tensors
    for a, b in zip(plain, hooked):
        assert np.array_equal(a, b)
    assert stored(np.ones(2)) is not None and np.array_equal(stored(np.ones(2)), np.ones(2))


def test_a_formula_without_marks_has_no_stored_response():
    x = np.random.default_rng(1).normal(size=(3, 4))
    base = [np.tanh(x)]
    (r,) = stored_scales(lambda: [REFERENCES["tanh"].forward(x)], base)
    assert not np.any(r)


def _judged(name, got, expected, dtype, kind, stored_r=None):
    ulps = ulps_for(Tolerance(), LowPrecision(), dtype, kind)
    if stored_r is None:
        return compare(name, got, expected, dtype, ulps)
    add = LowPrecision.stored_term(dtype, ulps, EPS[dtype]) * stored_r
    return compare(name, got, expected, dtype, ulps, cancelling=add, note=STORED_NOTE)


def test_an_accumulator_kept_in_the_dtype_is_not_a_stored_tensor():
    """Σ_k stored(a_k·b_k) over 2048 terms: a float32 accumulator of the bfloat16-rounded
    products passes with the stored term; a running bfloat16 sum of the same products
    fails with it (the accumulator is not one of the formula's stored tensors)."""
    rng = np.random.default_rng(2)
    a, b = (np.asarray(rng.uniform(0.5, 1.0, (3, 2048)).astype(ML.bfloat16), dtype=np.float64)
            for _ in range(2))

    def formula():
        return [np.sum(stored(a * b), axis=-1)]
    exact = formula()
    (r,) = stored_scales(formula, exact)
    products = (a * b).astype(np.float32).astype(ML.bfloat16)
    f32_acc = products.astype(np.float32).sum(axis=-1).astype(ML.bfloat16)
    assert _judged("forward", f32_acc, exact[0], "bfloat16", "forward", r).passed
    running = running_sum(products.astype(np.float64), "bfloat16")
    bad = _judged("forward", running, exact[0], "bfloat16", "forward", r)
    assert not bad.passed and bad.ratio > 10, bad.describe()


@pytest.mark.slow
def test_a_framework_rounding_every_stored_tensor_passes(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_low_precision:StoredRounding",
                       "--modules", "lstm,gru,simple_rnn", "--dtypes", "bfloat16,float16",
                       "--devices", "cpu", "--out", str(tmp_path))
    doc = results(tmp_path)
    mine = [r for r in doc["cases"] if r["framework"] == "lp-stored" and r["status"] != "skip"]
    assert proc.returncode == 0, [r["reason"] for r in mine if r["status"] != "pass"]
    assert mine and {r["status"] for r in mine} == {"pass"}


EXAMPLES = [{"dims": {"T": T, "N": 2, "I": 1, "H": H}, "seed": seed}
            for T in (1, 2, 3) for H in (2, 3) for seed in range(6)]


def _outcomes(monkeypatch, adapter_class, module, form, dtype):
    from conformance.run import example as execute
    from conformance.run import reference_cache
    from conformance.plan.cases import Case
    from conformance.specs import BY_NAME

    monkeypatch.setattr(reference_cache, "_cache", type(reference_cache._cache)())
    monkeypatch.setattr(reference_cache, "_total", [0])
    spec = BY_NAME[module]
    case = Case(spec, spec.variant(f"form={form}"), adapter_class.name, dtype, "cpu")
    adapter = adapter_class()
    return {(e["dims"]["T"], e["dims"]["H"], e["seed"]): {c.check: c for c in execute.run_example(case, adapter, e).checks}
            for e in EXAMPLES}


FORMS = [("lstm", "peephole"), ("lstm", "standard"), ("lstm", "peephole_compact"),
         ("gru", "reset_after"), ("gru", "seed004")]


@pytest.mark.parametrize("module,form", FORMS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_an_honest_composed_framework_passes(monkeypatch, module, form, dtype):
    from tests.planted_low_precision import StoredRounding

    honest = _outcomes(monkeypatch, StoredRounding, module, form, dtype)
    bad = [c.describe() for checks in honest.values() for c in checks.values() if not c.passed]
    assert not bad, bad


def test_without_the_stored_term_the_model_rejects_its_own_composed_framework(monkeypatch):
    """Measured: 9 of the 10 forms × dtypes fail somewhere in these 36 examples (ratios
    1.02–2.4, weight and bias gradients at T = 1–3) when the stored term is 0."""
    from tests.planted_low_precision import StoredRounding

    monkeypatch.setattr(LowPrecision, "STORED_SIGMAS", 0.0)
    rejected = 0
    for module, form in FORMS:
        for dtype in ("bfloat16", "float16"):
            got = _outcomes(monkeypatch, StoredRounding, module, form, dtype)
            rejected += any(not c.passed for checks in got.values() for c in checks.values())
    assert rejected >= 5


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_a_lost_time_step_fails_at_the_stored_term(monkeypatch, dtype):
    from tests.planted_low_precision import StoredRoundingLastStepOnly

    got = _outcomes(monkeypatch, StoredRoundingLastStepOnly, "lstm", "peephole", dtype)
    for (T, H, seed), checks in got.items():
        failed = {n for n, c in checks.items() if not c.passed}
        assert failed <= {f"grad:U_{g}" for g in "ifgo"}, (T, H, seed, failed)
        if T >= 2:
            assert failed, (T, H, seed)  # caught at every example it is wrong at
        else:
            assert not failed


@pytest.mark.slow
def test_a_lost_time_step_still_fails_in_low_precision(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_low_precision:StoredRoundingLastStepOnly",
                       "--modules", "lstm,gru", "--dtypes", "bfloat16,float16", "--devices", "cpu",
                       "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    mine = [r for r in doc["cases"] if r["framework"] == "lp-stored-last-step" and r["status"] != "skip"]
    failed = {(r["case_id"], r["check"]) for r in mine if r["status"] == "fail"}
    assert failed and all(check.startswith("grad:U_") for _, check in failed), sorted(failed)
    cases = {r["case_id"] for r in mine}
    # Every case draws T >= 2 and every form has input weights: each one is caught.
    assert {c for c, _ in failed} == cases
