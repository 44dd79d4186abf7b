"""``compare OLD NEW`` in findings: a planted new finding and a fixed one, named by id;
a new finding fails the gate, a moved worst ratio is a change."""

import copy

from reports.compare import compare_docs
from tests.cli_helpers import conformance
from tests.report_fixtures import small_doc
from tests.test_compare_cli import flip, write_run

NEW_ID = "unexplained:torch:activation:grad:canonical"
FIXED_ID = "unexplained:jax:activation:forward:canonical"


def planted_pair():
    base = small_doc()
    new = flip(base, "relu[kink]-torch-float32-cpu", "grad:x", status="fail", verdict="unexplained",
               ratio=40.0, reason="grad:x[0, 1]: got 1.0, expected 0.0")
    new = flip(new, "tanh-jax-float32-cpu", "forward", status="pass", verdict="agree", reason="")
    return base, new


def test_compare_names_a_new_finding_and_a_fixed_one_by_id(tmp_path):
    base, new = planted_pair()
    old_dir, new_dir = write_run(tmp_path / "old", base), write_run(tmp_path / "new", new)
    proc = conformance("compare", str(old_dir), str(new_dir))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "new findings (1):" in out and NEW_ID in out.split("new findings (1):")[1].splitlines()[1]
    assert "findings fixed (1):" in out and FIXED_ID in out.split("findings fixed (1):")[1].splitlines()[1]
    assert out.index("new findings") < out.index("new failures")  # findings first
    c = compare_docs(base, new, None, None)
    assert [f["id"] for f in c.findings["new"]] == [NEW_ID]
    assert [f["id"] for f in c.findings["fixed"]] == [FIXED_ID]


def test_a_moved_ratio_is_a_change_and_not_a_regression():
    base = small_doc()
    worse = flip(base, "softmax-torch-float64-cpu", "grad:x", ratio=30.0)
    c = compare_docs(base, worse, None, None)
    assert not c.findings["new"] and not c.findings["fixed"]
    assert [o["id"] for o, _ in c.findings["changed"]] == ["framework-discrepancy:torch:activation:grad:canonical"]
    assert not c.regressed
    same = compare_docs(base, copy.deepcopy(base), None, None)
    assert same.findings == {"new": [], "fixed": [], "changed": []} and not same.regressed
