"""The machinery names no module and no framework: capabilities come from the spec table
and the adapter registry. This test greps the machinery for the names as string literals
(the data tables ``specs/``, ``claims/``, ``discrepancies.py``, ``expected_table.py`` and
the benchmarks' ``shapes.py`` are data, not machinery) and fails on a planted literal."""

import re
from pathlib import Path

from adapters import BUILTIN
from conformance.specs import SPECS

ROOT = Path(__file__).resolve().parents[1]
# Data, not machinery: the spec table, the documents' claims, the known discrepancies and
# the expected failures' entries, the benchmarks' shape table.
DATA_DIRS = {"specs", "claims"}
DATA = {"discrepancies.py", "expected_table.py", "shapes.py"}
# Names a framework by its nature: the timing-fidelity check compares the suite's timer
# with one framework's own benchmark timer (torch.utils.benchmark), its reference.
TOOLS = {"fidelity.py"}


def machinery_files():
    files = [p for p in sorted((ROOT / "conformance").rglob("*.py"))
             if p.name not in DATA | TOOLS and not DATA_DIRS & set(p.relative_to(ROOT).parts)]
    files += sorted((ROOT / "reports").glob("*.py"))
    files += [ROOT / "adapters" / "base.py", ROOT / "adapters" / "common.py"]
    return files


def test_the_machinery_is_every_package_below_conformance():
    names = {str(p.relative_to(ROOT)) for p in machinery_files()}
    assert {"conformance/run/derivative_example.py", "conformance/known/expected_failures.py",
            "conformance/bench/cases.py"} <= names
    assert "conformance/known/expected_table.py" not in names


def literal_names(text: str) -> list[str]:
    names = sorted({s.name for s in SPECS} | set(BUILTIN), key=len, reverse=True)
    pattern = re.compile(r"[\"'](" + "|".join(map(re.escape, names)) + r")[\"']")
    hits = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        hits += [f"{n}: {m.group(0)}" for m in pattern.finditer(line)]
    return hits


def test_no_module_or_framework_literal_in_the_machinery():
    found = {str(p.relative_to(ROOT)): literal_names(p.read_text()) for p in machinery_files()}
    found = {k: v for k, v in found.items() if v}
    assert not found, f"module/framework names as literals in the machinery: {found}"


def test_the_grep_sees_a_planted_literal():
    assert literal_names('if spec.name == "dropout":\n    pass') == ['1: "dropout"']
    assert literal_names("fw = 'jax'") == ["1: 'jax'"]
    assert literal_names('# "torch" in a comment is fine') == []
