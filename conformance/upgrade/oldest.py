"""The oldest release of each framework that ``pyproject.toml`` admits, as pip requirements:
``python -m conformance.upgrade.oldest EXTRA [PYPROJECT]`` prints them, one a line.

A lower bound of three components (``jax>=0.4.30``) is installed exactly (``==0.4.30``);
one of two (``torch>=2.4``, ``tensorflow-cpu>=2.16``) names a minor release, installed as
its newest patch (``~=2.4.0``: 2.4.x, patches being fixes). The CI job that tests the
declared range installs these, so the range it tests is the one users are promised.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_LOWER = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9.]*)\s*$")


def oldest(requirement: str) -> str:
    m = _LOWER.match(requirement)
    if not m:
        raise ValueError(f"{requirement!r}: expected NAME>=VERSION")
    name, version = m.groups()
    parts = version.split(".")
    return f"{name}=={version}" if len(parts) >= 3 else f"{name}~={'.'.join(parts + ['0'] * (3 - len(parts)))}"


def requirements(extra: str, pyproject: Path = Path("pyproject.toml")) -> list[str]:
    import tomllib

    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    if extra not in extras:
        raise KeyError(f"no extra {extra!r} in {pyproject}; extras: {', '.join(extras)}")
    return [oldest(r) for r in extras[extra]]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not 1 <= len(argv) <= 2:
        print("usage: python -m conformance.upgrade.oldest EXTRA [PYPROJECT]", file=sys.stderr)
        return 2
    for line in requirements(argv[0], Path(argv[1]) if len(argv) > 1 else Path("pyproject.toml")):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
