"""jax ops for the pooling modules (000/001, MaxPooling-2D and AveragePooling-2D rows, and
their derived 1-D / 3-D forms).

Max pooling is ``lax.reduce_window`` with ``lax.max`` and −inf as the init value, which is
also what the padding holds (native: its gradient is XLA's select-and-scatter). Average
pooling is a window sum over zero padding divided by the window size (composed; the divisor
includes the padding, like flax's ``avg_pool`` default count_include_pad=True).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import layout

COMPOSED = frozenset({"avg_pool1d", "avg_pool2d", "avg_pool3d"})


def build(jax) -> dict[str, Any]:
    lax = jax.lax

    def windows(nd, kernel, stride, padding):
        k = layout.pair(kernel, nd)
        s = k if stride is None else layout.pair(stride, nd)
        pads = ((0, 0), (0, 0), *layout.explicit_pads(padding, nd))
        return (1, 1, *k), (1, 1, *s), pads

    def max_pool(nd):
        def op(x, kernel=2, stride=None, padding=0):
            window, strides, pads = windows(nd, kernel, stride, padding)
            init = np.array(-np.inf, dtype=x.dtype)  # the max identity: lowers to reduce_window_max
            return lax.reduce_window(x, init, lax.max, window, strides, pads)

        return op

    def avg_pool(nd):
        def op(x, kernel=2, stride=None, padding=0):  # composed: window sum / window size
            window, strides, pads = windows(nd, kernel, stride, padding)
            total = lax.reduce_window(x, np.array(0, dtype=x.dtype), lax.add, window, strides, pads)
            return total / int(np.prod(window))

        return op

    ops = {f"max_pool{nd}d": max_pool(nd) for nd in (1, 2, 3)}
    ops.update({f"avg_pool{nd}d": avg_pool(nd) for nd in (1, 2, 3)})
    return ops
