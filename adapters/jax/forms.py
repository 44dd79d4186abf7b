"""How JAX realises the forms (``adapters/forms.py``): the axis forms through the ops'
``axis`` arguments (``jnp`` reductions, ``jax.nn.softmax``, flax ``LayerNorm`` /
``BatchNorm``); the channels-last data format of convolutions and pooling through their
``data_format`` argument (``lax.conv_general_dilated`` with ``NHWC`` dimension numbers,
``lax.reduce_window`` over the trailing channel axis); no memory layouts: an array's
layout is logical and XLA picks the physical one."""

from __future__ import annotations

from typing import Any, Mapping

NO_AXIS: dict[str, str] = {}
STRIDES = ("jax.Array has a logical layout only (XLA chooses the physical one; a NumPy "
           "view is copied into a dense buffer): the memory-layout forms do not apply")
# The canonical call is channels first (NCHW dimension numbers); channels last is a form.
DATA_FORMATS = ("channels_last",)


def unsupported(module: str, part: str, attrs: Mapping[str, Any]) -> str | None:
    from ..form_ops import unsupported as check

    return check("jax", module, part, NO_AXIS, STRIDES, DATA_FORMATS)
