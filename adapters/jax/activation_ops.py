"""jax ops for GELU and PReLU (no table row in 000/001; 001 bibliography entries 5 and 6).

``jax.nn.gelu(approximate=bool)`` (whose default is the tanh form: always passed). JAX has
no PReLU: composed as jnp.where(x > 0, x, α_c·x) with α broadcast over axis 1.
"""

from __future__ import annotations

from typing import Any

COMPOSED = frozenset({"prelu"})


def build(jax) -> dict[str, Any]:
    jnp = jax.numpy

    def prelu(x, alpha):
        a = jnp.reshape(alpha, (1, -1) + (1,) * (x.ndim - 2))
        return jnp.where(x > 0, x, a * x)

    return {"gelu": lambda x, approximate="none": jax.nn.gelu(x, approximate=approximate == "tanh"),
            "prelu": prelu}
