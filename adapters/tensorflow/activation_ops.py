"""tf ops for GELU and PReLU (no table row in 000/001; 001 bibliography entries 5 and 6).

``tf.nn.gelu(approximate=bool)``; PReLU is ``keras.layers.PReLU`` with the slope shared over
the spatial axes (one α per channel, axis 1), run through ``stateless_call`` so that α is a
tensor the tape watches. Keras computes it as relu(x) − α·relu(−x).
"""

from __future__ import annotations

from typing import Any

from .norm_ops import keras_layer

COMPOSED = frozenset()


def build(tf) -> dict[str, Any]:
    import keras

    def gelu(x, approximate="none"):
        return tf.nn.gelu(x, approximate=approximate == "tanh")

    def prelu(x, alpha):
        shared = list(range(2, len(x.shape)))
        layer = keras_layer(tf, keras.layers.PReLU, x, shared_axes=tuple(shared))
        y, _ = layer.stateless_call([tf.reshape(alpha, [-1] + [1] * len(shared))], [], x)
        return y

    return {"gelu": gelu, "prelu": prelu}
