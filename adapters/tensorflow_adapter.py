"""TensorFlow adapter: native ``tf`` / ``tf.nn`` ops, ``tf.GradientTape``.

Eager mode runs the op under a tape and calls ``tape.gradient(..., output_gradients=
cotangent)``; compiled mode wraps that whole function in ``tf.function(jit_compile=True)``
(XLA), cached per module, attrs, argument names and wrt. Pooling runs NHWC (TF's CPU
kernels are channels-last only): the adapter transposes through :mod:`adapters.layout`
inside the differentiated function, so the tape pulls the cotangent back through it.
"""

from __future__ import annotations

import os
import types
from typing import Any, Mapping, Sequence

import numpy as np

from . import layout
from .base import DTYPES, MODES, Adapter, Unsupported, VjpResult

_NOT_OP_ATTRS = frozenset({"tie_rule", "grad_at_zero"})


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


def _own_code(fn, name: str):
    """A copy of ``fn`` with its own, distinctly named code object (``name``). tf.function keys its
    retracing statistics by (equal) code objects, so each cached function gets its own."""
    code = fn.__code__.replace(co_name=name, co_qualname=name)
    return types.FunctionType(code, fn.__globals__, name, fn.__defaults__, fn.__closure__)


class TensorFlowAdapter(Adapter):
    name = "tensorflow"
    package = "tensorflow-cpu"
    composed = frozenset({"switch", "cross_entropy", "dropout"})
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
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        return tf

    def version(self) -> str | None:
        from importlib import metadata

        for dist in ("tensorflow-cpu", "tensorflow", "tensorflow-macos", "tensorflow-intel"):
            try:
                return metadata.version(dist)
            except metadata.PackageNotFoundError:
                continue
        return None

    # -- devices ------------------------------------------------------------------------
    def device_reason(self, device: str) -> str | None:
        if device == "cpu":
            return None
        if device != "gpu":
            return f"tensorflow: unknown device {device!r}"
        tf = self.framework
        if tf.config.list_physical_devices("GPU"):
            return None
        build = "CUDA build" if tf.test.is_built_with_cuda() else "CPU-only build"
        return f"tensorflow: no GPU visible ({build}, tensorflow {tf.__version__})"

    def device_names(self) -> list[str]:
        tf = self.framework
        names = ["cpu"]
        for dev in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(dev)
            names.append(details.get("device_name", dev.name))
        return names

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
        tf = self.framework
        reason = self.device_reason(device)
        if reason is not None:
            raise Unsupported(reason)
        if module not in self.ops():
            raise Unsupported(f"tensorflow adapter has no op for {module!r}")
        kw = _op_kwargs(module, attrs)
        if module == "elu" and float(kw.get("alpha", 1.0)) != 1.0:
            raise Unsupported(
                f"tf.nn.elu has no alpha parameter (fixed at 1); alpha={kw['alpha']} untested"
            )
        fn = self._function(module, kw, tuple(names), tuple(wrt), mode)
        with tf.device("/GPU:0" if device == "gpu" else "/CPU:0"):
            tensors = [tf.constant(np.asarray(a, dtype=dtype)) for a in args]
            ct = tf.constant(np.asarray(cotangent, dtype=dtype))
            y, grads = fn(tensors, ct, tf.constant([seed, 0], dtype=tf.int64))
        return VjpResult(
            output=y.numpy(),
            grads={n: g.numpy() for n, g in zip([n for n in names if n in wrt], grads)},
        )

    def _function(self, module, kw, names, wrt, mode):
        tf = self.framework
        op = self.ops()[module]
        native = bool(module == "dropout" and kw.get("native"))

        def run(tensors, ct, seed):
            with tf.GradientTape() as tape:
                sources = [t for t, n in zip(tensors, names) if n in wrt]
                for t in sources:
                    tape.watch(t)
                call_kw = dict(kw, seed=seed) if native else kw  # seed: shape-[2] tensor
                y = op(*tensors, **call_kw)
            if not sources:
                return y, []
            grads = tape.gradient(
                y, sources, output_gradients=ct,
                unconnected_gradients=tf.UnconnectedGradients.ZERO,
            )
            return y, grads

        if mode == "eager":
            return run
        key = (module, _freeze(tuple(sorted(kw.items()))), names, wrt)
        fn = self._compiled.get(key)
        if fn is None:
            name = f"vjp_{module}_{len(self._compiled)}"
            fn = tf.function(_own_code(run, name), jit_compile=True, reduce_retracing=True)
            self._compiled[key] = fn
        return fn


def _build_ops(tf) -> dict[str, Any]:
    def pool(tf_pool):
        def op(x, kernel=2, stride=None):
            k = layout.pair(kernel)
            s = k if stride is None else layout.pair(stride)
            nhwc = layout.to_nhwc(x, tf.transpose, ndim=4)
            y = tf_pool(nhwc, ksize=k, strides=s, padding="VALID", data_format="NHWC")
            return layout.to_nchw(y, tf.transpose, ndim=4)

        return op

    def elu(x, alpha=1.0):
        if float(alpha) != 1.0:
            raise Unsupported(f"tf.nn.elu has no alpha parameter (fixed at 1); alpha={alpha}")
        return tf.nn.elu(x)

    def dropout(x, mask=None, *, rate=0.5, native=False, seed=None):
        if native:
            if mask is not None:
                raise ValueError("native dropout takes x only; the mask is drawn by tensorflow")
            if seed is None:
                return tf.nn.dropout(x, rate=rate)
            return tf.nn.experimental.stateless_dropout(x, rate=rate, seed=seed)
        return mask * x / (1 - rate)

    return {
        "add": tf.add,
        "multiply": tf.multiply,
        "sum": lambda x: tf.reduce_sum(x, axis=-1),
        "max": lambda x: tf.reduce_max(x, axis=-1),
        "switch": lambda x, s: s * x,  # composed
        "relu": tf.nn.relu,
        "leaky_relu": lambda x, negative_slope=0.01: tf.nn.leaky_relu(x, alpha=negative_slope),
        "elu": elu,
        "selu": tf.nn.selu,
        "sigmoid": tf.math.sigmoid,
        "softmax": lambda x: tf.nn.softmax(x, axis=-1),
        "softplus": tf.math.softplus,
        "tanh": tf.math.tanh,
        "cross_entropy": lambda x, p: -tf.reduce_sum(p * tf.math.log(x), axis=-1),  # composed
        "squared_error": lambda x, t: tf.reduce_sum(tf.math.squared_difference(x, t), axis=-1),
        "softmax_cross_entropy": lambda z, p: tf.nn.softmax_cross_entropy_with_logits(
            labels=p, logits=z, axis=-1
        ),
        "max_pool2d": pool(tf.nn.max_pool2d),
        "avg_pool2d": pool(tf.nn.avg_pool2d),
        "dropout": dropout,  # the injected-mask form is composed; native=True is tf's own
    }
