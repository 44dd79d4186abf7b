"""Convolution references: Conv-1D, Conv-2D, Conv-3D (one N-d implementation).

Source: section 'Linear modules', subsections 'Conv-1D', 'Conv-2D', 'Conv-3D' of
000_0c41eef9689a3bf9.txt and 001_9eba1572aa0cb554.txt (forward-pass, backward-pass,
parameter-pass); stride, padding, dilation, groups and the output size
H_out = (H_in + 2·padding − dilation·(kernel_size − 1) − 1)/stride + 1 from the prose of
001 'Conv-2D'. Channels-first and batched: x (N, C, *S), w (M, C/groups, *K), b (M,),
y (N, M, *O). Vectorised: the patches of x (im2col, gathered tap by tap) meet the
weights in one batched matmul (over groups) per pass; the backward scatter (col2im)
loops over the kernel taps only.

Correlation, not convolution. The document's index form is a true convolution:
    y_{s,i} = Σ_p^C Σ_{i'}^K x_{p,i−i'} · w_{s,p,i'}            (Conv-1D, forward-pass)
while 001's own prose ('Conv-2D': "they are actually not convolutional at all ... the
proper name ... should in fact be auto-correlation"), CONVENTIONS.md and every framework
compute the cross-correlation. The reference computes the correlation,
    y_{n,s,o} = b_s + Σ_{p in group(s)} Σ_{k} x_{n,p,U·o + d·k − pad_lo} · w_{s,p,k}
(U stride, d dilation, out-of-range x reading 0): the quantity the frameworks are asked
to compute. The as-written form equals this one with the kernel rotated 180°
(w_{s,p,k} → w_{s,p,K−1−k}); that difference is a document erratum, not a framework
finding. The as-written backward ("w^T: rotate 180°") and parameter pass are the
adjoints of the as-written forward when "rotate 180°" is read as index negation
(a^T_m = a_{−m}); the reference's are the adjoints of the correlation.

Invalid attributes raise ValueError here, before any framework runs.
"""

from __future__ import annotations

import itertools
import math
import operator
from typing import NamedTuple

import numpy as np

__all__ = ["conv1d", "conv2d", "conv3d"]

SAME_SPLITS = ("end", "start")
PADDINGS = ("valid", "same")


class Geometry(NamedTuple):
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]  # (before, after) per spatial axis
    kernel: tuple[int, ...]
    out: tuple[int, ...]
    groups: int


def _int(name, value, minimum):
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be an int, got {value!r}")
    try:
        v = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an int, got {value!r}") from None
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return v


def _ints(name, value, n, minimum):
    """An int or n ints, each >= minimum, as an n-tuple."""
    items = (value,) * n if np.ndim(value) == 0 and not isinstance(value, str) else tuple(value)
    if len(items) != n:
        raise ValueError(f"{name} must be an int or {n} ints, got {value!r}")
    return tuple(_int(name, v, minimum) for v in items)


def _pads(padding, size, kernel, stride, dilation, same_split):
    """(before, after) per axis. 'same': out = ceil(S/U), total = max((out − 1)·U +
    d·(K − 1) + 1 − S, 0) (TensorFlow's documented SAME rule; for U = 1 it is d·(K − 1),
    torch's); an odd total puts the extra element at the end ("end") or start ("start")."""
    n = len(size)
    if isinstance(padding, str):
        if padding not in PADDINGS:
            raise ValueError(f"unknown padding {padding!r}; expected an int, {n} ints, "
                             f"{n} (before, after) pairs, 'valid' or 'same'")
        if padding == "valid":
            return ((0, 0),) * n
        pads = []
        for s, k, u, d in zip(size, kernel, stride, dilation):
            total = max((-(-s // u) - 1) * u + d * (k - 1) + 1 - s, 0)
            before = total // 2 if same_split == "end" else total - total // 2
            pads.append((before, total - before))
        return tuple(pads)
    if np.ndim(padding) == 0:
        p = _int("padding", padding, 0)
        return ((p, p),) * n
    items = tuple(padding)
    if len(items) != n:
        raise ValueError(f"padding must be an int, {n} ints or {n} (before, after) pairs, "
                         f"got {padding!r}")
    if all(np.ndim(p) == 0 for p in items):
        return tuple((p, p) for p in _ints("padding", items, n, 0))
    return tuple(_ints("padding", p, 2, 0) for p in items)


def geometry(x_shape, w_shape, n, *, kernel=None, stride=1, padding=0, dilation=1, groups=1,
             same_split="end", name="conv"):
    """Check the shapes and attributes of an n-d convolution; its geometry."""
    if same_split not in SAME_SPLITS:
        raise ValueError(f"same_split must be one of {SAME_SPLITS}, got {same_split!r}")
    if len(x_shape) != n + 2 or len(w_shape) != n + 2:
        raise ValueError(f"{name} takes x (N, C, {n} spatial) and w (M, C/groups, {n} kernel); "
                         f"got shapes {tuple(x_shape)} and {tuple(w_shape)}")
    g = _int("groups", groups, 1)
    c, m, cg = x_shape[1], w_shape[0], w_shape[1]
    if c % g or m % g:
        raise ValueError(f"groups={g} must divide the input channels ({c}) and the output "
                         f"channels ({m})")
    if cg * g != c:
        raise ValueError(f"w has {cg} input channels per group; x has {c} channels in {g} "
                         f"groups ({c // g} per group)")
    k = tuple(int(v) for v in w_shape[2:])
    if min(k, default=1) < 1:
        raise ValueError(f"kernel sizes must be >= 1, got {k}")
    if kernel is not None and _ints("kernel", kernel, n, 1) != k:
        raise ValueError(f"kernel={kernel!r} does not match the weight's kernel {k}")
    u = _ints("stride", stride, n, 1)
    d = _ints("dilation", dilation, n, 1)
    size = tuple(int(v) for v in x_shape[2:])
    pads = _pads(padding, size, k, u, d, same_split)
    out = []
    for axis, (s, (lo, hi), kk, uu, dd) in enumerate(zip(size, pads, k, u, d)):
        extent, padded = dd * (kk - 1) + 1, s + lo + hi
        if extent > padded:
            raise ValueError(f"output size along spatial axis {axis} would be "
                             f"{(padded - extent) // uu + 1} < 1: the dilated kernel extent "
                             f"{extent} exceeds the padded input size {padded}")
        out.append((padded - extent) // uu + 1)
    return Geometry(u, d, pads, k, tuple(out), g)


def _windows(geo):
    """(tap, the slices of the padded input that tap reads, one per spatial axis)."""
    for tap in itertools.product(*(range(k) for k in geo.kernel)):
        yield tap, tuple(slice(t * d, t * d + u * (o - 1) + 1, u)
                         for t, d, u, o in zip(tap, geo.dilation, geo.stride, geo.out))


def _columns(x, geo):
    """im2col: (G, Cg·ΠK, N·ΠO); column (n, o) holds the window of x read by output o."""
    xp = np.pad(x, ((0, 0), (0, 0), *geo.pads))
    nb, c = x.shape[:2]
    xt = xp.transpose(1, 0, *range(2, xp.ndim))  # (C, N, *P)
    cols = np.empty((c, *geo.kernel, nb, *geo.out))
    for tap, window in _windows(geo):
        cols[(slice(None), *tap)] = xt[(slice(None), slice(None), *window)]
    return cols.reshape(geo.groups, -1, nb * math.prod(geo.out))


def _channels_first(a, nb, out):
    """(G, M/G, N·ΠO) -> (N, M, *O)."""
    a = a.reshape(-1, nb, *out)
    return np.ascontiguousarray(a.transpose(1, 0, *range(2, a.ndim)))


def _channels_major(a, g):
    """(N, M, *O) -> (G, M/G, N·ΠO)."""
    a = np.ascontiguousarray(a.transpose(1, 0, *range(2, a.ndim)))
    return a.reshape(g, a.shape[0] // g, -1)


def _arrays(x, w, b):
    return tuple(np.asarray(a, dtype=np.float64) for a in (x, w, b))


def _bias_shape(b, m, bias):
    if bias not in (True, False):
        raise ValueError(f"bias must be True or False, got {bias!r}")
    if b.shape != (m,):
        raise ValueError(f"b must have shape ({m},), got {b.shape}")


def conv_forward(x, w, b, n, *, bias=True, name="conv", **attrs):
    """The n-d correlation (module docstring) with optional bias; ``b`` may be None."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    geo = geometry(x.shape, w.shape, n, name=name, **attrs)
    g = geo.groups
    y = _channels_first(w.reshape(g, w.shape[0] // g, -1) @ _columns(x, geo), x.shape[0], geo.out)
    if b is not None and bias:
        y += np.asarray(b, dtype=np.float64).reshape(-1, *(1,) * n)
    return y


def conv_backward(cotangent, x, w, n, *, name="conv", **attrs):
    """(dL/dx, dL/dw, Σ dL/dy over batch and space) of the correlation (no bias term)."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    geo = geometry(x.shape, w.shape, n, name=name, **attrs)
    expected = (x.shape[0], w.shape[0], *geo.out)
    gy = np.asarray(cotangent, dtype=np.float64)
    if gy.shape != expected:
        raise ValueError(f"cotangent shape {gy.shape} != output shape {expected}")
    g, nb, c = geo.groups, x.shape[0], x.shape[1]
    gt = _channels_major(gy, g)  # (G, Mg, N·ΠO)
    dw = (gt @ _columns(x, geo).transpose(0, 2, 1)).reshape(w.shape)
    dcols = w.reshape(g, w.shape[0] // g, -1).transpose(0, 2, 1) @ gt  # (G, Cg·ΠK, N·ΠO)
    dcols = dcols.reshape(c, *geo.kernel, nb, *geo.out)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], geo.pads))
    dxt = np.zeros((c, nb, *padded))  # (C, N, *P): col2im, tap by tap
    for tap, window in _windows(geo):
        dxt[(slice(None), slice(None), *window)] += dcols[(slice(None), *tap)]
    crop = tuple(slice(lo, lo + s) for (lo, _), s in zip(geo.pads, x.shape[2:]))
    dx = np.ascontiguousarray(dxt[(slice(None), slice(None), *crop)].transpose(1, 0, *range(2, 2 + n)))
    return dx, dw, gy.sum(axis=(0, *range(2, 2 + n)))


def _conv(n, name, x, w, b, bias, attrs):
    x, w, b = _arrays(x, w, b)
    _bias_shape(b, w.shape[0], bias)
    return conv_forward(x, w, b, n, bias=bias, name=name, **attrs)


def _conv_vjp(n, name, cotangent, x, w, b, bias, attrs):
    x, w, b = _arrays(x, w, b)
    _bias_shape(b, w.shape[0], bias)
    dx, dw, db = conv_backward(cotangent, x, w, n, name=name, **attrs)
    return dx, dw, db if bias else np.zeros_like(b)


def conv1d(x, w, b, *, kernel=None, stride=1, padding=0, dilation=1, groups=1, bias=True,
           same_split="end"):
    """Conv-1D forward (000/001, 'Conv-1D', forward-pass), as written:
    y_{s,i} = Σ_p^C Σ_{i'}^K x_{p,i−i'} · w_{s,p,i'} (a true convolution; the reference
    computes the correlation — module docstring). ``bias=False``: ``b`` is ignored (its
    gradient is 0). ``padding``: int, one int, ((before, after),), 'valid' or 'same'
    (``same_split`` places an odd total). Shapes x (N, C, L), w (M, C/groups, K)."""
    attrs = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=groups, same_split=same_split)
    return _conv(1, "conv1d", x, w, b, bias, attrs)


def conv1d_vjp(cotangent, x, w, b, *, kernel=None, stride=1, padding=0, dilation=1, groups=1,
               bias=True, same_split="end"):
    """Conv-1D backward and parameter pass (000/001, 'Conv-1D'), as written:
    dL/dx_{p,i} = Σ_s^M Σ_{i'}^H w^T_{s,p,i−i'} · dL/dy_{s,i'} and
    dL/dw_{s,p,i} = Σ_{i'}^H x^T_{p,i−i'} · dL/dy_{s,i'} ("T: rotate 180°"). Here the
    adjoints of the correlation: dL/dx scatters dL/dy through every tap (zero where no
    window reads x, e.g. the stride's ragged border), dL/dw_{s,p,k} = Σ_{n,o} dL/dy_{n,s,o}
    x_{n,p,U·o + d·k − pad}, dL/db_s = Σ_{n,o} dL/dy_{n,s,o} (not in the document, which
    has no bias in the convolution formulas; the FC row's dL/db = dL/dy, summed)."""
    attrs = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=groups, same_split=same_split)
    return _conv_vjp(1, "conv1d", cotangent, x, w, b, bias, attrs)


def conv2d(x, w, b, *, kernel=None, stride=1, padding=0, dilation=1, groups=1, bias=True,
           same_split="end"):
    """Conv-2D forward (000/001, 'Conv-2D', forward-pass), as written:
    y_{s,i,j} = Σ_p^C Σ_{i'}^K Σ_{j'}^K x_{p,i−i',j−j'} · w_{s,p,i',j'} (a true convolution;
    the reference computes the correlation — module docstring). Output size: 001 'Conv-2D'
    H_out = (H_in + 2·padding − dilation·(K − 1) − 1)/stride + 1, read with the floor the
    division needs. Shapes x (N, C, H, W), w (M, C/groups, KH, KW)."""
    attrs = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=groups, same_split=same_split)
    return _conv(2, "conv2d", x, w, b, bias, attrs)


def conv2d_vjp(cotangent, x, w, b, *, kernel=None, stride=1, padding=0, dilation=1, groups=1,
               bias=True, same_split="end"):
    """Conv-2D backward and parameter pass (000/001, 'Conv-2D'), as written:
    dL/dx_{p,i,j} = Σ_s^M Σ_{i'}^H Σ_{j'}^H w^T_{s,p,i−i',j−j'} · dL/dy_{s,i',j'};
    dL/dw_{s,p,i,j} = Σ_{i'}^H Σ_{j'}^H x^T_{p,i−i',j−j'} · dL/dy_{s,i',j'} (the j' sums
    should run to W_out, not H). Computed as the adjoints of the correlation (conv1d_vjp)."""
    attrs = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=groups, same_split=same_split)
    return _conv_vjp(2, "conv2d", cotangent, x, w, b, bias, attrs)


def conv3d(x, w, b, *, kernel=None, stride=1, padding=0, dilation=1, groups=1, bias=True,
           same_split="end"):
    """Conv-3D forward (000/001, 'Conv-3D', forward-pass), as written:
    y_{s,i,j,k} = Σ_p^C Σ_{i'}^K Σ_{j'}^K Σ_{k'}^K x_{p,i−i',j−j',k−k'} · w_{s,p,i',j',k'}
    (computed as the correlation — module docstring). x (N, C, D, H, W), w (M, C/groups,
    KD, KH, KW)."""
    attrs = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=groups, same_split=same_split)
    return _conv(3, "conv3d", x, w, b, bias, attrs)


def conv3d_vjp(cotangent, x, w, b, *, kernel=None, stride=1, padding=0, dilation=1, groups=1,
               bias=True, same_split="end"):
    """Conv-3D backward and parameter pass (000/001, 'Conv-3D'): the 3-d analogues of the
    Conv-2D rows ("w^T", "x^T" rotated 180°); adjoints of the correlation (conv1d_vjp)."""
    attrs = dict(kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                 groups=groups, same_split=same_split)
    return _conv_vjp(3, "conv3d", cotangent, x, w, b, bias, attrs)
