"""An empty --modules or --frameworks is a usage error (exit 2), never "everything"."""

import pytest

from conformance.plan.selection import Selection, UsageError
from tests.cli_helpers import conformance


@pytest.mark.parametrize("kind", ["modules", "frameworks"])
@pytest.mark.parametrize("value", ["", " , "])
def test_empty_names_nothing(kind, value):
    with pytest.raises(UsageError, match=f"--{kind} .* names nothing"):
        Selection.parse(**{kind: value})


def test_left_out_is_everything():
    assert Selection.parse(modules=None, frameworks=None).modules


@pytest.mark.parametrize("flag", ["--modules", "--frameworks"])
def test_cli_exit_2(tmp_path, flag):
    proc = conformance("run", flag, "", "--out", str(tmp_path), timeout=120)
    assert proc.returncode == 2 and "names nothing" in proc.stderr, proc.stdout + proc.stderr
    assert not (tmp_path / "results.json").exists()
