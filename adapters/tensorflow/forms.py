"""How TensorFlow realises the forms (``adapters/forms.py``): the axis forms through the
ops' ``axis`` arguments (``tf.reduce_*``, ``tf.nn.softmax``, Keras layer and batch
normalisation); the channels-first data format of convolutions and pooling through their
``data_format`` argument (``NCHW`` / ``NCDHW``: the canonical call is channels last,
TensorFlow's CPU layout); no memory layouts: a tensor has no strides."""

from __future__ import annotations

from typing import Any, Mapping

NO_AXIS: dict[str, str] = {}
STRIDES = ("tf.Tensor has no user-visible strides (a NumPy view is copied into a dense "
           "tensor): the memory-layout forms do not apply")
DATA_FORMATS = ("channels_first",)


def unsupported(module: str, part: str, attrs: Mapping[str, Any]) -> str | None:
    from ..form_ops import unsupported as check

    return check("tensorflow", module, part, NO_AXIS, STRIDES, DATA_FORMATS,
                 canonical_format="channels_last")
