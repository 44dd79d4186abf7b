"""tf ops for the pooling modules (000/001, MaxPooling-2D and AveragePooling-2D rows).

TF's CPU pooling kernels are channels-last only: the op transposes NCHW -> NHWC and back
through :mod:`adapters.layout`, inside the differentiated function.
"""

from __future__ import annotations

from typing import Any

from .. import layout

COMPOSED = frozenset()


def build(tf) -> dict[str, Any]:
    def pool(tf_pool):
        def op(x, kernel=2, stride=None):
            k = layout.pair(kernel)
            s = k if stride is None else layout.pair(stride)
            nhwc = layout.to_nhwc(x, tf.transpose, ndim=4)
            y = tf_pool(nhwc, ksize=k, strides=s, padding="VALID", data_format="NHWC")
            return layout.to_nchw(y, tf.transpose, ndim=4)

        return op

    return {"max_pool2d": pool(tf.nn.max_pool2d), "avg_pool2d": pool(tf.nn.avg_pool2d)}
