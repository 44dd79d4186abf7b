"""Case ids read well and parse back; selections validate every name."""

import pytest

from conformance.plan.cases import Case, parse_case_id
from conformance.plan.selection import Selection, UsageError
from conformance.specs import BY_NAME, SPECS


def all_cases():
    return Selection.parse(frameworks="numpy,torch", devices="cpu,gpu", modes="eager,compiled").cases()


def test_ids_round_trip_for_every_case():
    cases = all_cases()
    assert len({c.id for c in cases}) == len(cases)
    for case in cases:
        assert parse_case_id(case.id) == case


def test_readable_ids():
    spec = BY_NAME["max_pool2d"]
    case = Case(spec, spec.variant("k=3,s=1"), "jax", "float64", "cpu", "compiled")
    assert case.id == "max_pool2d[k=3,s=1]-jax-float64-cpu-compiled"
    assert Case(BY_NAME["elu"], BY_NAME["elu"].variants[0], "torch", "float32", "cpu").id == "elu-torch-float32-cpu"


def test_every_spec_has_citations_formula_and_a_reference():
    from references import REFERENCES

    from tests.test_cli import EXPECTED_MODULES

    assert set(EXPECTED_MODULES) <= {s.name for s in SPECS}
    for spec in SPECS:
        assert spec.name in REFERENCES
        assert spec.citations and spec.formula
        assert all(c.seed.endswith(".txt") for c in spec.citations)


def test_selection_defaults_and_errors(monkeypatch):
    from adapters.machine import ENV

    monkeypatch.setenv(ENV, "1")  # a machine with a GPU: every device
    sel = Selection.parse()
    assert sel.devices == ["cpu", "gpu"]
    assert sel.dtypes == ["float32", "float64", "bfloat16", "float16"]
    assert len(sel.modules) == len(SPECS)
    assert set(sel.frameworks) >= {"numpy", "torch", "tensorflow", "jax"}
    assert Selection.parse(devices="all").devices == ["cpu", "gpu"]
    monkeypatch.setenv(ENV, "0")  # none: "all" is the devices this machine has; named stays
    assert Selection.parse().devices == Selection.parse(devices="all").devices == ["cpu"]
    assert Selection.parse(devices="cpu,gpu").devices == ["cpu", "gpu"]
    with pytest.raises(UsageError, match="valid: .*relu"):
        Selection.parse(modules="relu,reLU")


def test_quick_profile_runs_each_framework_in_its_adapters_quick_mode():
    from adapters import load_adapter

    sel = Selection.parse(modules="relu,conv2d")
    modes = {}
    for case in sel.cases():
        modes.setdefault(case.framework, set()).add(case.mode)
    for fw, seen in modes.items():
        assert seen == {load_adapter(sel.adapter_spec(fw)).quick_mode}, (fw, seen)
    assert sorted(sel.modes) == sorted({m for v in modes.values() for m in v})
    # an explicit --modes, and the full profile, run every named mode for every framework
    for chosen, expect in ((Selection.parse(modules="relu", modes="eager"), {"eager"}),
                           (Selection.parse(modules="relu", profile="full"), {"eager", "compiled"})):
        for fw in chosen.frameworks:
            assert {c.mode for c in chosen.cases() if c.framework == fw} == expect


def test_default_precision_cases_only_where_tf32_can_apply():
    sel = Selection.parse(modules="elu", frameworks="torch", devices="cpu,gpu", precision="highest,default")
    ids = {c.id for c in sel.cases()}
    assert "elu-torch-float32-gpu-default-precision" in ids
    assert not any("default-precision" in i and ("cpu" in i or "float64" in i) for i in ids)
    with pytest.raises(UsageError, match="valid: highest, default"):
        Selection.parse(precision="tf32")
