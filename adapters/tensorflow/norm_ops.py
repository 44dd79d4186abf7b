"""tf ops for the normalisation modules (000/001 section 'BN'; LN/IN/GN: 001 'Normalization').

* batch_norm, batch_norm_running_stats — float32: ``tf.raw_ops.FusedBatchNormV3`` with
  is_training=True (TF's native BN; NHWC through :mod:`adapters.layout`; its gradient is the
  registered FusedBatchNormGradV3; with exponential_avg_factor = momentum its batch_mean /
  batch_variance outputs are the updated running statistics). The fused op has no float64
  kernel (T: half, bfloat16, float32), so float64 uses ``keras.layers.BatchNormalization``
  (TF's other BN: tf.nn.moments + tf.nn.batch_normalization inside Keras; momentum = 1 − m).
  The two differ in the running variance (tensorflow#55545): the records of float32 and
  float64 cases therefore describe different TF implementations.
* layer_norm — ``keras.ops.layer_normalization`` (Keras's LN op, what LayerNormalization calls).
* group_norm — ``keras.layers.GroupNormalization(axis=1)``; instance_norm is the same layer
  with groups = C (composed: TF and Keras 3 have no instance-norm op).

Keras layers run through ``stateless_call`` so that γ, β are tensors the tape watches; they
are built once per configuration under ``tf.init_scope`` (outside any tf.function trace).
A layer's weights need a static channel count: compiled mode pins every trace's shapes
(``compiled_cache.py``); should a trace ever relax it to None, the case is skipped.
"""

from __future__ import annotations

from typing import Any

from .. import layout
from ..base import Unsupported

COMPOSED = frozenset({"instance_norm"})
_LAYERS: dict[tuple, Any] = {}


def static_channels(x, what: str) -> int:
    if x.shape[1] is None:
        raise Unsupported(f"keras.layers.{what} needs a static channel count; this tf.function "
                          "trace has relaxed it to None (shape-polymorphic retrace)")
    return int(x.shape[1])


def keras_layer(tf, cls, x, **config):
    """A built Keras layer of class ``cls`` for channels-first inputs like ``x`` (cached per
    configuration, rank, channel count and dtype)."""
    channels, rank, dtype = static_channels(x, cls.__name__), len(x.shape), x.dtype.name
    key = (cls.__name__, tuple(sorted(config.items())), rank, channels, dtype)
    layer = _LAYERS.get(key)
    if layer is None:
        with tf.init_scope():
            layer = cls(dtype=dtype, **config)
            layer.build((None, channels) + (None,) * (rank - 2))
        _LAYERS[key] = layer
    return layer


def build(tf) -> dict[str, Any]:
    import keras

    def fused(x, scale, offset, mean, variance, eps, factor):
        out = tf.raw_ops.FusedBatchNormV3(
            x=layout.to_nhwc(x, tf.transpose, ndim=4), scale=scale, offset=offset, mean=mean,
            variance=variance, epsilon=eps, exponential_avg_factor=factor, data_format="NHWC",
            is_training=True)
        return layout.to_nchw(out[0], tf.transpose, ndim=4), out[1], out[2]

    def keras_bn(x, gamma, beta, mean, var, eps, momentum):
        layer = keras_layer(tf, keras.layers.BatchNormalization, x, axis=1, epsilon=eps,
                            momentum=momentum)
        return layer.stateless_call([gamma, beta], [mean, var], x, training=True)

    def batch_norm(x, gamma, beta, *, eps, axis=1):
        if axis != 1:  # the channel-axis forms: Keras' layer with its axis argument
            layer = keras.layers.BatchNormalization(axis=axis, epsilon=eps, dtype=x.dtype.name)
            layer.build(tuple(x.shape))
            y, _ = layer.stateless_call([gamma, beta], [tf.zeros_like(gamma), tf.ones_like(gamma)],
                                        x, training=True)
            return y
        if x.dtype == tf.float32:
            empty = tf.constant([], tf.float32)  # training with factor 1: no running stats needed
            return fused(x, gamma, beta, empty, empty, eps, 1.0)[0]
        y, _ = keras_bn(x, gamma, beta, tf.zeros_like(gamma), tf.ones_like(gamma), eps, 0.99)
        return y

    def batch_norm_running_stats(x, running_mean, running_var, *, momentum):
        ones, zeros = tf.ones_like(running_mean), tf.zeros_like(running_mean)
        if x.dtype == tf.float32:
            _, mean, var = fused(x, ones, zeros, running_mean, running_var, 1e-3, momentum)
            return mean, var
        _, (mean, var) = keras_bn(x, ones, zeros, running_mean, running_var, 1e-3, 1.0 - momentum)
        return mean, var

    def layer_norm(x, gamma, beta, *, eps, axis=-1):
        # a positive axis: Keras then needs no static shape to broadcast γ and β
        axis = axis % len(x.shape)
        return keras.ops.layer_normalization(x, gamma, beta, axis=axis, epsilon=eps)

    def group_norm(x, gamma, beta, *, groups, eps):
        layer = keras_layer(tf, keras.layers.GroupNormalization, x, groups=groups, axis=1,
                            epsilon=eps)
        y, _ = layer.stateless_call([gamma, beta], [], x)
        return y

    def instance_norm(x, gamma, beta, *, eps):  # composed: GN with one channel per group
        return group_norm(x, gamma, beta, groups=static_channels(x, "GroupNormalization"), eps=eps)

    return {"batch_norm": batch_norm, "batch_norm_running_stats": batch_norm_running_stats,
            "layer_norm": layer_norm, "instance_norm": instance_norm, "group_norm": group_norm}
