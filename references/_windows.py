"""Pooling windows over 1, 2 or 3 spatial axes (a helper of ``references.pooling``).

Not a family file (the leading underscore keeps it out of ``REFERENCES``). The input is
channels-first, ``(N, C, *spatial)``; ``padding`` pads every spatial axis by the same
amount on both sides with ``fill`` (−inf for max pooling, 0 for average pooling). Output
size per axis: ``(size + 2·pad − kernel) // stride + 1`` — the output-size formula of 001,
section 'Conv-2D' (H_out = (H_in + 2·padding − dilation·(kernel_size − 1) − 1)/stride + 1),
with dilation 1 and the division floored. Everything is vectorised: windows come from
``sliding_window_view``; the backward scatter loops over the kernel taps only.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}


def check_rule(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def ints(name: str, value, n: int, minimum: int) -> tuple[int, ...]:
    """An int or an ``n``-tuple of ints, each >= ``minimum``, as an ``n``-tuple."""
    items = (value,) * n if np.ndim(value) == 0 else tuple(value)
    kind = "an int" if n == 1 else f"an int or {n} ints"
    if len(items) != n:
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    try:
        if any(isinstance(v, (bool, np.bool_)) for v in items):
            raise TypeError
        out = tuple(operator.index(v) for v in items)
    except TypeError:
        raise ValueError(f"{name} must be {kind}, got {value!r}") from None
    if min(out) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return out


@dataclass(frozen=True)
class Windows:
    """The pooling windows of one input: ``win`` has shape (N, C, *out, *kernel)."""

    shape: tuple[int, ...]  # the unpadded input's shape
    padded_shape: tuple[int, ...]
    win: np.ndarray
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]

    @property
    def out_shape(self) -> tuple[int, ...]:
        return self.win.shape[:2 + len(self.kernel)]

    @property
    def tap_axes(self) -> tuple[int, ...]:
        return tuple(range(-len(self.kernel), 0))

    def check_cotangent(self, g) -> np.ndarray:
        g = np.asarray(g, dtype=np.float64)
        if g.shape != self.out_shape:
            raise ValueError(f"cotangent shape {g.shape} != output shape {self.out_shape}")
        return g

    def per_window(self, values: np.ndarray) -> np.ndarray:
        """(N, C, *out) values broadcast to every tap of their window."""
        return np.broadcast_to(values[(Ellipsis,) + (None,) * len(self.kernel)], self.win.shape)

    def taps(self):
        """(tap, the (N, C, *out) view of the input element each window holds at that tap),
        for every tap of the kernel in row-major order. Reducing tap by tap over these
        views is several times faster than reducing ``win`` over its short trailing axes."""
        for tap in np.ndindex(*self.kernel):
            yield tap, self.win[(Ellipsis,) + tap]

    def scatter(self, per_tap) -> np.ndarray:
        """dL/dx from per-window-tap contributions — an array (N, C, *out, *kernel), or a
        function of the tap giving its (N, C, *out) share: overlapping windows accumulate,
        the padding's share is dropped, positions no window covers get 0."""
        share = per_tap if callable(per_tap) else (lambda tap: per_tap[(Ellipsis,) + tap])
        out = self.out_shape[2:]
        dxp = np.zeros(self.padded_shape, dtype=np.float64)
        for tap in np.ndindex(*self.kernel):
            idx = tuple(slice(a, a + s * (o - 1) + 1, s) for a, s, o in zip(tap, self.stride, out))
            dxp[(slice(None), slice(None)) + idx] += share(tap)
        crop = tuple(slice(p, p + n) for p, n in zip(self.padding, self.shape[2:]))
        return dxp[(slice(None), slice(None)) + crop]


def windows(x, nd: int, kernel, stride, padding, fill: float) -> Windows:
    """float64 windows of ``x`` (N, C, *spatial with ``nd`` axes); ``stride`` None = kernel."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != nd + 2:
        raise ValueError(f"{nd}-d pooling input must be (N, C, {SPATIAL[nd]}), got shape {x.shape}")
    k = ints("kernel", kernel, nd, 1)
    s = k if stride is None else ints("stride", stride, nd, 1)
    p = ints("padding", padding, nd, 0)
    if any(pi >= ki for pi, ki in zip(p, k)):
        raise ValueError(f"padding {p} must be smaller than the kernel {k} on every axis "
                         "(else a window can hold padding only)")
    sizes = x.shape[2:]
    if any(ki > n + 2 * pi for ki, n, pi in zip(k, sizes, p)):
        raise ValueError(f"kernel {k} is larger than the padded input {sizes} + 2·{p}")
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple((pi, pi) for pi in p), constant_values=fill)
    win = sliding_window_view(xp, k, axis=tuple(range(2, nd + 2)))
    win = win[(slice(None), slice(None)) + tuple(slice(None, None, si) for si in s)]
    return Windows(x.shape, xp.shape, win, k, s, p)


def valid_counts(w: Windows) -> np.ndarray:
    """How many input (non-padding) elements each window holds, shape (*out)."""
    ones = np.pad(np.ones(w.shape[2:]), tuple((p, p) for p in w.padding))
    cover = sliding_window_view(ones, w.kernel)[tuple(slice(None, None, s) for s in w.stride)]
    return cover.sum(axis=w.tap_axes)
