"""Which forms an op table realises (``adapters/forms.py``), shared by the adapters'
``forms.py`` files; no framework imported here.

An axis form needs an op that takes ``axis`` (read from its signature: the op tables
declare ``axis=<home>`` on the ops whose framework call takes one); a size form needs
nothing; a layout form needs tensors that keep a NumPy view's strides, which each
adapter's ``forms.py`` says (``STRIDES``: None where they do, else why not, in the
framework's words).
"""

from __future__ import annotations

import inspect
from typing import Any, Mapping

from .forms import part_kind


def takes_axis(op) -> bool:
    try:
        return "axis" in inspect.signature(op).parameters
    except (TypeError, ValueError):
        return False


def unsupported(adapter, module: str, part: str, no_axis: Mapping[str, str],
                strides: str | None) -> str | None:
    kind = part_kind(part)
    if kind == "axis":
        if module in no_axis:
            return f"{adapter}: {no_axis[module]}"
        return None
    if kind == "layout":
        return f"{adapter}: {strides}" if strides else None
    return None


def op_takes_axis(ops: Mapping[str, Any], module: str) -> bool:
    return module in ops and takes_axis(ops[module])
