"""JAX adapter: ``jax.numpy`` / ``jax.nn`` / ``jax.lax`` ops, ``jax.vjp``.

Eager mode calls ``jax.vjp`` op by op; compiled mode is ``jax.jit`` of the whole
forward-and-pullback function, cached per module, attrs, argument names and wrt (JAX then
compiles once per new shape and dtype). float64 needs ``jax_enable_x64``, switched on at
load; inputs are passed as NumPy arrays of an explicit dtype so float32 stays float32.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from . import layout
from .base import DTYPES, MODES, Adapter, Unsupported, VjpResult

_NOT_OP_ATTRS = frozenset({"tie_rule", "grad_at_zero"})
_NO_FLAX = "JAX has no native dropout op; the flax extra (flax.linen.Dropout) is not installed"


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _op_kwargs(module: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    kw = {k: v for k, v in attrs.items() if k not in _NOT_OP_ATTRS}
    if module != "dropout":
        kw.pop("native", None)
    return kw


class JaxAdapter(Adapter):
    name = "jax"
    package = "jax"
    composed = frozenset({
        "switch", "cross_entropy", "squared_error", "softmax_cross_entropy", "avg_pool2d",
        "dropout",
    })
    modules = frozenset({
        "add", "multiply", "sum", "max", "switch", "relu", "leaky_relu", "elu", "selu",
        "sigmoid", "softmax", "softplus", "tanh", "cross_entropy", "squared_error",
        "softmax_cross_entropy", "max_pool2d", "avg_pool2d", "dropout",
    })

    def __init__(self) -> None:
        super().__init__()
        self._ops: dict[str, Any] | None = None
        self._compiled: dict[tuple, Any] = {}

    def _load(self) -> Any:
        import jax

        jax.config.update("jax_enable_x64", True)
        return jax

    # -- devices ------------------------------------------------------------------------
    def _gpus(self) -> list:
        jax = self.framework
        try:
            return list(jax.devices("gpu"))
        except RuntimeError:
            return []

    def device_reason(self, device: str) -> str | None:
        if device == "cpu":
            return None
        if device != "gpu":
            return f"jax: unknown device {device!r}"
        if self._gpus():
            return None
        jax = self.framework
        return f"jax: no GPU backend (jax {jax.__version__}; backends: {jax.default_backend()})"

    def device_names(self) -> list[str]:
        return ["cpu"] + [d.device_kind for d in self._gpus()]

    # -- ops ----------------------------------------------------------------------------
    def ops(self) -> Mapping[str, Any]:
        if self._ops is None:
            self._ops = _build_ops(self.framework)
        return self._ops

    def vjp(
        self,
        module: str,
        args: Sequence[np.ndarray],
        names: Sequence[str],
        wrt: Sequence[str],
        cotangent: np.ndarray,
        attrs: Mapping[str, Any],
        *,
        dtype: str,
        device: str = "cpu",
        mode: str = "eager",
        seed: int = 0,
    ) -> VjpResult:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}; expected one of {DTYPES}")
        if len(args) != len(names) or not set(wrt) <= set(names):
            raise ValueError(f"wrt {list(wrt)} must name some of the args {list(names)}")
        jax = self.framework
        reason = self.device_reason(device)
        if reason is not None:
            raise Unsupported(reason)
        if module not in self.ops():
            raise Unsupported(f"jax adapter has no op for {module!r}")
        kw = _op_kwargs(module, attrs)
        native = bool(module == "dropout" and kw.get("native"))
        if native and not _has_flax():
            raise Unsupported(_NO_FLAX)

        dev = self._gpus()[0] if device == "gpu" else jax.devices("cpu")[0]
        arrays = [jax.device_put(np.asarray(a, dtype=dtype), dev) for a in args]
        diff = tuple(a for a, n in zip(arrays, names) if n in wrt)
        const = tuple(a for a, n in zip(arrays, names) if n not in wrt)
        ct = jax.device_put(np.asarray(cotangent, dtype=dtype), dev)
        key = jax.device_put(np.asarray(seed, dtype=np.uint32), dev)

        fn = self._function(module, kw, tuple(names), tuple(wrt), mode, native)
        y, grads = fn(diff, const, ct, key)
        return VjpResult(
            output=np.asarray(y),
            grads={n: np.asarray(g) for n, g in zip([n for n in names if n in wrt], grads)},
        )

    def _function(self, module, kw, names, wrt, mode, native):
        jax = self.framework
        op = self.ops()[module]
        is_diff = [n in wrt for n in names]

        def run(diff, const, ct, seed):
            call_kw = dict(kw, seed=seed) if native else kw

            def f(*d):
                it_d, it_c = iter(d), iter(const)
                full = [next(it_d) if flag else next(it_c) for flag in is_diff]
                return op(*full, **call_kw)

            if not diff:
                return f(), ()
            y, pullback = jax.vjp(f, *diff)
            return y, pullback(ct)

        if mode == "eager":
            return run
        cache_key = (module, _freeze(tuple(sorted(kw.items()))), names, wrt)
        fn = self._compiled.get(cache_key)
        if fn is None:
            fn = self._compiled[cache_key] = jax.jit(run)
        return fn


def _has_flax() -> bool:
    try:
        import flax.linen  # noqa: F401
    except ImportError:
        return False
    return True


def _build_ops(jax) -> dict[str, Any]:
    jnp, lax = jax.numpy, jax.lax

    def windows(kernel, stride):
        k = layout.pair(kernel)
        s = k if stride is None else layout.pair(stride)
        return (1, 1, *k), (1, 1, *s)

    def max_pool2d(x, kernel=2, stride=None):
        window, strides = windows(kernel, stride)
        init = np.array(-np.inf, dtype=x.dtype)  # the max identity: lowers to reduce_window_max
        return lax.reduce_window(x, init, lax.max, window, strides, "VALID")

    def avg_pool2d(x, kernel=2, stride=None):  # composed: window sum / (p*q)
        window, strides = windows(kernel, stride)
        total = lax.reduce_window(x, np.array(0, dtype=x.dtype), lax.add, window, strides, "VALID")
        return total / (window[2] * window[3])

    def dropout(x, mask=None, *, rate=0.5, native=False, seed=0):
        if native:
            if mask is not None:
                raise ValueError("native dropout takes x only; the mask is drawn by flax")
            try:
                import flax.linen as nn
            except ImportError as exc:
                raise Unsupported(_NO_FLAX) from exc
            rngs = {"dropout": jax.random.PRNGKey(seed)}
            return nn.Dropout(rate=rate, deterministic=False).apply({}, x, rngs=rngs)
        return mask * x / (1 - rate)

    return {
        "add": jnp.add,
        "multiply": jnp.multiply,
        "sum": lambda x: jnp.sum(x, axis=-1),
        "max": lambda x: jnp.max(x, axis=-1),
        "switch": lambda x, s: s * x,  # composed
        "relu": jax.nn.relu,
        "leaky_relu": lambda x, negative_slope=0.01: jax.nn.leaky_relu(x, negative_slope),
        "elu": lambda x, alpha=1.0: jax.nn.elu(x, alpha),
        "selu": jax.nn.selu,
        "sigmoid": jax.nn.sigmoid,
        "softmax": lambda x: jax.nn.softmax(x, axis=-1),
        "softplus": jax.nn.softplus,
        "tanh": jnp.tanh,
        "cross_entropy": lambda x, p: -jnp.sum(p * jnp.log(x), axis=-1),  # composed
        "squared_error": lambda x, t: jnp.sum(jnp.square(x - t), axis=-1),  # composed
        "softmax_cross_entropy": lambda z, p: -jnp.sum(p * jax.nn.log_softmax(z, axis=-1), axis=-1),
        "max_pool2d": max_pool2d,
        "avg_pool2d": avg_pool2d,
        "dropout": dropout,  # the injected-mask form is composed; native=True is flax's
    }
