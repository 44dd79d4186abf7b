"""Separable-Conv-2D reference: a depthwise convolution, then a pointwise (1×1) one.

Source: section 'Linear modules', subsection 'Separable-Conv-2D' of 000_0c41eef9689a3bf9.txt
('SeparableConv-2D' in 001_9eba1572aa0cb554.txt), forward-pass, backward-pass and
parameter-pass. Shapes (channels-first, batched): x (N, C, H, W); w_depthwise
(C·mult, 1, K, K) in torch's grouped layout (a convolution with groups = C), output
channel k·mult + q reading input channel k — TensorFlow's documented depthwise order;
w_pointwise (M, C·mult, 1, 1). The document has mult = 1 (o_{p,i,j} has one channel per
input channel); the depth multiplier is read from w_depthwise's shape. No bias (the
document has none). As in Conv-2D, the document's index form is a true convolution and
the reference computes the correlation (see references/convolution.py).
"""

from __future__ import annotations

import numpy as np

from .convolution import conv_backward, conv_forward

__all__ = ["separable_conv2d"]


def _arrays(x, w1, w2):
    x, w1, w2 = (np.asarray(a, dtype=np.float64) for a in (x, w1, w2))
    if x.ndim != 4 or w1.ndim != 4 or w2.ndim != 4:
        raise ValueError(f"separable_conv2d takes x (N, C, H, W), w_depthwise (C·mult, 1, K, K), "
                         f"w_pointwise (M, C·mult, 1, 1); got {x.shape}, {w1.shape}, {w2.shape}")
    c = x.shape[1]
    if w1.shape[1] != 1 or w1.shape[0] % c:
        raise ValueError(f"w_depthwise must be (C·mult, 1, K, K) with C = {c}, got {w1.shape}")
    if w2.shape[1:] != (w1.shape[0], 1, 1):
        raise ValueError(f"w_pointwise must be (M, {w1.shape[0]}, 1, 1), got {w2.shape}")
    return x, w1, w2


def separable_conv2d(x, w_depthwise, w_pointwise, *, kernel=None, stride=1, padding=0,
                     dilation=1, same_split="end"):
    """As written (000/001, 'Separable-Conv-2D', forward-pass):
    o_{p,i,j} = Σ_{i'}^K Σ_{j'}^K x_{p,i−i',j−j'} · w^1_{p,i',j'};  y_{s,i,j} = Σ_p^C o_{p,i,j} · w^2_{s,p}.
    Computed: o = depthwise correlation of x with w^1 (groups = C; stride, padding,
    dilation apply here), y = o contracted with w^2 over the C·mult channels."""
    x, w1, w2 = _arrays(x, w_depthwise, w_pointwise)
    attrs = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=x.shape[1], same_split=same_split)
    o = conv_forward(x, w1, None, 2, name="separable_conv2d", **attrs)
    return conv_forward(o, w2, None, 2, name="separable_conv2d")


def separable_conv2d_vjp(cotangent, x, w_depthwise, w_pointwise, *, kernel=None, stride=1,
                         padding=0, dilation=1, same_split="end"):
    """As written (000/001, 'Separable-Conv-2D', backward-pass and parameter-pass):
    dL/dx_{p,i,j} = Σ_s^M w^2_{s,p} Σ_{i'}^H Σ_{j'}^H w^{1,T}_{s,p,i−i',j−j'} · dL/dy_{s,i',j'};
    dL/dw^1_{p,i,j} = Σ_s^M w^2_{s,p} Σ_{i'}^H Σ_{j'}^H x^T_{p,i−i',j−j'} · dL/dy_{s,i',j'};
    dL/dw^2_{s,p} = Σ_i^H Σ_j^H dL/dy_{s,i,j} · o_{p,i,j}.
    The backward row indexes the depthwise kernel as w^{1,T}_{s,p,...} although w^1 has no
    output-channel index s (it is w^1_{p,...}, as in the forward and the parameter pass).
    Computed by the chain rule through the two stages: dL/do_{p} = Σ_s w^2_{s,p} dL/dy_s,
    then the depthwise adjoints of the correlation (Conv-2D with groups = C), summed over
    the batch."""
    x, w1, w2 = _arrays(x, w_depthwise, w_pointwise)
    attrs = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=x.shape[1], same_split=same_split)
    o = conv_forward(x, w1, None, 2, name="separable_conv2d", **attrs)
    do, dw2, _ = conv_backward(cotangent, o, w2, 2, name="separable_conv2d")
    dx, dw1, _ = conv_backward(do, x, w1, 2, name="separable_conv2d", **attrs)
    return dx, dw1, dw2
