"""bfloat16 and float16: the error model, exactly representable inputs, the range and long
variants, autocast cases, accumulation probes (against planted adapters that accumulate in
float32 or in bfloat16) and the error chart. No framework needed except where marked."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.judge.accumulation import classify, run_probe
from conformance.plan.cases import parse_case_id
from conformance.model.domains import Distinct
from conformance.model.domains_range import CancellingLarge
from conformance.draw.representable import distinct_rounded, rounded
from conformance.plan.selection import Selection
from conformance.model.spec import UNIT_ROUNDOFF, LowPrecision, Tolerance, ulps_for
from conformance.specs import BY_NAME
from conformance.specs.accumulation import PROBES, cancelling
from conformance.draw.strategies import make_inputs
from tests.cli_helpers import by_case, conformance, results
from tests.planted_low_precision import (Bfloat16RunningSum, Float32Accumulation, InputTypeAttention,
                                         running_sum)


def test_model_counts_roundings_of_u_plus_the_float32_term():
    tol, low = Tolerance(forward=16, grad=32), LowPrecision(forward=4, grad=8)
    # compare() works in units of eps = 2u: 4 roundings of u are 2 eps, plus 16 float32 ulps.
    for dtype, u in UNIT_ROUNDOFF.items():
        assert ulps_for(tol, low, dtype, "forward") == pytest.approx((4 * u + 16 * 2.0**-23) / (2 * u))
        assert ulps_for(tol, low, dtype, "grad") == pytest.approx((8 * u + 32 * 2.0**-23) / (2 * u))
    assert ulps_for(tol, low, "float32", "grad") == 32 and ulps_for(tol, low, "tf32", "forward") == 16


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_inputs_are_exactly_representable_and_distinct_stays_distinct(dtype):
    spec = BY_NAME["max_pool2d"]
    variant = spec.variants[0]
    dims = {k: hi for k, (lo, hi) in spec.dims(variant.attrs).items()}
    inputs, _ = make_inputs(spec, variant, {"dims": dims, "seed": 3}, dtype)
    x = inputs["x"]
    assert str(x.dtype) == dtype
    assert np.array_equal(rounded(x.astype(np.float64), dtype).astype(np.float64), x.astype(np.float64))
    # 600-odd values in [-3, 3]: plain rounding to bfloat16 merges many; the domain's promise holds.
    values = Distinct().sample((2, 3, 10, 10), np.random.default_rng(0))
    assert np.unique(rounded(values, "bfloat16")).size < values.size
    kept = distinct_rounded(values, dtype).astype(np.float64)
    assert np.unique(kept).size == values.size
    assert np.array_equal(np.argsort(kept, axis=None), np.argsort(values, axis=None))  # order kept


def test_default_selection_has_both_dtypes_and_range_variants_only_where_they_matter():
    sel = Selection.parse(modules="sum,softmax,linear,relu", frameworks="numpy", devices="cpu",
                          precision="highest,autocast")
    ids = {c.id for c in sel.cases()}
    assert {"relu-numpy-bfloat16-cpu", "relu-numpy-float16-cpu"} <= ids
    assert "sum[near_overflow]-numpy-float16-cpu" in ids
    assert "sum[near_overflow]-numpy-bfloat16-cpu" not in ids  # bfloat16 has float32's range
    assert "softmax[long]-numpy-bfloat16-cpu" in ids and "softmax[long]-numpy-float32-cpu" not in ids
    autocast = sorted(i for i in ids if i.endswith("-autocast"))
    assert autocast == ["linear-numpy-float32-cpu-autocast"]  # matmul work, float32 arguments
    case = parse_case_id(autocast[0])
    assert (case.precision, case.dtype, case.id) == ("autocast", "float32", autocast[0])


def test_near_overflow_sum_overflows_float16_prefixes_with_a_small_total():
    x = CancellingLarge().sample((3, 7), np.random.default_rng(1))
    x16 = rounded(x, "float16").astype(np.float64)
    assert (np.abs(x16.sum(axis=-1)) < 100).all()
    assert (np.cumsum(x16, axis=-1).max(axis=-1) > 65504).all()


def test_cancelling_probe_values_sum_to_one_exactly_in_float32():
    for dtype in ("bfloat16", "float16"):
        v = rounded(cancelling((1, 8192)), dtype)
        assert v.astype(np.float64).sum() == 1.0
        assert np.cumsum(v.astype(np.float32), dtype=np.float32)[-1] == 1.0
        assert abs(float(running_sum(v, dtype)[0]) - 1.0) > 8 * UNIT_ROUNDOFF[dtype]


def test_classification_bounds():
    assert classify(0.0, "bfloat16") == "float32" and classify(4.0, "float16") == "float32"
    assert classify(4.5, "bfloat16") == "bfloat16" and classify(float("inf"), "float16") == "float16"


def test_probes_tell_float32_accumulation_from_a_planted_bfloat16_running_sum():
    honest, planted = Float32Accumulation(), Bfloat16RunningSum()
    by_module = {p.module: p for p in PROBES}
    for module in ("sum", "softmax"):
        for dtype in ("bfloat16", "float16"):
            assert run_probe(honest, by_module[module], dtype)["measured"] == "float32"
        assert run_probe(planted, by_module[module], "bfloat16")["measured"] == "bfloat16"
        # the fault is bfloat16-only: conditional, and the float16 probe must not see it
        assert run_probe(planted, by_module[module], "float16")["measured"] == "float32"
    assert run_probe(planted, by_module["linear"], "bfloat16")["measured"] == "float32"


def test_numpy_reference_adapter_skips_low_precision_with_its_reason():
    from adapters.base import Unsupported
    from adapters.numpy import NumpyAdapter

    x = np.ones((1, 2), dtype=np.float16)
    with pytest.raises(Unsupported, match="float64 oracle"):
        NumpyAdapter().vjp("relu", [x], ["x"], ["x"], x, {}, dtype="float16")


@pytest.mark.slow
def test_planted_bfloat16_running_sum_fails_with_the_measured_accumulation(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_low_precision:Bfloat16RunningSum",
                       "--modules", "sum,tanh", "--dtypes", "bfloat16,float16", "--devices", "cpu",
                       "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    cases = by_case(doc)
    bad = cases[("sum[long]-lp-bf16-running-sum-bfloat16-cpu", "forward")]
    assert bad["status"] == "fail"
    assert "accumulation measured" in bad["reason"] and "in bfloat16" in bad["reason"]
    assert bad["precision"]["accumulation"]["measured"] == "bfloat16"
    assert bad["precision"]["accumulation"]["assumed"] == "float32"
    for key in [("sum[long]-lp-bf16-running-sum-float16-cpu", "forward"),
                ("sum[near_overflow]-lp-bf16-running-sum-float16-cpu", "forward"),
                ("tanh-lp-bf16-running-sum-bfloat16-cpu", "grad:x")]:
        assert cases[key]["status"] == "pass", cases[key]["reason"]
    rows = [c for c in doc["conventions"] if c["probe"].startswith("accumulation: sum")]
    assert rows and "bfloat16: bfloat16" in rows[0]["measured"]["lp-bf16-running-sum"]
    assert "float16: float32" in rows[0]["measured"]["lp-bf16-running-sum"]
    html = (tmp_path / "index.html").read_text()
    assert "id='error-chart'" in html and "<polygon" in html  # bfloat16/float16 markers


@pytest.mark.slow
def test_float32_accumulating_adapter_passes_everything(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_low_precision:Float32Accumulation",
                       "--modules", "sum,softmax,squared_error", "--dtypes", "bfloat16,float16",
                       "--devices", "cpu", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = results(tmp_path)
    assert {r["status"] for r in doc["cases"]} == {"pass"}
    assert any("near_overflow" in r["case_id"] for r in doc["cases"])


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_attention_probe_separates_float32_from_input_type_accumulation(dtype):
    """The attention probe's normaliser sums 8192 ones and its P·V 8192 cancelling products:
    an adapter that accumulates in float32 errs by 0 u on the output; one whose P·V keeps
    its running sum in the input type errs by hundreds of u and is classified as such.
    (What a real framework does on this machine's CPU is a finding of a run, not a test.)"""
    probe = next(p for p in PROBES if p.module == "scaled_dot_product_attention")
    exact = run_probe(Float32Accumulation(), probe, dtype)
    assert exact["measured"] == "float32" and exact["errors_u"]["forward"] == 0.0, exact
    planted = run_probe(InputTypeAttention(), probe, dtype)
    assert planted["measured"] == dtype and planted["errors_u"]["forward"] > 50, planted
