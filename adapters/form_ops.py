"""Which forms an op table realises (``adapters/forms.py``), shared by the adapters'
``forms.py`` files; no framework imported here.

An axis form needs an op that takes ``axis`` (read from its signature: the op tables
declare ``axis=<home>`` on the ops whose framework call takes one); a size form needs
nothing; a layout form needs tensors that keep a NumPy view's strides, which each
adapter's ``forms.py`` says (``STRIDES``: None where they do, else why not, in the
framework's words), except a data format the adapter realises through its ops'
``data_format`` argument (``DATA_FORMATS``; read from the signature like ``axis``).
"""

from __future__ import annotations

import inspect
from typing import Mapping

from .forms import part_kind


def unsupported(adapter, module: str, part: str, no_axis: Mapping[str, str],
                strides: str | None, data_formats=(), canonical_format: str = "channels_first"
                ) -> str | None:
    """Why ``adapter`` does not realise ``part`` of ``module`` (None: it does). A data
    format that is the adapter's canonical call is not a form of it; one it realises
    through its ops' ``data_format`` argument (``data_formats``) needs nothing else here
    (the op's signature is read by ``Adapter.form_reason``); any other layout needs
    strides."""
    kind = part_kind(part)
    if kind == "axis":
        if module in no_axis:
            return f"{adapter}: {no_axis[module]}"
        return None
    if kind == "layout":
        if part == canonical_format:
            return (f"{adapter}: its canonical call is {part.replace('_', ' ')} already "
                    "(the data format of the canonical case)")
        if part in data_formats:
            return None
        return f"{adapter}: {strides}" if strides else None
    return None


def takes(op, name: str) -> bool:
    try:
        return name in inspect.signature(op).parameters
    except (TypeError, ValueError):
        return False
