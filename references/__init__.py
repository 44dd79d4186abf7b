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

from typing import Callable, NamedTuple

from . import activations, elementwise, losses, pooling, reductions


class Reference(NamedTuple):
    forward: Callable
    vjp: Callable


def _collect(*modules) -> dict[str, Reference]:
    table: dict[str, Reference] = {}
    for mod in modules:
        for name in mod.__all__:
            table[name] = Reference(getattr(mod, name), getattr(mod, name + "_vjp"))
    return table


REFERENCES: dict[str, Reference] = _collect(elementwise, reductions, activations, losses, pooling)

__all__ = ["REFERENCES", "Reference"]
