"""TensorFlow reproductions of known upstream discrepancies (see conformance/known/discrepancies.py).
Each returns (reproduces, detail); float64 throughout so rounding cannot be the cause."""

from __future__ import annotations

import numpy as np


def _grad(tf, fn, x, ct):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x, output_gradients=tf.constant(ct)).numpy()


def tie_routing(tf):
    x = np.array([[[[1.0], [3.0], [3.0]]]])  # NHWC (1, 1, 3, 1)
    pooled = _grad(tf, lambda t: tf.nn.max_pool2d(t, (1, 3), (1, 3), "VALID"), x, np.ones((1, 1, 1, 1)))
    reduced = _grad(tf, lambda t: tf.reduce_max(t, axis=2), x, np.ones((1, 1, 1)))
    p, r = pooled.ravel().tolist(), reduced.ravel().tolist()
    return p != r, f"max_pool2d gradient {p}, reduce_max gradient {r} on x = [1, 3, 3]"


def conv_same_stride_gt_kernel(tf):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (1, 7, 7, 1))
    w = tf.constant(rng.uniform(-1, 1, (2, 2, 1, 1)))
    ct = rng.uniform(-1, 1, (1, 3, 3, 1))
    fn = lambda t: tf.nn.conv2d(t, w, strides=3, padding="SAME")  # noqa: E731
    g = _grad(tf, fn, x, ct)
    v, h = rng.uniform(-1, 1, x.shape), 1e-6
    fd = float(np.sum(ct * (fn(tf.constant(x + h * v)).numpy() - fn(tf.constant(x - h * v)).numpy())) / (2 * h))
    an = float(np.sum(g * v))
    gap = abs(fd - an) / max(abs(fd), 1e-12)
    return gap > 1e-6, (f"stride 3, kernel 2, SAME on 7x7: ⟨ct, J v⟩ by finite differences {fd:.10g}, "
                        f"by tf's gradient {an:.10g} (relative gap {gap:.2g})")


def bn_bessel(tf):
    import keras

    x = np.random.default_rng(1).uniform(-2, 2, (4, 1, 1, 3))  # N=4: Bessel factor 4/3
    biased = x.var(axis=(0, 1, 2))
    _, _, batch_var, *_ = tf.raw_ops.FusedBatchNormV3(
        x=tf.constant(x, tf.float32), scale=tf.ones(3), offset=tf.zeros(3), mean=tf.zeros(3),
        variance=tf.ones(3), epsilon=1e-3, is_training=True)
    fused_ratio = float(np.mean(batch_var.numpy() / biased))
    layer = keras.layers.BatchNormalization(momentum=0.0, epsilon=1e-3)
    layer(tf.constant(x, tf.float32), training=True)
    layer_ratio = float(np.mean(np.asarray(layer.moving_variance) / biased))
    return (abs(fused_ratio - layer_ratio) > 1e-3,
            f"running variance / biased batch variance (N=4): fused op {fused_ratio:.4f}, "
            f"keras BatchNormalization {layer_ratio:.4f} (Bessel factor 4/3 = 1.3333)")


def softmax_neg_inf(tf):
    x = np.array([[-np.inf, 0.0, 1.0]])
    g = _grad(tf, lambda t: tf.nn.softmax(t, axis=-1), x, np.array([[1.0, 2.0, 3.0]]))
    lse = _grad(tf, lambda t: tf.reduce_logsumexp(t, axis=-1), np.array([[-np.inf, -np.inf]]), np.ones(1))
    bad = not np.all(np.isfinite(g)) or not np.all(np.isfinite(lse))
    return bad, f"softmax grad at [-inf, 0, 1]: {g.ravel().tolist()}; logsumexp grad at [-inf, -inf]: {lse.ravel().tolist()}"


def xla_max_pool_forward_mode_bf16_selection(tf):
    # Two windows whose maxima exceed the other element by 2⁻¹⁰ relative: distinct in float32,
    # equal once rounded to bfloat16's 8 bits; the larger comes first in one window and last
    # in the other, so any tie-break picks the wrong element in one of them.
    near = 1.0 + 2.0**-10
    x = tf.constant(np.array([near, 1.0, 1.0, near], np.float32).reshape(1, 1, 4, 1))
    v = tf.constant(np.array([1.0, 2.0, 3.0, 4.0], np.float32).reshape(1, 1, 4, 1))

    def jvp(x, v):
        with tf.autodiff.ForwardAccumulator(x, v) as acc:
            y = tf.nn.max_pool2d(x, (1, 2), (1, 2), "VALID")
        return acc.jvp(y)

    eager = jvp(x, v).numpy().ravel().tolist()
    xla = tf.function(jvp, jit_compile=True)(x, v).numpy().ravel().tolist()
    return eager != xla, (f"forward mode of max_pool2d on windows [1+2^-10, 1] and [1, 1+2^-10] "
                          f"with tangents [1, 2] and [3, 4]: eager {eager}, jit_compile {xla} "
                          "(the maxima's tangents are [1, 4])")


def keras_layer_norm_single_feature(tf):
    # One normalised feature: x − μ = 0, so y = β exactly. Keras folds the normalisation into
    # y = x·(γ·r) + (β − μ·γ·r), r = 1/√(σ² + ε), whose two terms (≈ |x|·γ/√ε) cancel.
    import keras

    out = {}
    for dt in (tf.float32, tf.float64):
        x, gamma, beta = (tf.constant(v, dt) for v in ([[2.75], [-1.5]], [1.25], [-0.1922]))
        y = keras.ops.layer_normalization(x, gamma, beta, axis=-1, epsilon=1e-5)
        out[dt.name] = (y.numpy().ravel().tolist(), float(beta[0]))
    bad = any(y != [b, b] for y, b in out.values())
    return bad, "; ".join(f"{k}: y = {y}, β = {b!r}" for k, (y, b) in out.items())


def selu_branch_from_rounded_output(tf):
    # SeluGrad picks the branch from the output (y < 0) that the forward rounded: in bfloat16
    # e^x − 1 is 0 for −2⁻⁹ < x < 0, so y = 0 and the slope λ of x > 0 is returned there.
    x = tf.constant([-0.0012588501], tf.bfloat16)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.selu(x)
    got, exact = float(tape.gradient(y, x)[0]), 1.0507009873554805 * 1.6732632423543772 * float(np.exp(-0.0012588501))
    return abs(got - exact) > 0.05 * exact, (f"bfloat16 x = -0.0012588501: y = {float(y[0])}, dy/dx = {got} "
                                             f"(exact λα·e^x = {exact:.4f}; λ = 1.0507)")


def depthwise_strided_dilated(tf):
    # Documented: strides must be 1 when the rate is above 1. TF warns and computes anyway.
    rng = np.random.default_rng(0)
    x, w = rng.uniform(-1, 1, (1, 9, 9, 1)), rng.uniform(-1, 1, (3, 3, 1, 1))
    y = tf.nn.depthwise_conv2d(x, w, (1, 2, 2, 1), "VALID", dilations=(2, 2)).numpy()[0, :, :, 0]
    exact = np.array([[np.sum(x[0, 2 * i:2 * i + 5:2, 2 * j:2 * j + 5:2, 0] * w[:, :, 0, 0])
                       for j in range(3)] for i in range(3)])
    gap = float(np.abs(y - exact).max()) if y.shape == exact.shape else float("inf")
    return gap > 1e-6, (f"9x9 input, 3x3 kernel, strides 2, dilations 2, VALID: output {y.shape}, "
                        f"max |tf − exact| = {gap:.3g} (exact: every 2nd output of the dilated "
                        "convolution)")


CASES = {"tensorflow#4886": tie_routing, "tensorflow#11092": conv_same_stride_gt_kernel,
         "tensorflow#55545": bn_bessel, "pytorch#31829": softmax_neg_inf,
         "tf2xla-maxpoolgradgrad-bf16": xla_max_pool_forward_mode_bf16_selection,
         "keras-layer-norm-folded": keras_layer_norm_single_feature,
         "tf-selu-grad-branch-from-output": selu_branch_from_rounded_output,
         "tf-depthwise-strided-dilated": depthwise_strided_dilated}
