"""jax ops for the parameter-free modules (000/001, table 'Parameter-free modules'); pooling is in pool_ops.py."""

from __future__ import annotations

from typing import Any

from ..base import DRAWS_RANDOMNESS
from .optional import has_flax, no_flax


# No native op in jax: composed from jax.numpy / lax primitives.
COMPOSED = frozenset({"switch", "cross_entropy", "squared_error", "softmax_cross_entropy",
                      "dropout"})
NO_FLAX = "JAX has no native dropout op (flax.linen.Dropout is one)"



def unsupported(module: str, attrs) -> str | None:
    if module == "dropout" and attrs.get(DRAWS_RANDOMNESS) and not has_flax():
        return no_flax(NO_FLAX)
    return None


def build(jax) -> dict[str, Any]:
    jnp = jax.numpy

    def dropout(x, mask=None, *, rate=0.5, native=False, seed=0):
        if native:
            import flax.linen as nn  # present: unsupported() checked it
            rngs = {"dropout": jax.random.PRNGKey(seed)}
            return nn.Dropout(rate=rate, deterministic=False).apply({}, x, rngs=rngs)
        return mask * x / (1 - rate)

    return {
        "add": jnp.add,
        "multiply": jnp.multiply,
        "sum": lambda x, axis=-1: jnp.sum(x, axis=axis),
        "max": lambda x, axis=-1: jnp.max(x, axis=axis),
        "switch": lambda x, s: s * x,
        "relu": jax.nn.relu,
        "leaky_relu": lambda x, negative_slope=0.01: jax.nn.leaky_relu(x, negative_slope),
        "elu": lambda x, alpha=1.0: jax.nn.elu(x, alpha),
        "selu": jax.nn.selu,
        "sigmoid": jax.nn.sigmoid,
        "softmax": lambda x, axis=-1: jax.nn.softmax(x, axis=axis),
        "softplus": jax.nn.softplus,
        "tanh": jnp.tanh,
        "cross_entropy": lambda x, p, axis=-1: -jnp.sum(p * jnp.log(x), axis=axis),
        "squared_error": lambda x, t, axis=-1: jnp.sum(jnp.square(x - t), axis=axis),
        "softmax_cross_entropy": lambda z, p, axis=-1: -jnp.sum(p * jax.nn.log_softmax(z, axis=axis), axis=axis),
        "dropout": dropout,
    }
