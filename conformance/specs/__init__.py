"""The spec table: one entry per documented module, gathered from one file per family.

Everything module-specific lives in these files — argument roles and value domains, the
shapes to draw, attributes and named variants, convention rules, tolerances and
citations — so the conformance test holds no per-module special case. A family file
defines ``SPECS`` (a tuple of :class:`conformance.model.spec.ModuleSpec`); adding a family is
adding a file and its name to ``FAMILIES``.
"""

from __future__ import annotations

import importlib

from conformance.model.spec import ModuleSpec
from conformance.specs.sizes import sized

FAMILIES = ("basic", "pooling", "linear", "normalization", "recurrent", "attention")


def _gather() -> tuple[ModuleSpec, ...]:
    specs: list[ModuleSpec] = []
    for family in FAMILIES:
        try:
            mod = importlib.import_module(f"{__name__}.{family}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{family}":
                raise
            continue
        specs.extend(sized(family, mod.SPECS))  # + the family's large shapes (sizes.py)
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise RuntimeError(f"modules specified twice: {duplicates}")
    return tuple(specs)


SPECS: tuple[ModuleSpec, ...] = _gather()
BY_NAME = {spec.name: spec for spec in SPECS}

__all__ = ["SPECS", "BY_NAME", "FAMILIES"]
