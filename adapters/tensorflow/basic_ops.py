"""tf ops for the parameter-free modules (000/001, table 'Parameter-free modules'); pooling is in pool_ops.py."""

from __future__ import annotations

from typing import Any


# No native op: composed from tf primitives (the injected-mask dropout only).
COMPOSED = frozenset({"switch", "cross_entropy", "dropout"})


def unsupported(module: str, attrs) -> str | None:
    if module == "elu" and float(attrs.get("alpha", 1.0)) != 1.0:
        return f"tf.nn.elu has no alpha parameter (fixed at 1); alpha={attrs['alpha']} untested"
    return None


def build(tf) -> dict[str, Any]:
    def dropout(x, mask=None, *, rate=0.5, native=False, seed=None):
        if native:
            return tf.nn.experimental.stateless_dropout(x, rate=rate, seed=seed)
        return mask * x / (1 - rate)

    return {
        "add": tf.add,
        "multiply": tf.multiply,
        "sum": lambda x, axis=-1: tf.reduce_sum(x, axis=axis),
        "max": lambda x, axis=-1: tf.reduce_max(x, axis=axis),
        "switch": lambda x, s: s * x,
        "relu": tf.nn.relu,
        "leaky_relu": lambda x, negative_slope=0.01: tf.nn.leaky_relu(x, alpha=negative_slope),
        "elu": lambda x, alpha=1.0: tf.nn.elu(x),  # alpha != 1: see unsupported()
        "selu": tf.nn.selu,
        "sigmoid": tf.math.sigmoid,
        "softmax": lambda x, axis=-1: tf.nn.softmax(x, axis=axis),
        "softplus": tf.math.softplus,
        "tanh": tf.math.tanh,
        "cross_entropy": lambda x, p, axis=-1: -tf.reduce_sum(p * tf.math.log(x), axis=axis),
        "squared_error": lambda x, t, axis=-1: tf.reduce_sum(tf.math.squared_difference(x, t), axis=axis),
        "softmax_cross_entropy": lambda z, p, axis=-1: tf.nn.softmax_cross_entropy_with_logits(
            labels=p, logits=z, axis=axis),
        "dropout": dropout,
    }
