"""How TensorFlow realises the forms (``adapters/forms.py``): the axis forms through the
ops' ``axis`` arguments (``tf.reduce_*``, ``tf.nn.softmax``, Keras layer and batch
normalisation); no layout forms: a tensor has no strides."""

from __future__ import annotations

from typing import Any, Mapping

NO_AXIS: dict[str, str] = {}
STRIDES = ("tf.Tensor has no user-visible strides (a NumPy view is copied into a dense "
           "tensor): the memory-layout forms do not apply")


def unsupported(module: str, part: str, attrs: Mapping[str, Any]) -> str | None:
    from ..form_ops import unsupported as check

    return check("tensorflow", module, part, NO_AXIS, STRIDES)
