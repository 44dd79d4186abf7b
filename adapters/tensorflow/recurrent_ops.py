"""tf ops for the recurrent modules (000/001 'Reccurent modules', 002 LSTM, 003/004 GRU).

Native: ``keras.layers.SimpleRNN`` / ``LSTM`` / ``GRU`` (Keras 3 on the TF backend), run with
``layer.stateless_call`` so the layer computes with *tensors* built from the canonical
per-gate arrays instead of its own variables: the GradientTape sees the canonical tensors
and pulls the cotangent back through the packing below. The layers are built once per
configuration outside any tf.function (``tf.init_scope``). Keras is batch-major: x is
transposed (T, N, I) -> (N, T, I) and y back here. Every gate reorder for Keras lives here:

* kernel (I, kH) = [U_1; U_2; ...]ᵀ, recurrent_kernel (H, kH) = [W_1; ...]ᵀ (x @ kernel);
* LSTM order i, f, c, o (= canonical i, f, g, o); one bias (4H,);
* GRU order z, r, h (canonical r, z, n reordered); reset_after=True: bias (2, 3H) = input
  and recurrent biases, split b_ih = b_hh = b_k / 2 for z and r (exact), [b_n, b_hn] for h;
  reset_after=False: bias (3H,) [b_z, b_r, b_n].
* GRU forms seed000/seed004 weight the *candidate* by z (h' = (1−z)∘h + z∘c), Keras weights
  the old state (h' = z∘h + (1−z)∘h̃). Since 1 − σ(a) = σ(−a), Keras' GRU(reset_after=False)
  computes seed000/seed004 exactly when fed −W_z, −U_z, −b_z: the native layer, with an exact
  reparametrisation that the tape differentiates through (not a composed cell).

Composed: the 002 peephole LSTM forms (Keras 3 has no peepholes): a Python time loop over
tf primitives. 004's head is tf.nn.softmax_cross_entropy_with_logits on the native GRU.
"""

from __future__ import annotations

from typing import Any

from ..common import named_recurrent_params as _named

LSTM_NATIVE = ("seed000", "standard")


def composed(module: str, attrs) -> bool | None:
    if module == "lstm":
        return attrs.get("form") not in LSTM_NATIVE
    return None


def build(tf) -> dict[str, Any]:
    import keras

    layers: dict[tuple, Any] = {}

    def layer(kind, I, H, dtype, **options):
        key = (kind, I, H, dtype, tuple(sorted(options.items())))
        if key not in layers:
            cls = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                   "gru": keras.layers.GRU}[kind]
            with tf.init_scope():
                lay = cls(H, return_sequences=True, return_state=True, dtype=dtype, **options)
                lay.build((None, None, I))
            layers[key] = lay
        return layers[key]

    def run(kind, x, states, kernel, recurrent, bias=None, **options):
        I, H = kernel.shape[0], recurrent.shape[0]
        lay = layer(kind, I, H, x.dtype.name, use_bias=bias is not None, **options)
        weights = [kernel, recurrent] + ([bias] if bias is not None else [])
        fixed = [v.value for v in lay.non_trainable_variables]
        outs, _ = lay.stateless_call(weights, fixed, tf.transpose(x, (1, 0, 2)),
                                     initial_state=list(states))
        return (tf.transpose(outs[0], (1, 0, 2)),) + tuple(outs[1:])

    def packed(p, kind, order, sign=None):
        sign = sign or {}
        return tf.transpose(tf.concat([sign.get(k, 1) * p[f"{kind}_{k}"] for k in order], 0))

    def simple_rnn(x, h0, W, U):
        return run("rnn", x, [h0], tf.transpose(U), tf.transpose(W))

    def lstm(x, h0, c0, *params, form="standard"):
        p = _named(params, ("i", "f", "g", "o"), peep=True)
        if form not in LSTM_NATIVE:
            return _lstm_composed(tf, x, h0, c0, p, form)
        order = ("i", "f", "g", "o")  # Keras i, f, c, o
        bias = tf.concat([p[f"b_{k}"] for k in order], 0) if form == "standard" else None
        return run("lstm", x, [h0, c0], packed(p, "U", order), packed(p, "W", order), bias)

    def gru(x, h0, *params, form="reset_after"):
        p = _named(params, ("r", "z", "n"), peep=False)
        order = ("z", "r", "n")  # Keras z, r, h
        if form == "reset_after":
            half = [p["b_z"] / 2, p["b_r"] / 2]
            bias = tf.stack([tf.concat(half + [p["b_n"]], 0), tf.concat(half + [p["b_hn"]], 0)])
            return run("gru", x, [h0], packed(p, "U", order), packed(p, "W", order), bias,
                       reset_after=True)
        sign = {"z": -1} if form in ("seed000", "seed004") else {}  # σ(−a) = 1 − σ(a)
        bias = None
        if form == "seed004":
            bias = tf.concat([sign.get(k, 1) * p[f"b_{k}"] for k in order], 0)
        return run("gru", x, [h0], packed(p, "U", order, sign), packed(p, "W", order, sign),
                   bias, reset_after=False)

    def gru_softmax_ce(x, h0, *params):
        *weights, targets = params
        y, _ = gru(x, h0, *weights, None, form="seed004")
        return tf.nn.softmax_cross_entropy_with_logits(labels=targets, logits=y, axis=-1)

    return {"simple_rnn": simple_rnn, "lstm": lstm, "gru": gru, "gru_softmax_ce": gru_softmax_ce}


def _lstm_composed(tf, x, h0, c0, p, form):
    """002 eqs. 1–6: f, i (and o in 'peephole') read C_{t-1}; o reads C_t in
    'peephole_compact'; the candidate is σ in 'peephole' (the 31 steps), tanh otherwise.
    The gates' matrices are stacked (canonical order i, f, g, o) so a step is one matmul on
    h, one on C, and the input projection of every step is one matmul up front."""
    sig = tf.math.sigmoid
    g_act = sig if form == "peephole" else tf.math.tanh
    stack = lambda kind, gates: tf.concat([p[f"{kind}_{k}"] for k in gates], 0)  # noqa: E731
    xu = tf.einsum("tni,gi->tng", x, stack("U", "ifgo")) + stack("b", "ifgo")
    W, P = stack("W", "ifgo"), stack("P", "if")
    h, c, ys = h0, c0, []
    for t in range(x.shape[0]):
        a = tf.split(xu[t] + tf.matmul(h, W, transpose_b=True), 4, axis=-1)
        pi, pf = tf.split(tf.matmul(c, P, transpose_b=True), 2, axis=-1)
        c_new = sig(a[1] + pf) * c + sig(a[0] + pi) * g_act(a[2])
        o = sig(a[3] + tf.matmul(c if form == "peephole" else c_new, p["P_o"], transpose_b=True))
        c = c_new
        h = o * tf.math.tanh(c)
        ys.append(h)
    return tf.stack(ys), h, c
