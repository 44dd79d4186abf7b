"""tf ops for the pooling modules (000/001, MaxPooling-2D and AveragePooling-2D rows, and
their derived 1-D / 3-D forms).

TF's CPU pooling kernels are channels-last only: the op transposes NC* -> N*C and back through
:mod:`adapters.layout`, inside the differentiated function. Padding, per (module, attrs):

* none: 'VALID';
* max_pool1d / max_pool2d: TF's explicit paddings (native; the pad never wins the max);
* stride 1 and kernel = 2·pad + 1 on every axis: 'SAME', which then pads exactly ``pad`` on
  both sides (native). For avg-pool TF's 'SAME' divides by the number of input elements in
  the window (the ``exclude_pad`` divisor);
* otherwise (3-D max, avg with other paddings): ``tf.pad`` (−inf for max, 0 for avg) then
  'VALID' — composed (``composed()`` says so); the avg divisor then includes the padding.

TF has no float64 kernel for 3-D pooling (MaxPool3D / AvgPool3D: half, bfloat16, float32),
and XLA (the compiled mode) rejects explicit pooling paddings ("XLA does not support pooling
ops with explicit padding"): those cases are skipped with that reason.

The channels-first form (``data_format="channels_first"``, ``adapters/tensorflow/forms.py``)
pools the channels-first array with ``data_format="NCHW"`` / ``"NCDHW"``, where this CPU
build computes it and its gradient eagerly (``_nchw_probe``: TF 2.21's MaxPoolGrad says
"Default MaxPoolingGradOp only supports NHWC on device type CPU", a skip in those words).
"""

from __future__ import annotations

from typing import Any, Mapping


import numpy as np

from .. import layout
from ..base import Unsupported
from .gradient_probe import missing_gradient

COMPOSED = frozenset()
MODULES = {f"{kind}_pool{nd}d": (kind, nd) for kind in ("max", "avg") for nd in (1, 2, 3)}


def padding_mode(module: str, attrs: Mapping[str, Any]) -> str:
    """'VALID', 'EXPLICIT', 'SAME' or 'PAD' (composed): how TF expresses the padding."""
    kind, nd = MODULES[module]
    k = layout.pair(attrs.get("kernel", 2), nd)
    s = k if attrs.get("stride") is None else layout.pair(attrs["stride"], nd)
    p = layout.pair(attrs.get("padding", 0), nd)
    if not any(p):
        return "VALID"
    if kind == "max" and nd <= 2:
        return "EXPLICIT"
    if all(si == 1 and ki == 2 * pi + 1 for ki, si, pi in zip(k, s, p)):
        return "SAME"
    return "PAD"


def _nchw_probe(tf, kind: str, nd: int, dtype: str) -> str | None:
    """None when this process pools a tiny channels-first array and differentiates it
    eagerly in ``dtype``, else TensorFlow's error as a skip reason."""
    x = tf.ones((1, 2) + (4,) * nd, dtype=dtype)
    fmt = {1: "NCW", 2: "NCHW", 3: "NCDHW"}[nd]
    pool = getattr(tf.nn, f"{kind}_pool{nd}d")
    return missing_gradient(tf, ("pool", kind, nd, dtype), f"channels-first {kind}_pool{nd}d",
                            dtype, [x], lambda x: pool(x, 2, 2, "VALID", data_format=fmt))


def composed(module: str, attrs: Mapping[str, Any]) -> bool | None:
    if module not in MODULES:
        return None
    return padding_mode(module, attrs) == "PAD"


def build(tf) -> dict[str, Any]:
    def pool(module):
        kind, nd = MODULES[module]
        tf_pool = getattr(tf.nn, f"{kind}_pool{nd}d")

        def op(x, kernel=2, stride=None, padding=0, data_format=None):
            if nd == 3 and x.dtype == tf.float64:
                raise Unsupported(f"tf.nn.{kind}_pool3d has no float64 kernel "
                                  f"({'MaxPool3D' if kind == 'max' else 'AvgPool3D'}: half, "
                                  "bfloat16, float32 only)")
            attrs = {"kernel": kernel, "stride": stride, "padding": padding}
            mode = padding_mode(module, attrs)
            if mode == "EXPLICIT" and tf.inside_function():  # the adapter's compiled mode: XLA
                raise Unsupported("XLA does not support pooling ops with explicit padding "
                                  f"(tf.nn.{kind}_pool{nd}d under jit_compile)")
            k = layout.pair(kernel, nd)
            s = k if stride is None else layout.pair(stride, nd)
            first = data_format == "channels_first"
            if first and tf.executing_eagerly() and "CPU" in x.device:
                reason = _nchw_probe(tf, kind, nd, x.dtype.name)
                if reason:
                    raise Unsupported(reason)
            xl = x if first else layout.to_nhwc(x, tf.transpose, ndim=nd + 2)
            pads = layout.channels_last_pads(padding, nd)
            if first:
                pads = [[0, 0], [0, 0], *pads[1:-1]]
            if mode == "PAD":
                fill = -np.inf if kind == "max" else 0.0
                xl = tf.pad(xl, pads, constant_values=tf.constant(fill, dtype=x.dtype))
            tf_padding = {"VALID": "VALID", "PAD": "VALID", "SAME": "SAME", "EXPLICIT": pads}[mode]
            fmt = {1: "NCW", 2: "NCHW", 3: "NCDHW"}[nd] if first else None
            y = tf_pool(xl, ksize=k, strides=s, padding=tf_padding,
                        **({"data_format": fmt} if first else {}))
            return y if first else layout.to_nchw(y, tf.transpose, ndim=nd + 2)

        return op

    return {module: pool(module) for module in MODULES}
