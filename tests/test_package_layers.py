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
