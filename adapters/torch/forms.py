"""How torch realises the forms (``adapters/forms.py``): the axis forms through the ops'
``dim`` argument, the layout forms through tensors with the NumPy views' strides (a
reversed or channels-last memory order, a step-2 slice of a larger buffer: torch picks
its kernels by those strides and memory formats)."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..forms import memory_layout

# Ops whose torch call has no axis argument, in torch's terms.
NO_AXIS = {
    "layer_norm": "torch.nn.functional.layer_norm normalises the trailing dimensions given "
                  "by normalized_shape; it has no axis argument",
    "batch_norm": "torch.nn.functional.batch_norm takes the channels at dimension 1 "
                  "((N, C, ...)); it has no axis argument (its channels-last form is the "
                  "channels_last memory format)",
    "softmax_cross_entropy": "torch.nn.functional.cross_entropy takes the class dimension at "
                             "1 ((N, C) or (N, C, d1, ...)); no other position",
}
STRIDES = None  # torch tensors keep the strides: every layout form applies


def unsupported(module: str, part: str, attrs: Mapping[str, Any]) -> str | None:
    from ..form_ops import unsupported as check

    return check("torch", module, part, NO_AXIS, STRIDES)


def in_layout(torch, make, array):
    """A leaf tensor with ``array``'s values and memory layout: ``make(contiguous ndarray)``
    builds a dense tensor (with the adapter's dtype and device), laid out in the view's
    memory order and sliced with its step."""
    a = np.asarray(array)
    if a.ndim == 0 or a.flags.c_contiguous or a.size == 0:
        return make(a)
    order, step = memory_layout(a)
    inverse = tuple(int(i) for i in np.argsort(order))
    t = make(np.ascontiguousarray(a.transpose(order)))
    if step > 1:
        buf = torch.zeros(t.shape[:-1] + (t.shape[-1] * step,), dtype=t.dtype, device=t.device)
        buf[..., ::step] = t
        t = buf[..., ::step]
    return t.permute(inverse)
