"""The adapter side of forms (``conformance/model/forms.py``), shared by every adapter; no
framework imported here.

What an adapter receives for a form other than the canonical one:

* ``attrs[FORM]``: the form's name (e.g. ``"axis=0+strided"``), so that an adapter can
  tell which form it is asked for; ``prepare_call`` takes it out of the op's attributes;
* for an axis form, ``attrs["axis"] = k``: the op's axis argument (the arrays carry the
  reduced or normalised axis at position ``k``), and ``attrs[AXIS_HOME]``: where the
  canonical call has it (taken out by ``prepare_call`` too);
* for a layout form, NumPy views with the form's strides (``strided_view``): a framework
  whose tensors carry strides builds tensors with the same memory layout
  (``memory_layout`` says which), one without strides says so in ``form_reason``.

The results are returned in the arrays' logical layout (an axis form's outputs with the
axis where the call put it); the suite moves them back.
"""

from __future__ import annotations

import numpy as np

import re

# The key under which the suite passes the form: not "form", which is an attribute of the
# modules' own variants (the recurrent modules' conventions: lstm[form=peephole]).
FORM = "call_form"
AXIS = "axis"
AXIS_HOME = "axis_home"
FORM_KEYS = (FORM, AXIS_HOME)


LAYOUTS = ("transposed", "strided", "channels_last")
_AXIS = re.compile(r"^axis=(\d+)$")
_SIZE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)=1$")


def parts(form: str) -> tuple[str, ...]:
    """The parts of a form name (() for the canonical form)."""
    if not form or form == "canonical":
        return ()
    return tuple(form.split("+"))


def part_kind(part: str) -> str:
    """"axis", "size" or "layout"; ValueError for a part that is none of them."""
    if _AXIS.match(part):
        return "axis"
    if part in LAYOUTS:
        return "layout"
    if _SIZE.match(part):
        return "size"
    raise ValueError(f"not a form part: {part!r} (expected axis=<k>, <dim>=1 or one of "
                     f"{', '.join(LAYOUTS)})")


def memory_layout(array) -> tuple[tuple[int, ...], int]:
    """(order, step) of a NumPy view: its axes from outermost to innermost in memory, and
    the step of the innermost one in elements (2 for every other element of a buffer)."""
    a = np.asarray(array)
    if a.ndim == 0:
        return (), 1
    order = tuple(sorted(range(a.ndim), key=lambda i: (-abs(a.strides[i]) if a.shape[i] > 1
                                                       else -np.inf, i)))
    inner = order[-1]
    step = abs(a.strides[inner]) // a.itemsize if a.shape[inner] > 1 else 1
    return order, max(1, int(step))


def strided_view(array, order=None, step: int = 1) -> np.ndarray:
    """``array``'s values in a view whose memory holds its axes in ``order`` (outermost
    first; None: as they are) with every ``step``-th element of a buffer ``step`` times as
    long on the innermost axis."""
    a = np.asarray(array)
    if a.ndim == 0:
        return a
    order = tuple(order) if order is not None else tuple(range(a.ndim))
    inverse = tuple(np.argsort(order))
    m = np.ascontiguousarray(a.transpose(order))
    if step > 1:
        buf = np.zeros(m.shape[:-1] + (m.shape[-1] * step,), dtype=m.dtype)
        buf[..., ::step] = m
        m = buf[..., ::step]
    return m.transpose(inverse)


def from_form(attrs) -> tuple[str, int | None, int | None]:
    """(form name, axis, home axis) of a call's attributes ("canonical", None, None)."""
    return attrs.get(FORM, "canonical"), attrs.get(AXIS) if AXIS_HOME in attrs else None, \
        attrs.get(AXIS_HOME)
