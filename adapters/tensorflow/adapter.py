"""TensorFlow adapter: native ``tf`` / ``tf.nn`` ops, ``tf.GradientTape``.

Eager mode runs the op under a tape and calls ``tape.gradient(..., output_gradients=
cotangent)``; compiled mode wraps that whole function in ``tf.function(jit_compile=True)``
(XLA), cached per module, attrs, argument names and wrt. Channels-last ops transpose
through :mod:`adapters.layout` inside the differentiated function, so the tape pulls the
cotangent back through the transposition too.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np

from ..base import DRAWS_RANDOMNESS, Adapter, VjpResult
from ..common import as_list, freeze, numpy_dtype, own_code
from ..program_cache import ProgramCache
from .compiled_cache import SIGNATURES_KEPT, compiled_signature, tensor_specs


class TensorFlowAdapter(Adapter):
    name = "tensorflow"
    package = "tensorflow-cpu"
    import_name = "tensorflow"
    packages = ('tensorflow',)
    ops_package = "adapters.tensorflow"
    # How TensorFlow says it has no kernel for a dtype (a low-precision skip, in its words).
    no_kernel_markers = ("Could not find device for node", "No registered", "no registered",
                         "is not in the list of allowed values",
                         # CPU conv gradients that exist for float32 only (conv_ops.py): in
                         # bfloat16/float16 the float32-only path is missing, as in float64
                         "Gradients for grouped convolutions are not supported on CPU",
                         "do not yet support dilation rates larger than 1")

    def __init__(self) -> None:
        super().__init__()
        # One function per signature (shape), so more of them than the other adapters keep.
        self._compiled = ProgramCache(size=SIGNATURES_KEPT)

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

    # -- the computation ----------------------------------------------------------------------
    def vjp(self, module: str, args: Sequence[np.ndarray], names: Sequence[str],
            wrt: Sequence[str], cotangent, attrs: Mapping[str, Any], *, dtype: str,
            device: str = "cpu", mode: str = "eager", seed: int = 0) -> VjpResult:
        kw = self.prepare_call(module, args, names, wrt, attrs, dtype, device, mode)
        tf = self.framework
        fn = self._function(module, kw, tuple(names), tuple(wrt), mode,
                            compiled_signature(args, cotangent, dtype))
        multiple = isinstance(cotangent, (tuple, list))
        with tf.device("/GPU:0" if device == "gpu" else "/CPU:0"):
            tensors = [tf.constant(np.asarray(a, dtype=numpy_dtype(dtype))) for a in args]
            cts = [tf.constant(np.asarray(c, dtype=numpy_dtype(dtype)))
                   for c in (cotangent if multiple else [cotangent])]
            outs, grads = fn(tensors, cts, tf.constant([seed, 0], dtype=tf.int64))
        arrays = [o.numpy() for o in outs]
        return VjpResult(output=tuple(arrays) if multiple else arrays[0],
                         grads={n: g.numpy() for n, g in zip([n for n in names if n in wrt], grads)})

    def _function(self, module, kw, names, wrt, mode, signature=None):
        tf = self.framework
        op = self.ops()[module]
        native = bool(kw.get(DRAWS_RANDOMNESS))
        autocast = self.autocast_mode

        def run(tensors, cts, seed):
            with tf.GradientTape() as tape:
                sources = [t for t, n in zip(tensors, names) if n in wrt]
                for t in sources:
                    tape.watch(t)
                call_kw = dict(kw, seed=seed) if native else kw  # seed: shape-[2] tensor
                args = _compute_dtype(tf, tensors) if autocast else tensors
                outs, _ = as_list(op(*args, **call_kw))
            if not sources:
                return outs, []
            if autocast:  # the cotangent of a bfloat16 output is bfloat16
                cts = [tf.cast(c, o.dtype) for c, o in zip(cts, outs)]
            grads = tape.gradient(outs, sources, output_gradients=cts,
                                  unconnected_gradients=tf.UnconnectedGradients.ZERO)
            return outs, grads

        if mode == "eager":
            return run
        # One function per input signature, pinned (static shapes, as the ops and Keras
        # layers assume; see compiled_cache.py), kept in a bounded cache.
        key = (module, freeze(kw), names, wrt, signature, autocast)
        return self._compiled.get_or_make(
            key, lambda n: tf.function(own_code(run, f"vjp_{module}_{n}"), jit_compile=True,
                                       input_signature=tensor_specs(tf, signature)))


def _compute_dtype(tf, tensors):
    """What a Keras layer under the ``mixed_bfloat16`` policy does with its float32 inputs
    and variables: casts them to the compute dtype bfloat16 inside the differentiated
    function (the ops here are ``tf.nn`` ops, which the policy itself does not reach), so
    gradients flow back to the float32 values through the casts."""
    return [tf.cast(t, tf.bfloat16) if t.dtype == tf.float32 else t for t in tensors]
