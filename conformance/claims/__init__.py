"""Documented claims: each formula of the source documents, as written, with its citation.

A :class:`Claim` records one documented backward (or parameter) formula: where it is
(seed file and location), the formula as the document writes it, and an implementation
of it *as written*. Most claims are the references themselves (the document is right);
where the formula as written is wrong, the claim keeps the as-written implementation
beside the corrected reference, and ``conformance.errata`` establishes the erratum with
evidence: finite differences, the corrected reference and the frameworks.

Claims live in one file per family (``basic.py``, ``pooling.py``, ...), each defining
``CLAIMS``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class Claim:
    """One documented formula.

    For a claim about a spec module, ``module``/``variant``/``check`` name it: its
    forward and corrected backward are the reference's and its inputs are drawn like that
    variant's. A claim about an intermediate step (a line of a derivation) carries its own
    ``forward``, ``corrected`` and ``args`` ({name: (shape dims, Domain)}, dims from ``dims``).
    """

    id: str
    seed: str
    where: str
    as_written: str
    problem: str
    corrected_text: str
    as_written_vjp: Callable[..., tuple]
    module: str | None = None
    variant: str = ""
    check: str = "grad:x"
    forward: Callable[..., Any] | None = None
    corrected: Callable[..., tuple] | None = None
    args: Mapping[str, tuple] = field(default_factory=dict)
    dims: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    attrs: Mapping[str, Any] = field(default_factory=dict)
    # A direction in which the function is differentiable even where it has kinks or ties
    # (e.g. all-ones for max: f(x + t·1) = f(x) + t), for the finite-difference witness.
    direction: Callable[[dict], dict] | None = None


def _gather() -> tuple[Claim, ...]:
    claims: list[Claim] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        claims.extend(getattr(mod, "CLAIMS", ()))
    ids = [c.id for c in claims]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise RuntimeError(f"claims defined twice: {dup}")
    return tuple(claims)


CLAIMS: tuple[Claim, ...] = _gather()
BY_ID = {c.id: c for c in CLAIMS}

__all__ = ["Claim", "CLAIMS", "BY_ID"]
