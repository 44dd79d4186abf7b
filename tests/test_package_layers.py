"""The four packages are layered without cycles: references <- adapters <- conformance,
and reports (which reads results through their schema) <- conformance.

Two proofs: every import statement in a package's files (deferred ones inside functions
included) names only the packages below it; and each package imported alone, with every
submodule, in a fresh interpreter, loads none of the packages it must not depend on.
"""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.import_graph import cycles, graph, layer_of, upward

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("references", "adapters", "conformance", "reports")
# What each package may import (itself aside).
ALLOWED = {"references": set(), "adapters": {"references"}, "reports": set(),
           "conformance": {"references", "adapters", "reports"}}


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """(project package, line) for every import statement in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        out |= {(n.split(".")[0], node.lineno) for n in names if n.split(".")[0] in PACKAGES}
    return out


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_only_the_layers_below(package):
    bad = [f"{p.relative_to(ROOT)}:{line} imports {dep}"
           for p in sorted((ROOT / package).rglob("*.py"))
           for dep, line in imported_packages(p) if dep != package and dep not in ALLOWED[package]]
    assert not bad, f"{package} may import only {sorted(ALLOWED[package]) or 'nothing'}: " + "; ".join(bad)


def test_the_static_check_sees_deferred_imports(tmp_path):
    planted = tmp_path / "m.py"
    planted.write_text("def f():\n    from conformance.specs import BY_NAME\n    import reports.html\n")
    assert imported_packages(planted) == {("conformance", 2), ("reports", 3)}


@pytest.mark.parametrize("package", ["references", "adapters", "reports"])
def test_each_package_alone_loads_nothing_above_it(package):
    code = f"""
import importlib, pkgutil, sys
pkg = importlib.import_module({package!r})
for info in pkgutil.walk_packages(pkg.__path__, {package!r} + "."):
    importlib.import_module(info.name)
print(",".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({PACKAGES!r}))))
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = set(proc.stdout.strip().splitlines()[-1].split(",")) - {package}
    assert loaded <= ALLOWED[package], f"importing {package} loaded {sorted(loaded)}"


# conformance/ is layered by concern, top to bottom; a sub-package imports only its own
# modules and those of lower layers (README, "Layout"). Equal ranks are siblings that do
# not import each other.
LAYERS = {
    "conformance.__main__": 11, "conformance.conftest": 11, "conformance.test_suite": 11,
    "conformance.cli": 10, "conformance.upgrade": 10,
    "conformance.harness": 9,
    "conformance.run": 8, "conformance.bench": 8,
    "conformance.judge": 7,
    "conformance.draw": 6,
    "conformance.plan": 5,
    "conformance.specs": 4, "conformance.results": 4, "conformance.known": 4,
    "conformance.documents": 4,
    "conformance.model": 3,
    "reports": 1, "adapters": 1,
    "references": 0,
}


def test_no_import_cycle_anywhere():
    found = cycles(graph())
    assert not found, "import cycles (each line: modules that import each other in a loop): " + \
        "; ".join(" <-> ".join(c) for c in found)


def test_no_import_runs_up_a_layer():
    edges = graph()
    assert set(m.split(".")[0] for m in edges) == set(PACKAGES)
    unranked = sorted({m for m in edges if layer_of(m, LAYERS) is None})
    assert not unranked, f"modules outside every layer (add their package to LAYERS): {unranked}"
    bad = upward(edges, LAYERS)
    assert not bad, "imports from a lower layer up: " + "; ".join(f"{a} -> {b}" for a, b in bad)


def test_the_graph_sees_a_planted_cycle_and_an_upward_import(tmp_path):
    pkg = tmp_path / "conformance"
    for sub in ("low", "high"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "low" / "a.py").write_text("def f():\n    from conformance.low import b\n")
    (pkg / "low" / "b.py").write_text("from .a import f\n")
    (pkg / "low" / "c.py").write_text("from ..high.d import g\n")
    (pkg / "high" / "d.py").write_text("from conformance.low.c import *\ng = 1\n")
    edges = graph(tmp_path, ("conformance",))
    assert cycles(edges) == [["conformance.high.d", "conformance.low.c"],
                             ["conformance.low.a", "conformance.low.b"]]
    layers = {"conformance.high": 2, "conformance.low": 1}
    assert upward(edges, layers) == [("conformance.low.c", "conformance.high.d")]
