"""Defaults of the installed TensorFlow / Keras, read from their signatures."""

from __future__ import annotations

from ..common import signature_default as _default


def defaults(tf) -> dict:
    import keras

    L = keras.layers
    return {
        "leaky_relu.negative_slope (tf.nn.leaky_relu alpha)": _default(tf.nn.leaky_relu, "alpha"),
        "leaky_relu.negative_slope (keras.layers.LeakyReLU)": _default(L.LeakyReLU, "negative_slope"),
        "gelu.approximate (tf.nn.gelu)": _default(tf.nn.gelu, "approximate"),
        "gelu.approximate (keras.ops.gelu)": _default(keras.ops.gelu, "approximate"),
        "batch_norm.eps": _default(L.BatchNormalization, "epsilon"),
        "batch_norm.momentum": _default(L.BatchNormalization, "momentum"),
        "layer_norm.eps": _default(L.LayerNormalization, "epsilon"),
        "group_norm.eps": _default(L.GroupNormalization, "epsilon"),
        "group_norm.groups": _default(L.GroupNormalization, "groups"),
    }
