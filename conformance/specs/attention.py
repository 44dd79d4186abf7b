"""Specs of the attention modules: scaled dot-product and multi-head attention (derived:
001 names attention in its abstract and multi-head self-attention in section
'Normalization'; the formulas are Vaswani et al. 2017, see references/attention.py).

Kernels (attribute ``kernel``, declared here as data; every record carries it): ``math``
is the unfused softmax(QKᵀ)V — torch's ``SDPBackend.MATH``, JAX's ``implementation='xla'``,
Keras ``flash_attention=False``, the NumPy reference; ``flash`` the tiled online-softmax
kernel — torch's ``SDPBackend.FLASH_ATTENTION`` (a CPU kernel too), JAX's ``'cudnn'`` and
Keras' ``flash_attention=True`` (GPU only); ``efficient`` torch's memory-efficient kernel
(CUDA only); ``default`` the framework's own choice (JAX ``implementation=None``). A kernel
is forced, never chosen by dispatch, so the attribute is the kernel that ran; a framework
without it skips with the reason.

Fully masked rows are measured, not assumed: ``masked_row`` (``zeros`` | ``uniform``, see
the reference) is a rule, so a framework following either is a ``convention``; NaN is no
rule, so NaN in a masked row's output — or leaking from it into dK, dV or the shared
projection weights — fails and is a finding.

Sizes (attribute ``sizes``, read only by ``dims``): small pooled shapes for most variants;
``d=1`` and ``d=64`` head dims; ``tiles`` crosses torch's CPU flash tile sizes (q blocks of
32/64, kv blocks of 512: the pool's Tq = 2, 66, 130 and Tk = 2, 258, 514) at N = H = 1.

Tolerances (the model of ``spec.Tolerance``, n = longest reduction): a logit sums d <= 8
products (64 for d=64), the softmax sums Tk terms, Y sums Tk products: the forward errs by
about (d + 2·Tk + 8)·u of max|V|; dQ and dK sum Tk (Tq) products of dS, which carries P's
error and the row sum of P⊙dP. Small shapes: n <= 24 → 64 / 128 ulps. ``tiles`` and
``d=64`` have n up to 514 / 64+; the frameworks' blocked sums err by O(√n·log n)·u, measured
inside 64 / 128 ulps of (|e_i| + max|e|). ``large`` draws integer q, k (``LargeLogits``):
every logit is exact in float32 and ≈ 200 (beyond exp's float32 overflow at 88.7), so only
the softmax's stability is judged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from conformance.model.domains import Absent, Domain, FanIn, Uniform
from conformance.model.spec import CONST, MATMUL, PARAM, Arg, Citation, ModuleSpec, Tolerance, Variant
from conformance.specs.common import LONG

ROWS = {"masked_row": ("zeros", "uniform")}
ALIGN = {"causal_align": ("top_left", "bottom_right")}


def cites(what: str) -> tuple[Citation, ...]:
    return (Citation(LONG, "abstract (attention among the covered modules); formula derived "
                           f"from Vaswani et al. 2017, {what}"),
            Citation(LONG, "section 'Normalization', 2nd paragraph (multi-head self-attention)"))


def one(_dims) -> int:
    return 1


def embed(dims) -> int:
    return dims["heads"] * dims["Dh"]


# -- mask domains: 1 = attend ------------------------------------------------------------------
@dataclass(frozen=True)
class KeyPadding(Domain):
    """Per batch element, the first L_n keys valid (L_n uniform in [2, Tk]); the last axis is
    the key axis, the leading one the batch. ``empty`` batch elements are fully padded."""

    empty: int = 0

    def sample(self, shape, rng):
        n, tk = shape[0], shape[-1]
        lengths = rng.integers(min(2, tk), tk + 1, size=n)
        lengths[: min(self.empty, n - 1)] = 0  # keep at least one unpadded element
        keep = np.arange(tk)[None, :] < lengths[:, None]
        return np.broadcast_to(keep.reshape((n,) + (1,) * (len(shape) - 2) + (tk,)),
                               shape).astype(np.float64)

    def describe(self):
        return "key padding (first L_n keys valid)" + (
            f", {self.empty} batch element(s) fully padded" if self.empty else "")


@dataclass(frozen=True)
class RowMask(Domain):
    """Random 0/1 mask, each entry 1 with probability ``keep``; every row has at least two
    allowed keys (one where Tk = 1), except that ``full_rows`` rows (of the flattened
    leading axes) are fully masked — never all of them."""

    keep: float = 0.6
    full_rows: int = 0

    def sample(self, shape, rng):
        rows, tk = int(np.prod(shape[:-1])), shape[-1]
        m = (rng.random((rows, tk)) < self.keep).astype(np.float64)
        first = rng.integers(0, tk, size=rows)
        m[np.arange(rows), first] = 1.0
        m[np.arange(rows), (first + rng.integers(1, max(tk, 2), size=rows)) % tk] = 1.0
        if self.full_rows and rows > 1:
            m[rng.choice(rows, size=min(self.full_rows, rows - 1), replace=False)] = 0.0
        return m.reshape(shape)

    def describe(self):
        extra = f", {self.full_rows} row(s) fully masked" if self.full_rows else ""
        return f"0/1 mask, P(1)={self.keep:g}, every row >= 2 keys{extra}"


# -- scaled dot-product attention ---------------------------------------------------------------
def sdpa_dims(attrs):
    """Tk >= 2 and Tq >= 2 everywhere: with one allowed key P ≡ 1 and dQ = dK = 0 exactly,
    where the relative error model cannot judge a framework's rounding noise."""
    sizes = attrs.get("sizes", "small")
    base = {"N": (1, 2), "H": (1, 2), "Tq": (2, 6), "Tk": (2, 6), "D": (1, 8)}
    return {
        "small": base,
        "tiles": {"N": (1, 1), "H": (1, 1), "Tq": (2, 130), "Tk": (2, 514), "D": (8, 8)},
        "d=1": {**base, "D": (1, 1)},
        "d=64": {**base, "D": (64, 64)},
        "large": {**base, "D": (4, 4)},
        "unequal": {**base, "Tq": (2, 3), "Tk": (5, 9)},
    }[sizes]


@dataclass(frozen=True)
class LargeLogits(Domain):
    """Integers: feature 0 is ``common`` (so every logit carries s·common² = 200 at d = 4,
    s = ½), the others in [−2, 2]. Logits are exact in float32 and lie in [194, 206]: a
    softmax without max-subtraction overflows (exp > float32 max beyond 88.7), while the
    rows stay far from one-hot (no gradient exponentially smaller than its terms)."""

    common: float = 20.0

    def sample(self, shape, rng):
        x = rng.integers(-2, 3, size=shape).astype(np.float64)
        x[..., 0] = self.common
        return x

    def describe(self):
        return f"integers, feature 0 = {self.common:g}, others in [-2, 2] (logits ≈ 200)"


def sdpa_variants() -> tuple[Variant, ...]:
    def v(name, kernels, attrs, domains=None, rules=None, note=""):
        return tuple(Variant(f"{name},kernel={k}" if name else f"kernel={k}", {**attrs, "kernel": k},
                             domains or {}, rules or {}, note) for k in kernels)

    bias = {"bias": Uniform(-2.0, 2.0)}
    return (
        *v("", ("math", "flash"), {}),
        *v("causal", ("math", "flash"), {"causal": True, "sizes": "unequal"}, rules=ALIGN,
           note="Tq < Tk: top-left and bottom-right alignment differ on every row"),
        *v("padding", ("math", "flash", "efficient"), {"masked": True}, {"mask": KeyPadding()}),
        *v("fully-masked-row", ("math", "flash", "efficient", "default"),
           {"masked": True}, {"mask": RowMask(full_rows=1)}, ROWS,
           "one query row with no allowed key next to live rows: what the output is there, "
           "and whether anything non-finite reaches the other rows' gradients or dK, dV"),
        *v("bias", ("math", "flash", "efficient"), {"biased": True}, bias,
           note="additive float bias, differentiated (dL/dB = dS)"),
        *v("large", ("math", "flash"), {"sizes": "large"},
           {"q": LargeLogits(), "k": LargeLogits()},
           note="exact integer logits ≈ 200: softmax without max-subtraction overflows"),
        *v("d=1", ("math", "flash"), {"sizes": "d=1"}),
        *v("d=64", ("math", "flash"), {"sizes": "d=64"}),
        *v("tiles", ("math", "flash"), {"sizes": "tiles", "causal": True}, rules=ALIGN,
           note="sequence lengths across the CPU flash kernel's q/kv block sizes"),
    )


def sdpa_flops(shapes, _attrs) -> int:
    """Q Kᵀ and P V: 2·N·H·Tq·Tk·(d + dv) (softmax and masking left out; causal counted in
    full, as the unfused kernels compute it)."""
    n, h, tq, d = shapes["q"]
    return 2 * n * h * tq * shapes["k"][2] * (d + shapes["v"][3])


QKV = Uniform(-1.0, 1.0)
SDPA = ModuleSpec(
    "scaled_dot_product_attention", "attention",
    (Arg("q", ("N", "H", "Tq", "D"), QKV), Arg("k", ("N", "H", "Tk", "D"), QKV),
     Arg("v", ("N", "H", "Tk", "D"), QKV), Arg("bias", ("N", "H", "Tq", "Tk"), Absent()),
     Arg("mask", ("N", one, "Tq", "Tk"), Absent(), CONST)),
    sdpa_dims, cites("eq. 1"),
    "Y = softmax(s·Q Kᵀ + B) V over allowed keys (mask ∧ causal), s = 1/√d by default; "
    "dV = Pᵀ dY, dS = P ⊙ (dY Vᵀ − rowsum(P ⊙ dY Vᵀ)), dQ = s·dS K, dK = s·dSᵀ Q, dB = dS",
    variants=sdpa_variants(), tolerance=Tolerance(forward=64, grad=128), arithmetic=MATMUL,
    flops=sdpa_flops)


# -- multi-head attention --------------------------------------------------------------------------
def mha_dims(attrs):
    """Tk >= 2 (see ``sdpa_dims``); N >= 2 where one batch element is fully padded. Head
    dim 1 only in its own variant (``d=1``: Tk = heads = 2 there, see expected_failures)."""
    lo = 2 if attrs.get("sizes") == "rows" else 1
    if attrs.get("sizes") == "d=1":
        return {"N": (1, 2), "Tq": (1, 3), "Tk": (2, 3), "heads": (attrs["heads"],) * 2, "Dh": (1, 1)}
    return {"N": (lo, 3), "Tq": (1, 4), "Tk": (2, 5), "heads": (attrs["heads"],) * 2, "Dh": (2, 4)}


def mha_variants() -> tuple[Variant, ...]:
    """Few, because flax's layer compiles for seconds per shape: key padding is exercised by
    ``fully-padded`` (its other batch elements have padded prefixes), one head by ``d=1``'s
    per-head arithmetic and the references' tests."""
    out = []
    for weights in (True, False):
        tail = ",weights" if weights else ""
        base = {"heads": 2, "need_weights": weights}
        out += [
            Variant(f"h=2{tail}", base),
            Variant(f"h=2,d=1{tail}", {**base, "sizes": "d=1"}),
            Variant(f"fully-padded{tail}", {**base, "padded": True, "sizes": "rows"},
                    {"key_padding": KeyPadding(empty=1)}, ROWS,
                    "batch element 0 has every key padded: does NaN reach the other elements "
                    "through W_q, W_k, W_v, W_o (pytorch#41508)?"),
        ]
    return tuple(out)


def mha_flops(shapes, _attrs) -> int:
    """The four E×E projections (2·N·T·E² each, T = Tq for q and the output, Tk for k, v)
    plus the attention's 4·N·Tq·Tk·E."""
    n, tq, e = shapes["xq"]
    tk = shapes["xk"][1]
    return 2 * n * (2 * tq + 2 * tk) * e * e + 4 * n * tq * tk * e


X, B = Uniform(-1.0, 1.0), Uniform(-0.5, 0.5)
W = FanIn(1.0)
MHA = ModuleSpec(
    "multi_head_attention", "attention",
    (Arg("xq", ("N", "Tq", embed), X), Arg("xk", ("N", "Tk", embed), X),
     Arg("xv", ("N", "Tk", embed), X),
     *(Arg(f"w_{p}", (embed, embed), W, PARAM) for p in "qkv"),
     Arg("b_q", (embed,), B, PARAM), Arg("b_k", (embed,), B, CONST),
     Arg("b_v", (embed,), B, PARAM),
     Arg("w_o", (embed, embed), W, PARAM), Arg("b_o", (embed,), B, PARAM),
     Arg("key_padding", ("N", "Tk"), Absent(), CONST)),
    mha_dims, cites("section 3.2.2"),
    "y = concat_h(attention(xq W_qᵀ + b_q, xk W_kᵀ + b_k, xv W_vᵀ + b_v)_h) W_oᵀ + b_o, "
    "h heads of E/h; key_padding (N, Tk), 1 = attend; weights (out, in)",
    variants=mha_variants(), tolerance=Tolerance(forward=64, grad=128), arithmetic=MATMUL,
    flops=mha_flops)

# b_k is passed but not judged: softmax is invariant to adding q·b_k to a whole row, so
# dL/db_k = 0 exactly and a framework's value is pure rounding noise, which an error model
# relative to the expected magnitude cannot judge (tests/ check the reference's b_k by FD).
SPECS: tuple[ModuleSpec, ...] = (SDPA, MHA)
