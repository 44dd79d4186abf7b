"""jax ops for the normalisation modules (000/001 section 'BN'; LN/IN/GN: 001 'Normalization').

JAX itself has no normalisation layers. With the flax extra installed, BN, LN and GN are
``flax.linen.BatchNorm`` / ``LayerNorm`` / ``GroupNorm`` (native; BN momentum = 1 − m, the
Keras convention). Without it, BN and its running statistics are skipped, and LN, IN and GN
are composed from ``jax.nn.standardize`` (its default 'fast' algorithm: one-pass variance
E[x²] − E[x]², clipped at 0) times γ plus β. The flax paths are untested where flax is absent.
"""

from __future__ import annotations

from typing import Any, Mapping
from .optional import has_flax, no_flax

NO_FLAX = "JAX has no batch norm of its own"
FLAX_NATIVE = {"batch_norm", "batch_norm_running_stats", "layer_norm", "group_norm"}
MODULES = FLAX_NATIVE | {"instance_norm"}



def unsupported(module: str, attrs: Mapping[str, Any]) -> str | None:
    if module in ("batch_norm", "batch_norm_running_stats") and not has_flax():
        return no_flax(NO_FLAX)
    return None


def composed(module: str, attrs: Mapping[str, Any]) -> bool | None:
    """IN always; LN and GN without flax. BN is never composed (flax or skipped)."""
    if module not in MODULES:
        return None
    if module == "instance_norm":
        return True
    return module in ("layer_norm", "group_norm") and not has_flax()


def build(jax) -> dict[str, Any]:
    jnp = jax.numpy
    flax = has_flax()

    def channel(v, ndim):
        return jnp.reshape(v, (1, -1) + (1,) * (ndim - 2))

    def batch_norm(x, gamma, beta, *, eps, axis=1):
        import flax.linen as nn  # present: unsupported() checked it

        stats = {"mean": jnp.zeros_like(gamma), "var": jnp.ones_like(gamma)}
        y, _ = nn.BatchNorm(use_running_average=False, axis=axis, epsilon=eps).apply(
            {"params": {"scale": gamma, "bias": beta}, "batch_stats": stats}, x,
            mutable=["batch_stats"])
        return y

    def batch_norm_running_stats(x, running_mean, running_var, *, momentum):
        import flax.linen as nn

        params = {"scale": jnp.ones_like(running_mean), "bias": jnp.zeros_like(running_mean)}
        _, updates = nn.BatchNorm(use_running_average=False, axis=1, momentum=1.0 - momentum).apply(
            {"params": params, "batch_stats": {"mean": running_mean, "var": running_var}}, x,
            mutable=["batch_stats"])
        return updates["batch_stats"]["mean"], updates["batch_stats"]["var"]

    def layer_norm(x, gamma, beta, *, eps, axis=-1):
        if flax:
            import flax.linen as nn

            return nn.LayerNorm(epsilon=eps, reduction_axes=axis, feature_axes=axis).apply(
                {"params": {"scale": gamma, "bias": beta}}, x)
        shape = [1] * x.ndim
        shape[axis] = -1
        return (jax.nn.standardize(x, axis=axis, epsilon=eps) * jnp.reshape(gamma, shape)
                + jnp.reshape(beta, shape))

    def instance_norm(x, gamma, beta, *, eps):  # composed everywhere
        axes = tuple(range(2, x.ndim))
        y = jax.nn.standardize(x, axis=axes, epsilon=eps)
        return y * channel(gamma, x.ndim) + channel(beta, x.ndim)

    def group_norm(x, gamma, beta, *, groups, eps):
        if flax:  # flax normalises channels-last: move C to the end and back
            import flax.linen as nn

            xl = jnp.moveaxis(x, 1, -1)
            y = nn.GroupNorm(num_groups=groups, epsilon=eps).apply(
                {"params": {"scale": gamma, "bias": beta}}, xl)
            return jnp.moveaxis(y, -1, 1)
        n, c = x.shape[:2]
        xg = jnp.reshape(x, (n, groups, c // groups) + x.shape[2:])
        y = jnp.reshape(jax.nn.standardize(xg, axis=tuple(range(2, xg.ndim)), epsilon=eps), x.shape)
        return y * channel(gamma, x.ndim) + channel(beta, x.ndim)

    return {"batch_norm": batch_norm, "batch_norm_running_stats": batch_norm_running_stats,
            "layer_norm": layer_norm, "instance_norm": instance_norm, "group_norm": group_norm}
