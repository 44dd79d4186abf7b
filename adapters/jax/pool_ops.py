"""jax ops for the pooling modules (000/001, MaxPooling-2D and AveragePooling-2D rows, and
their derived 1-D / 3-D forms).

Max pooling is ``lax.reduce_window`` with ``lax.max`` and −inf as the init value, which is
also what the padding holds (native: its gradient is XLA's select-and-scatter). Average
pooling is a window sum over zero padding divided by the window size (composed; the divisor
includes the padding, like flax's ``avg_pool`` default count_include_pad=True). The
channels-last form (``data_format="channels_last"``) pools an (N, *spatial, C) array with
the window over its middle axes, as flax's pooling does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import layout

COMPOSED = frozenset({"avg_pool1d", "avg_pool2d", "avg_pool3d"})


def build(jax) -> dict[str, Any]:
    lax = jax.lax

    def windows(nd, kernel, stride, padding, last):
        k = layout.pair(kernel, nd)
        s = k if stride is None else layout.pair(stride, nd)
        pads = tuple(layout.explicit_pads(padding, nd))
        if last:
            return (1, *k, 1), (1, *s, 1), ((0, 0), *pads, (0, 0))
        return (1, 1, *k), (1, 1, *s), ((0, 0), (0, 0), *pads)

    def pooled(nd, x, init, reduce, kernel, stride, padding, data_format):
        last = data_format == "channels_last"
        window, strides, pads = windows(nd, kernel, stride, padding, last)
        y = lax.reduce_window(jax.numpy.moveaxis(x, 1, -1) if last else x, init, reduce,
                              window, strides, pads)
        return (jax.numpy.moveaxis(y, -1, 1) if last else y), window

    def max_pool(nd):
        def op(x, kernel=2, stride=None, padding=0, data_format=None):
            init = np.array(-np.inf, dtype=x.dtype)  # the max identity: lowers to reduce_window_max
            return pooled(nd, x, init, lax.max, kernel, stride, padding, data_format)[0]

        return op

    def avg_pool(nd):
        def op(x, kernel=2, stride=None, padding=0, data_format=None):  # window sum / size
            total, window = pooled(nd, x, np.array(0, dtype=x.dtype), lax.add, kernel, stride,
                                   padding, data_format)
            return total / int(np.prod(window))

        return op

    ops = {f"max_pool{nd}d": max_pool(nd) for nd in (1, 2, 3)}
    ops.update({f"avg_pool{nd}d": avg_pool(nd) for nd in (1, 2, 3)})
    return ops
