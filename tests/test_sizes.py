"""The size dimension: every module's quick profile reaches a shape past each threshold that
applies to it; large examples run once each, are recorded, and grow the tolerance by the
documented model only."""

from __future__ import annotations

import math

import pytest

from adapters.numpy import NumpyAdapter
from conformance.plan.cases import Case
from conformance.plan.profiles import PROFILES
from conformance.run.case import run_case
from conformance.run.search import large_points
from conformance.model.sizes import THRESHOLDS, crossed, small_ranges
from conformance.plan.quick_sizes import quick_classes, quick_dtype
from conformance.results.coverage import coverage
from conformance.model.spec import GROWTH
from conformance.specs import BY_NAME, SPECS
from conformance.draw.strategies import shape_pool, shapes_of

SIZED_FAMILIES = {"basic", "pooling", "linear", "normalization", "recurrent", "attention"}
SIZED = [s for s in SPECS if s.sizes is not None]


def test_every_module_of_the_sized_families_has_sizes():
    from conformance.specs import sizes as table

    named = {n for entries in table.BY_FAMILY.values() for n in entries if isinstance(n, str)}
    helpers = {h for entries in table.BY_FAMILY.values() for h in entries if callable(h)}
    missing = [s.name for s in SPECS if s.sizes is None and (s.name in named or s.dims in helpers)]
    assert missing == []
    assert len(SIZED) >= 39, [s.name for s in SIZED]


@pytest.mark.parametrize("spec", SIZED, ids=lambda s: s.name)
def test_quick_profile_crosses_every_threshold_that_applies(spec):
    reached = {}
    for variant in spec.variants:
        dims = shape_pool(small_ranges(spec, variant)) + [c.point for c in quick_classes(spec, variant)]
        for name, hit in crossed(spec, variant, dims, shapes_of).items():
            reached[name] = reached.get(name, False) or hit
    assert reached and set(reached) <= set(THRESHOLDS)
    assert [n for n, hit in reached.items() if not hit] == []


@pytest.mark.parametrize("spec", SIZED, ids=lambda s: s.name)
def test_every_class_runs_once_per_module(spec):
    plain = [v for v in spec.variants if not getattr(v, "dims", None)]
    names, runs = set(), 0
    for variant in plain:
        classes = quick_classes(spec, variant)
        runs += len(classes)
        names |= {c.name for c in classes}
        small = small_ranges(spec, variant)
        for c in classes:  # a class is a box of the module's own dims
            assert set(c.ranges) == set(small), (variant.name, c.name)
            assert all(lo <= hi for lo, hi in c.ranges.values())
    quick_names = {c.name for c in spec.sizes.classes(plain[0].attrs) if c.quick}
    assert names == quick_names
    # each class once per module when there are enough variants (K compiles, not V)
    assert runs == len(quick_names) if len(plain) >= len(quick_names) else runs >= len(plain)


def test_large_examples_run_once_each_and_are_recorded():
    calls = []

    class Counting(NumpyAdapter):
        name, package = "counting", None

        def vjp(self, module, args, *rest, **kw):
            calls.append(tuple(args[0].shape))
            return super().vjp(module, args, *rest, **kw)

    spec = BY_NAME["softmax"]
    dtype = quick_dtype(spec, spec.variants[0])
    other = Case(spec, spec.variants[0], "counting", ({"float32", "float64"} - {dtype}).pop(), "cpu")
    assert large_points(other, PROFILES["quick"]) == []  # large shapes in one dtype a variant
    case = Case(spec, spec.variants[0], "counting", dtype, "cpu")
    records = run_case(case, Counting(), PROFILES["quick"])
    large = [(d["N"], d["D"]) for d in large_points(case, PROFILES["quick"])]
    assert large == [(97, 1031)]
    assert calls.count((97, 1031)) == 1  # Hypothesis redraws the finite pool; the body caches
    for r in records:
        assert r.status == "pass"
        assert {"N": 97, "D": 1031} in r.shapes and {"N": 1, "D": 1} in r.shapes
        assert all(r.thresholds.values()) and "elements>32768" in r.thresholds
    assert coverage([r.to_json() for r in records]) == {"softmax": []}


def test_coverage_names_what_no_record_reached():
    records = [{"module": "m", "thresholds": {"batch>64": False, "row>=1000": True}},
               {"module": "m", "thresholds": {"batch>64": False}},
               {"module": "m", "thresholds": {}}]
    assert coverage(records) == {"m": ["batch>64"]}


def test_tolerance_grows_with_the_reduction_length_only():
    spec = BY_NAME["softmax"]
    variant = spec.variants[0]
    small = small_ranges(spec, variant)
    tol = spec.tolerance
    assert tol.growth("forward", {"N": 3, "D": 16}, {}, small) == 0.0  # calibrated length
    grown = tol.growth("grad:x", {"N": 97, "D": 1031}, {}, small)
    assert grown == pytest.approx(GROWTH * (math.sqrt(1031) - math.sqrt(16)))
    assert tol.at("forward", {"N": 97, "D": 1031}, {}, small).forward == tol.forward + grown
    # an elementwise map has no reduction: no growth at any size
    tanh = BY_NAME["tanh"]
    assert tanh.tolerance.growth("grad:x", {"N": 97, "D": 1031}, {}, small_ranges(tanh, tanh.variants[0])) == 0.0
    # PReLU: only the α gradient (a sum over N·L) grows
    prelu = BY_NAME["prelu"]
    dims, small = {"N": 66, "C": 2, "L": 1031}, small_ranges(prelu, prelu.variants[0])
    assert prelu.tolerance.growth("grad:x", dims, {}, small) == 0.0
    assert prelu.tolerance.growth("grad:alpha", dims, {}, small) > 200


def test_results_carry_the_run_wide_size_coverage(tmp_path):
    """results.json ``size_coverage``: per module, what this run's examples did not cross
    (a float64-only run misses the classes that run in float32)."""
    from tests.cli_helpers import conformance, results

    proc = conformance("run", "--modules", "relu", "--frameworks", "numpy", "--dtypes",
                       "float32,float64", "--devices", "cpu", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = results(tmp_path)
    assert doc["size_coverage"] == coverage(doc["cases"]) == {"relu": []}
    large_in = quick_dtype(BY_NAME["relu"], BY_NAME["relu"].variants[0])
    other = "float64" if large_in == "float32" else "float32"
    proc = conformance("run", "--modules", "relu", "--frameworks", "numpy", "--dtypes", other,
                       "--devices", "cpu", "--out", str(tmp_path / "one"))
    missed = results(tmp_path / "one")["size_coverage"]["relu"]
    assert "elements>32768" in missed and "row>=1000" in missed
