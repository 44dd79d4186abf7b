"""tf ops for the linear modules (000/001, 'Linear modules': FC, Conv-1D/2D/3D,
Separable-Conv-2D).

TensorFlow's CPU convolutions are channels-last with HWIO weights: inputs go NC* -> N*C,
weights (O, I/groups, *K) -> (*K, I/groups, O) and outputs back, all through
:mod:`adapters.layout` inside the differentiated function. The bias is ``tf.nn.bias_add``
(as Keras' Conv and Dense layers add it); FC is ``tf.linalg.matmul`` + ``bias_add``.

Ops: ``tf.nn.conv2d`` / ``tf.nn.conv3d``; a depthwise convolution (groups = C) is
``tf.nn.depthwise_conv2d``; a dilated one with stride 1 is ``tf.nn.convolution`` (TF's N-d
entry point, which Keras' Conv layers call and which reaches dilation through
space_to_batch, the route whose gradient TF's CPU kernels support). Conv-1D runs as
Conv-2D on (N, 1, L, C), which is how ``tf.nn.conv1d`` itself is built (and which lets it
take explicit paddings). TF bug found here (2.21): ``tf.nn.convolution`` on a 5-D input
without ``data_format`` leaves Conv3D's data_format attribute None, and its eager
gradient (GradientTape) then dies in ``_Conv3DGrad`` with "AttributeError: 'NoneType'
object has no attribute 'decode'" (graph mode and an explicit data_format="NDHWC" work);
the adapter passes data_format explicitly.
Paddings: 'same' / 'valid' go to TF as 'SAME' / 'VALID' (TF's own SAME rule is what is
measured), an all-zero integer padding as 'VALID', other integer paddings as explicit
[[0, 0], [lo, hi], ..., [0, 0]]; Conv3D takes strings only, so there it is ``tf.pad`` +
VALID and the case is reported as composed.

CPU limits in eager mode (XLA, in compiled mode, runs all of them): the gradient of a
grouped Conv2D (Conv2DBackpropInput) may raise "Gradients for grouped convolutions are not
supported on CPU", and a strided dilated one "Current CPU implementations do not yet
support dilation rates larger than 1"; whether they do depends on the build, the CPU,
the dtype and the padding (with TF 2.21 both were seen to work in float32 with
'SAME'/'VALID' on one machine and to fail on another), so they are probed per process
(``_probe``). Conv3D rejects groups > 1 ("input and filter must have the same depth") and
dilation > 1 outside space_to_batch ("only supports dilated rates of 1") everywhere.
Those cases raise ``Unsupported`` (a skip quoting the limit) on CPU in eager mode.

The channels-first form (``data_format="channels_first"``, ``adapters/tensorflow/forms.py``)
calls the same ops with ``data_format="NCHW"`` / ``"NCDHW"`` on the channels-first arrays
(no transposes; weights HWIO as before; bias through ``bias_add(..., "NC...")``), where
this CPU build computes them and their gradients (``_nchw_probe``; a skip in TensorFlow's
words where not).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from .. import layout
from ..base import Unsupported
from .gradient_probe import missing_gradient

COMPOSED = frozenset()


def _explicit(padding) -> bool:
    """A non-zero integer padding (an all-zero one is sent as 'VALID')."""
    if isinstance(padding, str):
        return False
    n = len(padding) if isinstance(padding, (tuple, list)) else 1
    return any(lo or hi for lo, hi in layout.explicit_pads(padding, n))


def composed(module: str, attrs: Mapping[str, Any]) -> bool | None:
    if module == "conv3d":
        return _explicit(attrs.get("padding", 0))
    return None


def _cpu_limit(tf, n, dtype, groups, depthwise, strided_dilation, explicit) -> str | None:
    """Why TF's CPU kernels (eager) cannot run this convolution and its gradient, or None.

    Conv3D's limits hold for every build. The Conv2D gradient limits (grouped, or strided
    and dilated) depend on the build and the CPU (they pass through oneDNN where it has a
    kernel): they are measured once per process, dtype and padding kind on a tiny
    convolution (``_probe``), and the skip quotes TensorFlow's own error."""
    if groups > 1 and not depthwise:
        if n == 3:
            return "tf: CPU Conv3D rejects groups > 1 ('input and filter must have the same depth')"
        return _probe(tf, "grouped", dtype, explicit)
    if strided_dilation:
        if n == 3:
            return "tf: CPU Conv3D supports dilation > 1 only through space_to_batch, i.e. stride 1"
        return _probe(tf, "strided-dilated", dtype, explicit)
    return None


_PROBED: dict[tuple, str | None] = {}


def _probe(tf, kind: str, dtype: str, explicit: bool) -> str | None:
    """None when this process's CPU kernels differentiate a tiny Conv2D of ``kind``
    ('grouped': 2 groups; 'strided-dilated': stride 2, dilation 2) in ``dtype``, else
    TensorFlow's error, as a skip reason."""
    key = (kind, dtype, explicit)
    if key not in _PROBED:
        grouped = kind == "grouped"
        x = tf.ones((1, 7, 7, 2), dtype=dtype)
        w = tf.ones((3, 3, 1 if grouped else 2, 2), dtype=dtype)
        pad = [[0, 0], [1, 1], [1, 1], [0, 0]] if explicit else "VALID"
        stride, dilation = ((1, 1), (1, 1)) if grouped else ((2, 2), (2, 2))
        try:
            with tf.device("/CPU:0"), tf.GradientTape() as tape:
                tape.watch([x, w])
                y = tf.nn.conv2d(x, w, (1, *stride, 1), pad, dilations=(1, *dilation, 1))
            tape.gradient(y, [x, w])
            _PROBED[key] = None
        except tf.errors.OpError as exc:
            text = re.sub(r"\{\{[^}]*\}\}\s*", "", str(exc.message)).strip()
            first = text.splitlines()[0][:160] if text else type(exc).__name__
            _PROBED[key] = (f"tf: this CPU build has no {kind} Conv2D gradient in {dtype}"
                            f"{' with an explicit padding' if explicit else ''} "
                            f"(measured on a 7x7 probe: {first!r})")
    return _PROBED[key]


def _nchw_probe(tf, n: int, dtype: str) -> str | None:
    """None when this process differentiates a tiny channels-first Conv2D/Conv3D in
    ``dtype`` eagerly, else TensorFlow's error as a skip reason."""
    conv = tf.nn.conv2d if n == 2 else tf.nn.conv3d
    x = tf.ones((1, 2) + (5,) * n, dtype=dtype)
    w = tf.ones((3,) * n + (2, 2), dtype=dtype)
    return missing_gradient(
        tf, ("conv", "channels_first", n, dtype), f"channels-first Conv{n}D", dtype, [x, w],
        lambda x, w: conv(x, w, (1,) * (n + 2), "VALID", data_format="NCHW" if n == 2 else "NCDHW"))


# tf.nn.depthwise_conv2d documents strides of 1 whenever a rate (dilation) is above 1, yet
# with both it only warns and computes something else (known case
# tf-depthwise-strided-dilated): the adapter does not call it there.
DEPTHWISE_STRIDED_DILATED = (
    "tf: tf.nn.depthwise_conv2d requires strides of 1 when the dilation rate is above 1 "
    "('When dilation rate is greater than 1, then all values of strides must be 1'); it "
    "warns and computes a different convolution (known case tf-depthwise-strided-dilated)")


def _tuple(value, n):
    return layout.pair(value, n)


def build(tf) -> dict[str, Any]:
    def transpose(a, perm):
        return tf.transpose(a, perm)

    def tf_padding(padding, n):
        if isinstance(padding, str):
            return padding.upper()
        return layout.channels_last_pads(padding, n) if _explicit(padding) else "VALID"

    def biased(y, b, bias):  # y channels-last
        return tf.nn.bias_add(y, b) if bias else y

    def conv_nd(n, x, w, b, stride, padding, dilation, groups, bias, data_format=None):
        if data_format == "channels_first":
            return conv_nchw(n, x, w, b, stride, padding, dilation, groups, bias)
        s, d = _tuple(stride, n), _tuple(dilation, n)
        depthwise = groups > 1 and groups == x.shape[1] and n <= 2
        strided_dilation = max(s) > 1 and max(d) > 1 and not depthwise
        explicit = _explicit(padding)
        if depthwise and max(s) > 1 and max(d) > 1:
            raise Unsupported(DEPTHWISE_STRIDED_DILATED)
        if tf.executing_eagerly() and "CPU" in x.device:
            reason = _cpu_limit(tf, n, x.dtype.name, groups, depthwise, strided_dilation, explicit)
            if reason:
                raise Unsupported(reason)
        pad = (padding.upper() if isinstance(padding, str) else
               layout.channels_last_pads(padding, n) if explicit else "VALID")
        xl = layout.to_nhwc(x, transpose, ndim=n + 2)
        wl = layout.to_hwio(w, transpose, ndim=n + 2)
        if n == 1:  # tf.nn.conv1d's own route: (N, 1, L, C) through the 2-d op
            xl, wl, s, d = tf.expand_dims(xl, 1), tf.expand_dims(wl, 0), (1, *s), (1, *d)
            pad = pad if isinstance(pad, str) else [[0, 0], [0, 0], *pad[1:]]
        if n == 3 and explicit:
            xl, pad = tf.pad(xl, pad), "VALID"
        if depthwise:
            kh, kw, _, cm = wl.shape  # HWIO (KH, KW, 1, C·mult) -> (KH, KW, C, mult)
            wl = tf.reshape(wl, layout.depthwise_hwcm_shape((cm, 1, kh, kw), x.shape[1]))
            y = tf.nn.depthwise_conv2d(xl, wl, (1, *s, 1), pad, dilations=d)
        elif max(d) > 1 and max(s) == 1:  # data_format must be given: see the module docstring
            y = tf.nn.convolution(xl, wl, strides=s, padding=pad, dilations=d,
                                  data_format="NHWC" if len(s) == 2 else "NDHWC")
        else:
            conv = tf.nn.conv2d if len(s) == 2 else tf.nn.conv3d
            y = conv(xl, wl, (1, *s, 1), pad, dilations=(1, *d, 1))
        if n == 1:
            y = y[:, 0]
        return layout.to_nchw(biased(y, b, bias), transpose, ndim=n + 2)

    def conv_nchw(n, x, w, b, stride, padding, dilation, groups, bias):
        """The channels-first data format: the arrays as they are, ``data_format`` NC*."""
        s, d = _tuple(stride, n), _tuple(dilation, n)
        depthwise = groups > 1 and groups == x.shape[1] and n <= 2
        explicit = _explicit(padding)
        if depthwise and max(s) > 1 and max(d) > 1:
            raise Unsupported(DEPTHWISE_STRIDED_DILATED)
        fmt = "NCHW" if n == 2 else "NCDHW"
        if tf.executing_eagerly() and "CPU" in x.device:
            reason = (_cpu_limit(tf, n, x.dtype.name, groups, depthwise,
                                 max(s) > 1 and max(d) > 1 and not depthwise, explicit)
                      or _nchw_probe(tf, n, x.dtype.name))
            if reason:
                raise Unsupported(reason)
        pad = (padding.upper() if isinstance(padding, str) else
               [[0, 0], [0, 0], *layout.channels_last_pads(padding, n)[1:-1]] if explicit
               else "VALID")
        if n == 3 and explicit:
            x, pad = tf.pad(x, pad), "VALID"
        wl = layout.to_hwio(w, transpose, ndim=n + 2)
        if depthwise:
            kh, kw, _, cm = wl.shape
            wl = tf.reshape(wl, layout.depthwise_hwcm_shape((cm, 1, kh, kw), x.shape[1]))
            y = tf.nn.depthwise_conv2d(x, wl, (1, 1, *s), pad, dilations=d, data_format=fmt)
        elif max(d) > 1 and max(s) == 1:
            y = tf.nn.convolution(x, wl, strides=s, padding=pad, dilations=d, data_format=fmt)
        else:
            conv = tf.nn.conv2d if n == 2 else tf.nn.conv3d
            y = conv(x, wl, (1, 1, *s), pad, dilations=(1, 1, *d), data_format=fmt)
        return tf.nn.bias_add(y, b, data_format="NC...") if bias else y

    def conv(n):
        def op(x, w, b, *, kernel=None, stride=1, padding=0, dilation=1, groups=1, bias=True,
               data_format=None):
            if data_format == "channels_first" and n == 1:
                raise Unsupported("tf: Conv1D's channels-first form is not declared (3-D)")
            return conv_nd(n, x, w, b, stride, padding, dilation, groups, bias, data_format)

        return op

    def separable_conv2d(x, w_depthwise, w_pointwise, *, kernel=None, stride=1, padding=0,
                         dilation=1):
        c = x.shape[1]
        depthwise = tf.reshape(layout.to_hwio(w_depthwise, transpose, ndim=4),
                               layout.depthwise_hwcm_shape(tuple(w_depthwise.shape), c))
        pointwise = layout.to_hwio(w_pointwise, transpose, ndim=4)
        s = _tuple(stride, 2)
        y = tf.nn.separable_conv2d(layout.to_nhwc(x, transpose, ndim=4), depthwise, pointwise,
                                   (1, *s, 1), tf_padding(padding, 2),
                                   dilations=_tuple(dilation, 2))
        return layout.to_nchw(y, transpose, ndim=4)

    def linear(x, w, b, *, bias=True):
        return biased(tf.linalg.matmul(x, w, transpose_b=True), b, bias)

    return {
        "linear": linear,
        "conv1d": conv(1),
        "conv2d": conv(2),
        "conv3d": conv(3),
        "separable_conv2d": separable_conv2d,
    }
