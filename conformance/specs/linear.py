"""Specs of the linear modules (000/001, section 'Linear modules': FC, Conv-1D, Conv-2D,
Conv-3D, Separable-Conv-2D).

Shapes. Channel counts are derived dims: C = G·Cg and M = G·Mg, with G fixed to the
variant's ``groups`` (so groups always divides both), Cg and Mg drawn. Variants with
groups >= 3 are depthwise: Cg = 1, C = groups, Mg = the depth multiplier. The kernel
size is the variant's ``kernel`` attribute (a fixed dim; the references check it against
the weight's shape). Spatial ranges start at the smallest size whose output is >= 1
(dilated extent − 2·padding, at least 2) so every edge case of the output-size formula
is drawn; the 2-d ranges mix parities (H, W) = (lo..lo+3, lo+1..lo+4) so that TF's
strided SAME rule meets odd total paddings.

``bias=False`` variants: the data model has one fixed argument list per module, so the
bias ``b`` stays an argument; the reference ignores it and returns a zero gradient, and
the adapters pass no bias to the framework (whose gradient for the unused ``b`` is then 0).

Tolerances (Tolerance's model, ulps ≈ reduction length n + depth d, rounded up): a
forward output sums n = Cg·ΠK products (plus the bias); dL/dx sums Mg·ΠK products per
element, dL/dw and dL/db sum N·ΠO. The largest n per module is in the comments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from conformance.model.domains import Uniform
from conformance.model.spec import MATMUL, PARAM, Arg, Citation, ModuleSpec, Tolerance, Variant
from conformance.specs.common import LONG, SHORT

SAME = {"same_split": ("end", "start")}
WEIGHTS = Uniform(-1.0, 1.0)


@dataclass(frozen=True)
class Times:
    """A derived dim: the product of the named dims (e.g. Times(("G", "Cg")))."""

    names: tuple[str, ...]

    def __call__(self, dims) -> int:
        return math.prod(int(dims[n]) for n in self.names)

    def __repr__(self) -> str:
        return "·".join(self.names)


C, M = Times(("G", "Cg")), Times(("G", "Mg"))
CM = Times(("C", "Q"))  # separable: C·mult depthwise channels


def cites(section: str, passes=("forward-pass", "backward-pass", "parameter-pass")):
    return tuple(Citation(seed, f"section 'Linear modules', '{name}', {p}")
                 for seed, name in ((SHORT, section), (LONG, section.replace("Separable-", "Separable")))
                 for p in passes)


def _axis_lo(attrs, axis, k):
    padding = attrs.get("padding", 0)
    d = attrs.get("dilation", 1)
    d = d if isinstance(d, int) else d[axis]
    if padding == "same":
        return 2
    p = 0 if padding == "valid" else padding if isinstance(padding, int) else padding[axis]
    return max(d * (k - 1) + 1 - 2 * p, 2)


def _kernel(attrs, n):
    k = attrs["kernel"]
    return (k,) * n if isinstance(k, int) else tuple(k)


def conv_dims(n, spans):
    """dims(attrs) of an n-d convolution; ``spans[i]`` = (offset of lo, width) of axis i."""
    names = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}[n]

    def dims(attrs):
        g = attrs.get("groups", 1)
        ks = _kernel(attrs, n)
        out = {"N": (1, 2), "G": (g, g), "Cg": {1: (1, 3), 2: (1, 2)}.get(g, (1, 1)),
               "Mg": (1, 4) if g == 1 else (1, 2)}
        for axis, (name, k, (offset, width)) in enumerate(zip(names, ks, spans)):
            lo = _axis_lo(attrs, axis, k) + offset
            out[name], out["K" + name] = (lo, lo + width), (k, k)
        return out

    return dims, names


def conv_spec(n, section, spans, variants, tolerance):
    dims, names = conv_dims(n, spans)
    return ModuleSpec(
        f"conv{n}d", "convolution",
        (Arg("x", ("N", C, *names), Uniform()),
         Arg("w", (M, "Cg", *("K" + s for s in names)), WEIGHTS, PARAM),
         Arg("b", (M,), WEIGHTS, PARAM)),
        dims, cites(section),
        "y_{n,s,o} = b_s + Σ_{p∈group(s)} Σ_k x_{n,p,U·o+d·k−pad} w_{s,p,k} (correlation; "
        "the document's index form x_{p,i−i'} w_{s,p,i'} is the convolution, the same up to a "
        "180° kernel rotation); dL/dx, dL/dw, dL/db its adjoints",
        variants=variants, tolerance=tolerance, arithmetic=MATMUL)


def _odd_same_total(attrs) -> bool:
    """Whether a 'same' variant can meet an odd total padding (where the split matters):
    always with a stride > 1 (the total depends on the size), else iff d·(K − 1) is odd."""
    if attrs.get("padding") != "same":
        return False
    k, d, u = (attrs.get(a, 1) for a in ("kernel", "dilation", "stride"))
    n = max(len(v) if isinstance(v, tuple) else 1 for v in (k, d, u))
    k, d, u = (v if isinstance(v, tuple) else (v,) * n for v in (k, d, u))
    return any(uu > 1 or dd * (kk - 1) % 2 for kk, dd, uu in zip(k, d, u))


def _v(name, note="", **attrs):
    """A variant; 'same' variants that can meet an odd total padding carry the split rule."""
    if _odd_same_total(attrs):
        return Variant(name, attrs, rules=SAME, note=note or
                       "an odd total 'same' padding: the extra element at the end or the start")
    return Variant(name, attrs, note=note)


# Each variant exercises several attributes at once: the quick profile's cost is per
# variant (JAX compiles the op and its transpose anew for each of the 3 pooled shapes,
# about 0.2 s of CPU each), so Conv-2D carries the full attribute matrix and the other
# modules the attributes whose framework code paths differ from Conv-2D's.
CONV1D = (_v("k=3,s=2,p=1", kernel=3, stride=2, padding=1),
          _v("k=2,same", kernel=2, padding="same"),
          _v("k=3,d=2,depthwise,no-bias", kernel=3, dilation=2, groups=3, bias=False),
          _v("k=3,d=8,p=8", kernel=3, dilation=8, padding=8,
             note="a receptive field of 17 (padding = dilation keeps the length): most taps "
                  "read padding at the small lengths"))

CONV2D = (_v("k=3", kernel=3),
          _v("k=2x3,s=(2,1),p=(1,0),no-bias", kernel=(2, 3), stride=(2, 1), padding=(1, 0), bias=False),
          _v("k=2,same", kernel=2, padding="same"),
          _v("k=3,s=2,same", kernel=3, stride=2, padding="same"),
          _v("k=3,d=2,p=2", kernel=3, dilation=2, padding=2,
            note="001 'Conv-2D': padding = dilation = 2 preserves the size (for kernel 3, not 5)"),
          _v("k=3,s=2,d=2,valid", kernel=3, stride=2, dilation=2, padding="valid"),
          _v("k=3,g=2", kernel=3, groups=2),
          _v("k=3,depthwise", kernel=3, groups=3),
          _v("k=3,g=2,s=2,p=1", kernel=3, groups=2, stride=2, padding=1,
             note="grouped, strided and padded at once"),
          _v("k=3,depthwise,s=2,d=2,p=2", kernel=3, groups=3, stride=2, dilation=2, padding=2,
             note="depthwise, strided and dilated at once (TensorFlow documents strides of 1 "
                  "whenever its depthwise rate is above 1)"),
          _v("k=3,d=(1,8),p=(1,8)", kernel=3, dilation=(1, 8), padding=(1, 8),
             note="a receptive field of 17 along W only (per-axis dilation)"))

CONV3D = (_v("k=3,s=2,p=1,no-bias", kernel=3, stride=2, padding=1, bias=False),
          _v("k=2,same", kernel=2, padding="same"),
          _v("k=2,d=2,p=1", kernel=2, dilation=2, padding=1),
          _v("k=2,g=2", kernel=2, groups=2))


def separable_dims(attrs):
    k = attrs["kernel"]
    lo = _axis_lo(attrs, 0, k)
    return {"N": (1, 2), "C": (1, 3), "Q": (1, 2), "M": (1, 3), "K": (k, k), "one": (1, 1),
            "H": (lo, lo + 3), "W": (lo + 1, lo + 4)}


SEPARABLE = (_v("k=2,same", kernel=2, padding="same"),
             _v("k=3,s=2,same", kernel=3, stride=2, padding="same"),
             _v("k=3,d=2,p=2", kernel=3, dilation=2, padding=2))

SPECS: tuple[ModuleSpec, ...] = (
    ModuleSpec("linear", "linear",
               (Arg("x", ("N", "I"), Uniform()), Arg("w", ("O", "I"), WEIGHTS, PARAM),
                Arg("b", ("O",), WEIGHTS, PARAM)),
               lambda _attrs: {"N": (1, 3), "I": (1, 8), "O": (1, 6)}, cites("FC"),
               "y = W x + b (rows: y = x Wᵀ + b); dL/dx = dL/dy W; dL/dW = (dL/dy)ᵀ x; dL/db = Σ_n dL/dy",
               variants=(Variant(),),  # bias=False: the reference's (tests/), and the convs'
               # n: I + 1 <= 9 forward, O <= 6 (dx), N <= 3 (dW, db); depth 2.
               tolerance=Tolerance(forward=16, grad=16), arithmetic=MATMUL),
    # n: Cg·K = 3·3 + bias forward; Mg·K = 12 (dx), N·L_out <= 2·7 (dw, db).
    conv_spec(1, "Conv-1D", ((0, 5),), CONV1D, Tolerance(forward=16, grad=24)),
    # n: Cg·K² = 27 + bias forward; Mg·K² = 36 (dx); N·H_out·W_out <= 2·5·6 = 60 (dw, db).
    conv_spec(2, "Conv-2D", ((0, 3), (1, 3)), CONV2D, Tolerance(forward=32, grad=64)),
    # n: Cg·K³ = 81 + bias forward; Mg·K³ = 108 (dx); N·ΠO <= 2·3·3·4 = 72 (dw, db).
    conv_spec(3, "Conv-3D", ((0, 1), (0, 1), (1, 1)), CONV3D, Tolerance(forward=96, grad=128)),
    ModuleSpec("separable_conv2d", "convolution",
               (Arg("x", ("N", "C", "H", "W"), Uniform()),
                Arg("w_depthwise", (CM, "one", "K", "K"), WEIGHTS, PARAM),
                Arg("w_pointwise", ("M", CM, "one", "one"), WEIGHTS, PARAM)),
               separable_dims, cites("Separable-Conv-2D"),
               "o_{c·mult+q} = x_c ⋆ w¹_{c·mult+q} (depthwise correlation); y_s = Σ_p w²_{s,p} o_p; "
               "gradients by the chain rule (000/001 backward- and parameter-pass)",
               variants=SEPARABLE,
               # n: K² = 9, then C·mult <= 6 (two stages) forward; dx: M = 3, then mult·K² = 18;
               # dw¹: M = 3, then N·ΠO <= 2·5·6 = 60; dw²: K² = 9 (o), then N·ΠO <= 60.
               tolerance=Tolerance(forward=24, grad=96), arithmetic=MATMUL),
)
