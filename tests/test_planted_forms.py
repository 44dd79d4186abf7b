"""Planted form faults (tests/planted_forms.py) are caught by the quick profile exactly in
their planted forms — the check against the reference and the one against the same
adapter's canonical call — and nowhere else; the honest references raise no alarm on any
form of those modules."""

from __future__ import annotations

import numpy as np
import pytest

from adapters.numpy import NumpyAdapter
from conformance.model.forms import CANONICAL, FormChoice, coverage
from conformance.plan.profiles import PROFILES
from conformance.plan.selection import Selection
from conformance.run.case import run_case
from tests.planted_forms import CORPUS

DTYPES = "float32,float64"


def _records(adapter, module, spec_path=None):
    sel = Selection.parse(modules=module, frameworks="numpy", dtypes=DTYPES, devices="cpu")
    out = []
    for case in sel.cases():
        case = type(case)(case.spec, case.variant, adapter.name, case.dtype, case.device,
                          case.mode, case.precision, case.form)
        out += [r.to_json() for r in run_case(case, adapter, PROFILES["quick"])]
    return out


@pytest.mark.parametrize("planted", CORPUS, ids=lambda c: c.name)
def test_form_fault_fails_exactly_its_forms(planted):
    records = _records(planted(), planted.module)
    failed = {(r["form"], r["check"]) for r in records if r["status"] != "pass"}
    assert failed == {(f, planted.check) for f in planted.EXPECTED}, \
        [(r["case_id"], r["check"], r["reason"]) for r in records if r["status"] != "pass"]
    # the canonical cases pass: only a form shows the fault
    assert all(r["status"] == "pass" for r in records if r["form"] == CANONICAL)
    for r in records:
        if r["status"] == "fail":
            assert "~" in r["case_id"] and "python -m conformance repro" in r["repro"]


@pytest.mark.parametrize("module", sorted({p.module for p in CORPUS}))
def test_honest_references_pass_every_form(module):
    records = _records(NumpyAdapter(), module)
    assert {r["form"] for r in records} - {CANONICAL}, "no form ran"
    assert [(r["case_id"], r["check"], r["reason"]) for r in records
            if r["status"] != "pass"] == []
    # every form case also compares with the canonical call
    forms = {r["form"] for r in records if r["form"] != CANONICAL}
    compared = {r["form"] for r in records if r["check"].startswith("form~canonical:")}
    assert forms == compared
    assert set(coverage(records)[module]) >= forms | {CANONICAL}


def test_form_choice_selects_kinds_and_names():
    assert not FormChoice.parse("canonical").wants("axis=0")
    assert FormChoice.parse("axis").wants("axis=0") and not FormChoice.parse("axis").wants("D=1")
    assert FormChoice.parse("axis,size").wants("axis=0+D=1")
    assert FormChoice.parse("D=1+axis=0").wants("axis=0+D=1")
    assert FormChoice.parse(None).wants("channels_last+strided")
    with pytest.raises(ValueError):
        FormChoice.parse("diagonal")
    sel = Selection.parse(modules="softmax", frameworks="numpy", dtypes="float32",
                          devices="cpu", forms="canonical")
    assert {c.form for c in sel.cases()} == {CANONICAL}


def test_form_case_ids_parse_back():
    from conformance.plan.cases import parse_case_id

    sel = Selection.parse(modules="softmax,batch_norm", frameworks="torch", dtypes="float32",
                          devices="cpu")
    for case in sel.cases():
        assert parse_case_id(case.id) == case


def test_forms_run_records_and_covers_them(tmp_path):
    """The CLI's default run includes the forms: records carry ``form``, results.json's
    ``form_coverage`` lists them, and a failing form's repro replays it."""
    from tests.cli_helpers import conformance, results, run_repro

    proc = conformance("run", "--adapter", "tests.planted_forms:NonLastAxis", "--modules",
                       "softmax", "--dtypes", "float64", "--devices", "cpu", "--forms", "all",
                       "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = results(tmp_path)
    covered = doc["form_coverage"]["softmax"]
    assert {"canonical", "axis=0", "D=1", "transposed", "axis=0+D=1"} <= set(covered)
    bad = [r for r in doc["cases"] if r["status"] == "fail"]
    from tests.planted_forms import NonLastAxis

    assert {r["form"] for r in bad} == set(NonLastAxis.EXPECTED)
    replay = run_repro(bad[0]["repro"])
    assert replay.returncode == 1 and "grad:x" in replay.stdout + replay.stderr, replay.stdout


def test_a_variant_attribute_named_form_reaches_the_op():
    """The suite passes the call's form under its own key: a module whose variants have an
    attribute called ``form`` (the recurrent conventions, lstm[form=peephole]) gets it, in
    the canonical call and in a layout form alike."""
    from adapters.forms import FORM

    adapter, x = NumpyAdapter(), np.zeros((2, 3, 1))
    kw = adapter.prepare_call("lstm", [x], ["x"], ["x"], {"form": "peephole"}, "float64",
                              "cpu", "eager")
    assert kw == {"form": "peephole"}
    kw = adapter.prepare_call("lstm", [x], ["x"], ["x"], {"form": "peephole", FORM: "T=1"},
                              "float64", "cpu", "eager")
    assert kw == {"form": "peephole"}
