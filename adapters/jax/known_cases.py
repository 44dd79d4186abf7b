"""JAX reproductions of known upstream discrepancies (see conformance/known/discrepancies.py)."""

from __future__ import annotations

import numpy as np


def maximum_at_zero(jax):
    g_max = float(jax.grad(lambda x: jax.numpy.maximum(x, 0.0))(0.0))
    g_relu = float(jax.grad(jax.nn.relu)(0.0))
    return g_max != g_relu, f"grad(maximum(x, 0))(0) = {g_max}, grad(relu)(0) = {g_relu}"


def relu6_kinks(jax):
    at0, at6 = (float(jax.grad(jax.nn.relu6)(v)) for v in (0.0, 6.0))
    return 0.5 in (at0, at6), f"relu6'(0) = {at0}, relu6'(6) = {at6}"


def softmax_neg_inf(jax):
    x = np.array([[-np.inf, 0.0, 1.0]])
    _, pull = jax.vjp(lambda t: jax.nn.softmax(t, axis=-1), x)
    g = np.asarray(pull(np.array([[1.0, 2.0, 3.0]]))[0])
    _, pull2 = jax.vjp(lambda t: jax.nn.logsumexp(t, axis=-1), np.array([[-np.inf, -np.inf]]))
    lse = np.asarray(pull2(np.ones(1))[0])
    bad = not np.all(np.isfinite(g)) or not np.all(np.isfinite(lse))
    return bad, f"softmax grad at [-inf, 0, 1]: {g.ravel().tolist()}; logsumexp grad at [-inf, -inf]: {lse.ravel().tolist()}"


def precision_ignored(jax):
    jnp = jax.numpy
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-1, 1, (256, 256)), rng.uniform(-1, 1, (256, 256))
    gpu = jax.devices("gpu")[0]
    got = np.asarray(jnp.dot(jax.device_put(a.astype(np.float32), gpu), jax.device_put(b.astype(np.float32), gpu),
                             precision=jax.lax.Precision.HIGHEST))
    rel = float(np.abs(got - a @ b).max() / np.abs(a @ b).max())
    return rel > 1e-4, f"float32 matmul with precision=HIGHEST on {gpu.device_kind}: max relative error {rel:.2g} (TF32 ≈ 1e-3, fp32 ≈ 1e-6)"


CASES = {"jax#37821": maximum_at_zero, "jax-pr#14682": relu6_kinks,
         "pytorch#31829": softmax_neg_inf, "jax#14022": precision_ignored}

from .attention_known import CASES as _ATTENTION

CASES.update(_ATTENTION)
