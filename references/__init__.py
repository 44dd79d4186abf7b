"""Hand-written NumPy references: the documented formulas, forward and backward.

Every module ``name`` has two functions in one of the files of this package:

* ``name(*args, **attrs) -> np.ndarray`` — the forward pass;
* ``name_vjp(cotangent, *args, **attrs) -> tuple`` — the backward pass: one entry per
  positional argument, the gradient ``dL/d arg`` given ``dL/dy = cotangent``, or
  ``None`` for an argument that is not differentiated (a mask, a target).

They are written from the source documents' formulas (each docstring cites the seed file
and row / equation), in float64, without autodiff. ``REFERENCES`` maps a module name to
its ``(forward, vjp)`` pair. This package imports NumPy only.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable, NamedTuple


class Reference(NamedTuple):
    forward: Callable
    vjp: Callable


def _collect() -> dict[str, Reference]:
    """Every module named in the ``__all__`` of this package's files (one file a family)."""
    table: dict[str, Reference] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(mod, "__all__", ()):
            if name in table:
                raise RuntimeError(f"reference {name!r} is defined twice")
            table[name] = Reference(getattr(mod, name), getattr(mod, name + "_vjp"))
    return table


REFERENCES: dict[str, Reference] = _collect()

__all__ = ["REFERENCES", "Reference"]
