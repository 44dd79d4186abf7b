"""The import graph of the suite's own packages, read from the source with ``ast`` (every
import, also those inside functions), for the layering test (tests/test_package_layers.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("conformance", "adapters", "references", "reports")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def graph(root: Path = ROOT, packages=PACKAGES) -> dict[str, set[str]]:
    """module -> the modules of ``packages`` it imports (``from p import m`` counts as an
    import of ``p.m`` when ``p/m.py`` exists, else of ``p``)."""
    files = {}
    for pkg in packages:
        for f in sorted((root / pkg).rglob("*.py")):
            if ".venv" in f.parts or "__pycache__" in f.parts:
                continue
            files[module_name(f, root)] = f
    known = set(files)
    edges: dict[str, set[str]] = {m: set() for m in files}
    for mod, f in files.items():
        is_package = f.name == "__init__.py"
        for node in ast.walk(ast.parse(f.read_text(), str(f))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_package, node.level, node.module)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                           for a in node.names]
            for t in targets:
                while t and t not in known:  # a name inside a module: the module
                    t = t.rpartition(".")[0]
                if t and t != mod:
                    edges[mod].add(t)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    import sys

    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def layer_of(module: str, layers: dict[str, int]) -> int | None:
    """The rank of the longest prefix of ``module`` that ``layers`` names."""
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        rank = layers.get(".".join(parts[:i]))
        if rank is not None:
            return rank
    return None


def upward(edges: dict[str, set[str]], layers: dict[str, int]) -> list[tuple[str, str]]:
    """Imports from a lower layer into a higher one."""
    bad = []
    for src, targets in sorted(edges.items()):
        a = layer_of(src, layers)
        for t in sorted(targets):
            b = layer_of(t, layers)
            if a is not None and b is not None and b > a:
                bad.append((src, t))
    return bad
