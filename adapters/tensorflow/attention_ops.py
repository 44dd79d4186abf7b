"""tf ops for the attention modules (derived from Vaswani et al. 2017; see
references/attention.py).

``keras.ops.dot_product_attention`` on the TensorFlow backend, in Keras's (B, T, heads, d)
layout (transposed here and back): kernel ``math`` = ``flash_attention=False``; ``flash``
(``flash_attention=True``) is a skip: Keras raises "Flash attention is not supported in
tensorflow backend". TensorFlow itself has no attention op (tf.nn has none).

``multi_head_attention``: ``keras.layers.MultiHeadAttention(num_heads=h, key_dim=E/h)``
through ``stateless_call`` (the canonical tensors are the layer's weights, watched by the
tape): query/key/value kernel (E, h, E/h) = Wᵀ reshaped, bias (h, E/h), attention_output
kernel (h, E/h, E) = W_oᵀ reshaped; ``attention_mask`` = key_padding broadcast to
(N, Tq, Tk) (True = attend); ``need_weights`` = ``return_attention_scores``.
"""

from __future__ import annotations

from typing import Any

_LAYERS: dict[tuple, Any] = {}


def unsupported(module: str, attrs) -> str | None:
    if module != "scaled_dot_product_attention":
        return None
    kernel = attrs.get("kernel")
    if kernel == "flash":
        return ("keras.ops.dot_product_attention(flash_attention=True) raises 'Flash "
                "attention is not supported in tensorflow backend'")
    if kernel != "math":
        return (f"tensorflow: no {kernel!r} kernel choice (keras.ops.dot_product_attention "
                "has flash_attention=False/True only; math is forced)")
    return None


def build(tf) -> dict[str, Any]:
    import keras

    def bthd(x):
        return tf.transpose(x, (0, 2, 1, 3))

    def scaled_dot_product_attention(q, k, v, bias, mask, *, kernel, causal=False,
                                     masked=False, biased=False, scale=None, sizes=None):
        y = keras.ops.dot_product_attention(
            bthd(q), bthd(k), bthd(v), bias=bias if biased else None,
            mask=tf.not_equal(mask, 0) if masked else None, scale=scale, is_causal=causal,
            flash_attention=False)
        return bthd(y)

    def layer_for(e, heads, dtype):
        key = (e, heads, dtype)
        if key not in _LAYERS:
            with tf.init_scope():
                layer = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=e // heads,
                                                        dtype=dtype)
                layer.build((None, None, e), (None, None, e), (None, None, e))
            _LAYERS[key] = layer
        return _LAYERS[key]

    def multi_head_attention(xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o,
                             key_padding=None, *, heads, padded=False, need_weights=False,
                             sizes=None):
        e = int(w_q.shape[0])
        dh = e // heads
        layer = layer_for(e, heads, xq.dtype.name)
        weights = []
        for w, b in ((w_q, b_q), (w_k, b_k), (w_v, b_v)):
            weights += [tf.reshape(tf.transpose(w), (e, heads, dh)), tf.reshape(b, (heads, dh))]
        weights += [tf.reshape(tf.transpose(w_o), (heads, dh, e)), b_o]
        mask = None
        if padded:
            mask = tf.broadcast_to(tf.not_equal(key_padding, 0)[:, None, :],
                                   (tf.shape(xq)[0], tf.shape(xq)[1], tf.shape(xk)[1]))
        out, _ = layer.stateless_call(weights, [], xq, xv, key=xk, attention_mask=mask,
                                      return_attention_scores=need_weights)
        return out[0] if need_weights else out

    return {"scaled_dot_product_attention": scaled_dot_product_attention,
            "multi_head_attention": multi_head_attention}
