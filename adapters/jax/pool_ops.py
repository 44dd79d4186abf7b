"""jax ops for the pooling modules (000/001, MaxPooling-2D and AveragePooling-2D rows).

Max pooling is ``lax.reduce_window`` with ``lax.max`` (native: its gradient is XLA's
select-and-scatter); average pooling is a window sum divided by the window size (composed).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import layout

COMPOSED = frozenset({"avg_pool2d"})


def build(jax) -> dict[str, Any]:
    lax = jax.lax

    def windows(kernel, stride):
        k = layout.pair(kernel)
        s = k if stride is None else layout.pair(stride)
        return (1, 1, *k), (1, 1, *s)

    def max_pool2d(x, kernel=2, stride=None):
        window, strides = windows(kernel, stride)
        init = np.array(-np.inf, dtype=x.dtype)  # the max identity: lowers to reduce_window_max
        return lax.reduce_window(x, init, lax.max, window, strides, "VALID")

    def avg_pool2d(x, kernel=2, stride=None):  # composed: window sum / (p*q)
        window, strides = windows(kernel, stride)
        total = lax.reduce_window(x, np.array(0, dtype=x.dtype), lax.add, window, strides, "VALID")
        return total / (window[2] * window[3])

    return {"max_pool2d": max_pool2d, "avg_pool2d": avg_pool2d}
