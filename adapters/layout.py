"""Layout helpers: the one place where channels-first <-> channels-last is decided.

The specs and the references are channels-first, ``(N, C, *spatial)`` (NCHW for 2-D).
Frameworks whose kernels want channels-last (TensorFlow's CPU pooling and convolutions
only run NHWC) transpose on the way in and back on the way out, through these helpers,
so that the framework's autodiff pulls the cotangent back through the same transposes.

No framework is imported here: the caller passes its own ``transpose(x, perm)``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

Transpose = Callable[[Any, tuple[int, ...]], Any]


def _numpy_transpose(x: Any, perm: tuple[int, ...]) -> Any:
    return np.transpose(x, perm)


def to_channels_last_perm(ndim: int) -> tuple[int, ...]:
    """Permutation (N, C, *spatial) -> (N, *spatial, C); (0, 2, 3, 1) for 4-D."""
    if ndim < 3:
        raise ValueError(f"a channels-first array has at least 3 axes, got {ndim}")
    return (0, *range(2, ndim), 1)


def to_channels_first_perm(ndim: int) -> tuple[int, ...]:
    """Permutation (N, *spatial, C) -> (N, C, *spatial); (0, 3, 1, 2) for 4-D."""
    if ndim < 3:
        raise ValueError(f"a channels-last array has at least 3 axes, got {ndim}")
    return (0, ndim - 1, *range(1, ndim - 1))


NHWC_TO_NCHW = to_channels_first_perm(4)


def to_nhwc(x: Any, transpose: Transpose = _numpy_transpose, ndim: int | None = None) -> Any:
    """Channels-first -> channels-last (any number of spatial axes)."""
    nd = len(np.shape(x)) if ndim is None else ndim
    return transpose(x, to_channels_last_perm(nd))


def to_nchw(x: Any, transpose: Transpose = _numpy_transpose, ndim: int | None = None) -> Any:
    """Channels-last -> channels-first (any number of spatial axes)."""
    nd = len(np.shape(x)) if ndim is None else ndim
    return transpose(x, to_channels_first_perm(nd))


def pair(value: Any, n: int = 2) -> tuple[int, ...]:
    """A kernel / stride attribute as an ``n``-tuple of ints (an int means all axes)."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    out = tuple(int(v) for v in value)
    if len(out) != n:
        raise ValueError(f"expected an int or {n} ints, got {value!r}")
    return out


# -- convolution weights and paddings (added for the linear family: conv_ops.py) ------------
def oihw_to_hwio_perm(ndim: int) -> tuple[int, ...]:
    """Permutation (O, I, *K) -> (*K, I, O); (2, 3, 1, 0) for 4-D (OIHW -> HWIO)."""
    if ndim < 3:
        raise ValueError(f"a convolution weight has at least 3 axes, got {ndim}")
    return (*range(2, ndim), 1, 0)


def hwio_to_oihw_perm(ndim: int) -> tuple[int, ...]:
    """Permutation (*K, I, O) -> (O, I, *K); (3, 2, 0, 1) for 4-D (HWIO -> OIHW)."""
    if ndim < 3:
        raise ValueError(f"a convolution weight has at least 3 axes, got {ndim}")
    return (ndim - 1, ndim - 2, *range(ndim - 2))


def to_hwio(w: Any, transpose: Transpose = _numpy_transpose, ndim: int | None = None) -> Any:
    """Torch / lax weight layout (O, I/groups, *K) -> TensorFlow's (*K, I/groups, O)."""
    nd = len(np.shape(w)) if ndim is None else ndim
    return transpose(w, oihw_to_hwio_perm(nd))


def depthwise_hwcm_shape(oihw_shape: tuple[int, ...], channels: int) -> tuple[int, ...]:
    """Shape of TensorFlow's depthwise filter [KH, KW, C, mult] for a grouped weight
    (C·mult, 1, KH, KW) (groups = C): output channel k·mult + q of both is filter[.., k, q],
    so the HWIO form (KH, KW, 1, C·mult) reshapes to it without reordering."""
    out, one, *kernel = oihw_shape
    if one != 1 or out % channels:
        raise ValueError(f"a depthwise weight is (C·mult, 1, *K) with C = {channels}, "
                         f"got {tuple(oihw_shape)}")
    return (*kernel, channels, out // channels)


def explicit_pads(padding: Any, n: int) -> tuple[tuple[int, int], ...]:
    """An integer convolution padding (int, n ints, or n (before, after) pairs) as n pairs."""
    if isinstance(padding, (int, np.integer)):
        return ((int(padding), int(padding)),) * n
    items = tuple(padding)
    if len(items) != n:
        raise ValueError(f"expected an int, {n} ints or {n} pairs, got {padding!r}")
    return tuple((int(p), int(p)) if isinstance(p, (int, np.integer)) else
                 (int(p[0]), int(p[1])) for p in items)


def channels_last_pads(padding: Any, n: int) -> list[list[int]]:
    """Explicit paddings for an (N, *spatial, C) tensor: [[0, 0], *pairs, [0, 0]]."""
    return [[0, 0], *([lo, hi] for lo, hi in explicit_pads(padding, n)), [0, 0]]
