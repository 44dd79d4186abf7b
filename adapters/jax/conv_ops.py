"""jax ops for the linear modules (000/001, 'Linear modules': FC, Conv-1D/2D/3D,
Separable-Conv-2D).

Convolutions are ``lax.conv_general_dilated`` in the canonical layout (dimension numbers
('NCH', 'OIH', 'NCH') and their 2-d / 3-d analogues), ``rhs_dilation`` for the dilation and
``feature_group_count`` for the groups, plus the bias broadcast over the channel axis.
Paddings: 'same' / 'valid' go to lax as 'SAME' / 'VALID' (lax's own SAME rule is what is
measured), integer paddings as explicit (before, after) pairs. FC is ``jnp.matmul`` + b
(JAX has no fused dense op; this is the native matmul). Separable-Conv-2D has no lax op:
it is composed of a depthwise convolution (feature_group_count = C) and a 1×1 one.
The channels-last form (``data_format="channels_last"``, ``adapters/jax/forms.py``) moves
the channels last and convolves with ('NHWC', 'OIHW', 'NHWC') and its analogues.
"""

from __future__ import annotations

from typing import Any

from .. import layout

COMPOSED = frozenset({"separable_conv2d"})

_DIMENSION_NUMBERS = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"),
                      3: ("NCDHW", "OIDHW", "NCDHW")}
_CHANNELS_LAST = {1: ("NHC", "OIH", "NHC"), 2: ("NHWC", "OIHW", "NHWC"),
                  3: ("NDHWC", "OIDHW", "NDHWC")}


def build(jax) -> dict[str, Any]:
    lax, jnp = jax.lax, jax.numpy

    def lax_padding(padding, n):
        if isinstance(padding, str):
            return padding.upper()
        return layout.explicit_pads(padding, n)

    def conv_nd(n, x, w, stride, padding, dilation, groups, data_format=None):
        last = data_format == "channels_last"
        y = lax.conv_general_dilated(
            jnp.moveaxis(x, 1, -1) if last else x, w, window_strides=layout.pair(stride, n),
            padding=lax_padding(padding, n), rhs_dilation=layout.pair(dilation, n),
            dimension_numbers=(_CHANNELS_LAST if last else _DIMENSION_NUMBERS)[n],
            feature_group_count=groups)
        return jnp.moveaxis(y, -1, 1) if last else y

    def conv(n):
        def op(x, w, b, *, kernel=None, stride=1, padding=0, dilation=1, groups=1, bias=True,
               data_format=None):
            y = conv_nd(n, x, w, stride, padding, dilation, groups, data_format)
            return y + b.reshape(-1, *(1,) * n) if bias else y

        return op

    def separable_conv2d(x, w_depthwise, w_pointwise, *, kernel=None, stride=1, padding=0,
                         dilation=1, data_format=None):
        o = conv_nd(2, x, w_depthwise, stride, padding, dilation, x.shape[1], data_format)
        return conv_nd(2, o, w_pointwise, 1, 0, 1, 1, data_format)

    def linear(x, w, b, *, bias=True):
        y = jnp.matmul(x, w.T)
        return y + b if bias else y

    return {
        "linear": linear,
        "conv1d": conv(1),
        "conv2d": conv(2),
        "conv3d": conv(3),
        "separable_conv2d": separable_conv2d,
    }
