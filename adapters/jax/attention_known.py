"""JAX reproductions of the known upstream attention discrepancies (conformance/known/discrepancies.py)."""

from __future__ import annotations

import numpy as np


def cudnn_bias_gradient(jax):
    """jax#27184: jax.nn.dot_product_attention(implementation='cudnn') gives no gradient for
    ``bias`` (GPU only: cuDNN). Compared with the XLA implementation's bias gradient."""
    jnp = jax.numpy
    rng = np.random.default_rng(0)
    q, k, v = (jnp.asarray(rng.uniform(-1, 1, (1, 128, 2, 64)), jnp.float16) for _ in range(3))
    bias = jnp.asarray(rng.uniform(-1, 1, (1, 2, 128, 128)), jnp.float16)

    def grad_bias(impl):
        f = lambda b: jax.nn.dot_product_attention(q, k, v, bias=b, implementation=impl)  # noqa: E731
        return np.asarray(jax.grad(lambda b: f(b).astype(jnp.float32).sum())(bias), np.float32)

    xla, cudnn = grad_bias("xla"), grad_bias("cudnn")
    gap = float(np.max(np.abs(xla - cudnn)))
    scale = float(np.max(np.abs(xla)))
    return gap > 1e-2 * scale, f"max |dB xla − dB cudnn| = {gap:.3g} (max |dB xla| = {scale:.3g})"


CASES = {"jax#27184": cudnn_bias_gradient}
