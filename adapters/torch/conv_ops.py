"""torch ops for the linear modules (000/001, 'Linear modules': FC, Conv-1D/2D/3D,
Separable-Conv-2D).

``F.linear`` and ``F.conv{1,2,3}d`` are native and channels-first, with torch's weight
layout (O, I/groups, *K) — the canonical one. Paddings go to torch as given: an int, one
int per axis, 'valid' or 'same' (torch's own 'same' rule is what is measured). torch has
no separable convolution op: it is composed of a depthwise ``F.conv2d`` (groups = C) and
a 1×1 ``F.conv2d``, as the 001 'SeparableConv-2D' snippet builds it.
"""

from __future__ import annotations

from typing import Any, Mapping

COMPOSED = frozenset({"separable_conv2d"})

_CONVS = ("conv1d", "conv2d", "conv3d", "separable_conv2d")


def _is_pairs(padding) -> bool:
    return isinstance(padding, (tuple, list)) and any(isinstance(p, (tuple, list)) for p in padding)


def _strided(value) -> bool:
    return any(v != 1 for v in ((value,) if isinstance(value, int) else value))


def unsupported(module: str, attrs: Mapping[str, Any]) -> str | None:
    if module not in _CONVS:
        return None
    padding, stride = attrs.get("padding", 0), attrs.get("stride", 1)
    if padding == "same" and _strided(stride):
        return (f"torch: padding='same' is not supported for strided convolutions "
                f"(stride={stride!r}; F.{module.replace('separable_', '')} raises)")
    if _is_pairs(padding):
        return "torch: F.conv*d takes symmetric paddings only (no (before, after) pairs)"
    return None


def build(torch) -> dict[str, Any]:
    F = torch.nn.functional

    def conv(fn):
        def op(x, w, b, *, kernel=None, stride=1, padding=0, dilation=1, groups=1, bias=True):
            return fn(x, w, b if bias else None, stride=stride, padding=padding,
                      dilation=dilation, groups=groups)

        return op

    def separable_conv2d(x, w_depthwise, w_pointwise, *, kernel=None, stride=1, padding=0,
                         dilation=1):
        o = F.conv2d(x, w_depthwise, None, stride=stride, padding=padding, dilation=dilation,
                     groups=x.shape[1])
        return F.conv2d(o, w_pointwise)

    return {
        "linear": lambda x, w, b, *, bias=True: F.linear(x, w, b if bias else None),
        "conv1d": conv(F.conv1d),
        "conv2d": conv(F.conv2d),
        "conv3d": conv(F.conv3d),
        "separable_conv2d": separable_conv2d,
    }
