"""The size dimension of the spec table: each family's large shapes, the thresholds they
cross, and how each check's reduction length grows with them (``conformance/model/sizes.py``
runs them; ``spec.Tolerance`` turns the lengths into tolerances).

Which sizes, and why (a size class is a box of dims; the quick profile runs its upper
corner, the full profile draws inside it; every point of a box crosses its thresholds):

* rows, flat tensors (elementwise maps, reductions over the last axis, dropout, GELU):
  ``tails`` D up to 65 = 64 + 1 — full vectors of every width 8/16/32/64 and then a
  one-element tail (the full profile draws 9/17..65, so 31, 32, 33 too; the small pool
  already has 1, 9 and 16, or 1, 5 and 8); ``parallel`` 97 × 1031 = 100,007 elements:
  past PyTorch's 32,768-element grain (so the loop splits across threads into chunks
  with their own tails), a 1,000+ row with a 7-element tail (1031 = 128·8 + 7), and a
  batch past 64.
* PReLU: ``channels`` C = 67 (a per-channel parameter past 64), ``parallel`` 66 × 2 × 1031
  (136k elements; dα sums 68k terms).
* pooling: 2-D ``image`` 70 × 71 (past 32 × 32; W = 71 = 64 + 7 is a vector tail), and
  ``channels`` N = 66, C = 67 on small maps (batch and channels past 64, 110k+ elements);
  1-D ``long`` L = 1031 and ``channels`` N = 66, C = 67; 3-D ``volume`` 18 × 35 × 36 and
  ``channels`` N = C = 66.
* linear: ``wide`` N = 70, I = 1031 (a 1,000+ reduction, batch past 64, 72k-element
  input), ``tall`` I = 65, O = 97 (outputs past 64).
* convolutions: ``image`` (spatial past 32; 1-D L = 1031), ``channels`` (C and M past 64:
  channel-blocked kernels; the weight passes 32,768 elements), ``batch`` N = 66. A
  convolution variant runs one of them in the quick profile (see ``conformance.model.sizes``),
  every one in the full profile. ``field>=16`` (a dilated kernel extent of 16+: taps
  that mostly read padding, im2col/dilated kernel paths) is an attribute: Conv-1D's
  ``k=3,d=8,p=8`` and Conv-2D's ``k=3,d=(1,8),p=(1,8)`` variants (extent 17) cross it.
* normalization: batch norm ``batch`` N = 66 on 13 × 15 maps (M = 12,870 per channel) and
  ``channels`` C = 66 on 33 × 34 maps (148k elements); layer norm ``row`` D = 1031 and
  ``batch`` N = 66, T = 13, D = 65; instance and group norm ``image`` 40 × 41 maps and
  ``channels`` past 64 with N = 66.
* recurrent: the small pool already reaches T = 64 steps (``steps>=50``); ``batch`` N = 66
  with H = 67 hidden units (GEMM blocking in every step; parameter gradients summing
  T·N = 792 terms) over T = 12 steps. No element threshold: a step's work is an N × H
  GEMM (4,422 outputs per gate), not a long elementwise loop.
* attention: ``batch`` N = 66 at each variant's own small shape, ``sequence`` Tq = 66 <
  Tk = 67 with 2 × 4 (SDPA: N × H) or 4 × 2 (MHA: N × heads) so that the score matrix has
  35,376 elements (past 32,768) and the softmax row has a 3-element tail past 64. The
  ``tiles`` and ``d=64`` variants' own shapes cross the kernels' block sizes (q blocks of
  32/64, kv blocks of 512) and a 64-wide head.

Tolerance growth (``lengths``: the number of terms a check's longest reduction sums, per
key "forward" / "grad" / "grad:<arg>"): see ``spec.Tolerance``. Elementwise maps, max
selection and pooling windows (fixed by the attributes) do not grow.

Measured against the grown tolerances (worst error / tolerance over the quick large
shapes of every sized module, both dtypes, one seed; variants with convention rules
judged under the rule the framework follows): torch ≤ 0.20 in every family (its small
shapes: ≤ 0.27); TensorFlow ≤ 0.26 (dropout keep rate), ≤ 0.14 elsewhere; JAX ≤ 0.16;
no sized module failed at a large shape except the investigated small-shape expected failures
(``conformance/known/expected_table.py``: TensorFlow's float64 GELU constants, PReLU at
the kink, 3-D max-pooling ties). The frameworks' blocked and pairwise sums err far less
than the sequential-sum model allows; the growth is an envelope, not a fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from conformance.model.sizes import THRESHOLDS, SizeClass, Sizes, dim, elements, row, smallest_dim
from conformance.specs.common import flat, rows_of, wide

Ranges = Mapping[str, tuple[int, int]]


@dataclass(frozen=True)
class Large:
    """One size class of a family: ``override(attrs, small)`` replaces some of the small
    ranges ``small``."""

    name: str
    override: Callable[[Mapping[str, Any], Ranges], Ranges]
    why: str = ""
    quick: bool = True  # False: the full profile only


@dataclass(frozen=True)
class FamilySizes:
    classes: tuple[Large, ...]
    thresholds: Mapping[str, Callable] = field(default_factory=dict)
    lengths: Callable[[Mapping[str, int], Mapping[str, Any]], Mapping[str, float]] | None = None


def _fixed(ranges: Ranges) -> Callable[[Mapping[str, Any], Ranges], Ranges]:
    return lambda _attrs, _small: ranges


def _kernel(attrs, n: int) -> tuple[int, ...]:
    k = attrs.get("kernel", 1)
    return (k,) * n if isinstance(k, int) else tuple(k)


def _per_axis(attrs, key: str, n: int) -> tuple[int, ...]:
    v = attrs.get(key, 1)
    return (v,) * n if isinstance(v, int) else tuple(v)


# -- thresholds that apply, with their measures ---------------------------------------------------
ROWS_T = {"row-tail>64": row, "row>=1000": row, "elements>32768": elements,
          "elements>=100000": elements, "batch>64": dim("N")}
IMAGE_T = {"image>32x32": smallest_dim("H", "W"), "batch>64": dim("N"), "channels>64": dim("C"),
           "elements>32768": elements}

# -- rows and flat tensors ------------------------------------------------------------------------
PARALLEL = Large("parallel", _fixed({"N": (65, 97), "D": (1000, 1031)}),
                 "100,007 elements, a 1031-element row, batch 97")
FLAT = FamilySizes((Large("tails", _fixed({"N": (2, 3), "D": (9, 65)}), "rows up to 64 + 1",
                          quick=False), PARALLEL), ROWS_T)


def _row_lengths(grad: bool):
    return lambda d, _a: {"forward": d["D"], **({"grad": d["D"]} if grad else {})}


ROW_CLASSES = (Large("tails", _fixed({"N": (2, 3), "D": (17, 65)}), "rows 17..64 + 1", quick=False),
               PARALLEL)
REDUCE_FORWARD = FamilySizes(ROW_CLASSES, ROWS_T, _row_lengths(False))
REDUCE_BOTH = FamilySizes(ROW_CLASSES, ROWS_T, _row_lengths(True))
ROWS = FamilySizes(ROW_CLASSES, ROWS_T)
WIDE = FamilySizes((PARALLEL,), ROWS_T)
PRELU = FamilySizes(
    (Large("channels", _fixed({"N": (2, 3), "C": (65, 67), "L": (33, 65)}), "67 channels"),
     Large("parallel", _fixed({"N": (65, 66), "C": (2, 2), "L": (1000, 1031)}), "136k elements")),
    {**ROWS_T, "channels>64": dim("C")},
    lambda d, _a: {"grad:alpha": d["N"] * d["L"]})

# -- pooling ---------------------------------------------------------------------------------------
POOL2D = FamilySizes(
    (Large("image", _fixed({"N": (1, 2), "C": (2, 3), "H": (33, 70), "W": (33, 71)}), "70 × 71 maps"),
     Large("channels", lambda a, s: {"N": (65, 66), "C": (65, 67), "H": (s["H"][0], s["H"][0] + 3),
                                     "W": (s["W"][0], s["W"][0] + 3)},
           "batch 66 × 67 channels")),
    {**IMAGE_T, "elements>=100000": elements, "row-tail>64": row})
POOL1D = FamilySizes(
    (Large("long", _fixed({"N": (2, 3), "C": (3, 4), "L": (1000, 1031)}), "1031 steps"),
     Large("channels", lambda a, s: {"N": (65, 66), "C": (65, 67),
                                     "L": (s["L"][0] + 20, s["L"][0] + 30)},
           "batch 66 × 67 channels")),
    {"row-tail>64": row, "row>=1000": row, "steps>=50": dim("L"), "batch>64": dim("N"),
     "channels>64": dim("C"), "elements>32768": elements, "elements>=100000": elements})
POOL3D = FamilySizes(
    (Large("volume", _fixed({"N": (1, 1), "C": (1, 2), "D": (16, 18), "H": (33, 35), "W": (33, 36)}),
           "18 × 35 × 36 volumes"),
     Large("channels", lambda a, s: {"N": (65, 66), "C": (65, 66),
                                     **{ax: (s[ax][0], s[ax][0] + 1) for ax in "DHW"}},
           "batch 66 × 66 channels")),
    {**IMAGE_T, "elements>=100000": elements})

# -- linear and convolutions -----------------------------------------------------------------------
LINEAR = FamilySizes(
    (Large("wide", _fixed({"N": (65, 70), "I": (1000, 1031), "O": (9, 33)}), "1031 inputs, batch 70"),
     Large("tall", _fixed({"N": (2, 3), "I": (33, 65), "O": (65, 97)}), "97 outputs")),
    {"row-tail>64": row, "row>=1000": row, "elements>32768": elements, "batch>64": dim("N"),
     "channels>64": dim("O", "I")},
    lambda d, _a: {"forward": d["I"] + 1, "grad:x": d["O"], "grad:w": d["N"], "grad:b": d["N"]})

SPATIAL = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _channels(g: int) -> Ranges:
    """Cg, Mg ranges putting C = g·Cg and M = g·Mg past 64 (depthwise: Cg = 1)."""
    if g >= 3:
        return {"Cg": (1, 1), "Mg": (-(-65 // g), -(-65 // g) + 1)}
    per = -(-65 // g)
    return {"Cg": (per, per + 1), "Mg": (per, per + 1)}


def field(_shapes, _dims, attrs) -> float:
    """The widest dilated kernel extent d·(k − 1) + 1 over the axes: an attribute of the
    variant, not a drawn dim (a large receptive field is a variant, ``specs/linear.py``)."""
    n = max((len(v) for v in (attrs.get("kernel"), attrs.get("dilation")) if isinstance(v, tuple)),
            default=1)
    ks, ds = _kernel(attrs, n), _per_axis(attrs, "dilation", n)
    return float(max(d * (kk - 1) + 1 for kk, d in zip(ks, ds)))


# The convolutions whose variants include a receptive field of 16+ (Conv-1D and Conv-2D; the
# 3-D one would need 16+ extents on volumes of 16³+ per example: left to the full profile's
# free shapes over its dilated variant).
FIELD_AXES = (1, 2)


def _conv(n: int) -> FamilySizes:
    axes = SPATIAL[n]
    # Spatial boxes per axis (every variant's smallest valid size is below them); 1-D also
    # widens Cg (non-grouped variants) so that x passes 32,768 elements (2 × 32 × 1031).
    extent = {1: {"L": (1000, 1031)}, 2: {"H": (33, 36), "W": (34, 37)},
              3: {"D": (8, 9), "H": (33, 34), "W": (33, 35)}}

    def image(a, s):
        wide = {"Cg": (16, 32)} if n == 1 and a.get("groups", 1) == 1 else {}
        return {"N": (1, 2), **wide, **{ax: (max(lo, s[ax][0]), max(hi, s[ax][1]))
                                        for ax, (lo, hi) in extent[n].items()}}

    def channels(a, _s):
        return {"N": (1, 2), **_channels(a.get("groups", 1))}

    def batch(_a, _s):
        return {"N": (65, 66)}

    def lengths(d, a):
        k = math.prod(_kernel(a, n))
        u = _per_axis(a, "stride", n)
        o = math.prod(-(-d[ax] // s) for ax, s in zip(axes, u))
        return {"forward": d["Cg"] * k + 1, "grad:x": d["Mg"] * k,
                "grad:w": d["N"] * o, "grad:b": d["N"] * o}

    thresholds = {"batch>64": dim("N"), "channels>64": dim(_c, _m), "elements>32768": elements}
    thresholds.update({"row-tail>64": row, "row>=1000": row, "steps>=50": dim("L")} if n == 1
                      else {"image>32x32": smallest_dim("H", "W")})
    if n in FIELD_AXES:  # a variant with a dilated extent of 16+ (linear.py) crosses it
        thresholds["field>=16"] = field
    return FamilySizes((Large("image", image, "spatial past 32 (1-D: 1031)"),
                        Large("channels", channels, "C and M past 64"),
                        Large("batch", batch, "batch 66")), thresholds, lengths)


def _c(d):
    return d["G"] * d["Cg"]


def _m(d):
    return d["G"] * d["Mg"]


SEPARABLE = FamilySizes(
    (Large("image", _fixed({"N": (2, 2), "C": (4, 5), "H": (33, 58), "W": (33, 59)}), "58 × 59 maps"),
     Large("channels", _fixed({"N": (1, 1), "C": (65, 66), "Q": (1, 1), "M": (65, 66)}), "66 channels"),
     Large("batch", _fixed({"N": (65, 66)}), "batch 66")),
    {"image>32x32": smallest_dim("H", "W"), "batch>64": dim("N"), "channels>64": dim("C", "M"),
     "elements>32768": elements},
    lambda d, a: {"forward": d["K"] ** 2 + d["C"] * d["Q"],
                  "grad:x": d["M"] + d["Q"] * d["K"] ** 2,
                  "grad:w_depthwise": d["M"] + d["N"] * d["H"] * d["W"],
                  "grad:w_pointwise": d["K"] ** 2 + d["N"] * d["H"] * d["W"]})

# -- normalization ---------------------------------------------------------------------------------
BATCH_NORM_CLASSES = (
    Large("batch", _fixed({"N": (65, 66), "C": (3, 3), "H": (12, 13), "W": (13, 15)}), "M = 12,870"),
    Large("channels", _fixed({"N": (2, 2), "C": (65, 66), "H": (33, 33), "W": (33, 34)}),
          "66 channels of 33 × 34"))
NORM_T = {**IMAGE_T, "elements>=100000": elements}


def _bn_lengths(d, _a):
    m = d["N"] * d["H"] * d["W"]
    return {"forward": m, "grad": m}


BATCH_NORM = FamilySizes(BATCH_NORM_CLASSES, NORM_T, _bn_lengths)
RUNNING = FamilySizes(BATCH_NORM_CLASSES, NORM_T, lambda d, a: {"forward": d["N"] * d["H"] * d["W"]})
LAYER_NORM = FamilySizes(
    (Large("row", _fixed({"N": (2, 3), "T": (2, 3), "D": (1000, 1031)}), "1031 features"),
     Large("batch", _fixed({"N": (65, 66), "T": (9, 13), "D": (33, 65)}), "batch 66, 65 features")),
    {"row-tail>64": row, "row>=1000": row, "batch>64": dim("N"), "elements>32768": elements},
    lambda d, _a: {"forward": d["D"], "grad:x": d["D"], "grad:gamma": d["N"] * d["T"],
                   "grad:beta": d["N"] * d["T"]})
INSTANCE_NORM = FamilySizes(
    (Large("image", _fixed({"N": (1, 2), "C": (2, 3), "H": (33, 40), "W": (33, 41)}), "40 × 41 maps"),
     Large("channels", _fixed({"N": (65, 66), "C": (65, 66), "H": (4, 5), "W": (5, 6)}), "66 × 66")),
    NORM_T,
    lambda d, _a: {"forward": d["H"] * d["W"], "grad:x": d["H"] * d["W"],
                   "grad:gamma": d["N"] * d["H"] * d["W"], "grad:beta": d["N"] * d["H"] * d["W"]})


def _gn_channels(a, _s):
    per = -(-65 // a["groups"])
    return {"N": (65, 66), "Cg": (per, per + 1), "H": (4, 5), "W": (5, 6)}


GROUP_NORM = FamilySizes(
    (Large("image", _fixed({"N": (1, 2), "Cg": (2, 3), "H": (33, 40), "W": (33, 41)}), "40 × 41 maps"),
     Large("channels", _gn_channels, "channels past 64, batch 66")),
    {**IMAGE_T, "channels>64": dim(lambda d: d["G"] * d["Cg"]), "elements>=100000": elements},
    lambda d, _a: {"forward": d["Cg"] * d["H"] * d["W"], "grad:x": d["Cg"] * d["H"] * d["W"],
                   "grad:gamma": d["N"] * d["H"] * d["W"], "grad:beta": d["N"] * d["H"] * d["W"]})

# -- recurrent -------------------------------------------------------------------------------------
STATE_ARGS = ("grad:x", "grad:h0", "grad:c0")


def _recurrent_lengths(d, _a):
    step = d["H"] + d["I"]
    return {"forward": step, "grad": d["T"] * d["N"] + step, **{k: step for k in STATE_ARGS}}


RECURRENT = FamilySizes(
    (Large("batch", _fixed({"T": (9, 12), "N": (65, 66), "I": (9, 17), "H": (65, 67)}),
           "batch 66, 67 hidden units, 12 steps"),),
    {"batch>64": dim("N"), "channels>64": dim("H"), "steps>=50": dim("T")},
    _recurrent_lengths)

# -- attention -------------------------------------------------------------------------------------
def _scores(d) -> int:
    """Elements of the score matrix S = Q Kᵀ: N · heads · Tq · Tk."""
    return d["N"] * d.get("H", d.get("heads", 1)) * d["Tq"] * d["Tk"]


ATTENTION_T = {"batch>64": dim("N"), "row-tail>64": dim("Tk"), "elements>32768": dim(_scores)}


def _attention(sequence_batch: int):
    """``batch`` N = 66 at the variant's own small shape with sequences capped at 6 × 9
    (a batch past 64: the batched GEMMs and the blocks of 64 of pytorch#119320, far below
    its 2,700); ``sequence`` Tq = 66 < Tk = 67 (the softmax row, dQ's and dK's sums pass 64 with a 3-element tail;
    Tq < Tk keeps causal alignments distinct) with ``sequence_batch`` × heads so the score
    matrix passes 32,768 elements."""
    heads = {"H": (2, 4)} if sequence_batch == 2 else {}

    def batch(_a, s):  # at short sequences: ``tiles``' own 130 × 514 would be 4.4M scores a batch
        return {"N": (65, 66), "Tq": (s["Tq"][0], min(s["Tq"][1], 6)),
                "Tk": (s["Tk"][0], min(s["Tk"][1], 9))}
    return (Large("batch", batch, "batch 66"),
            Large("sequence", lambda _a, _s: {"N": (sequence_batch, sequence_batch), **heads,
                                              "Tq": (65, 66), "Tk": (66, 67)},
                  "66 queries × 67 keys, 35k-element scores"))


SDPA_SIZES = FamilySizes(
    _attention(2), ATTENTION_T,
    # logits sum D products, the softmax and Y sum Tk terms; dQ/dK/dV/dB sum Tk or Tq
    # products of dS (which carries dP = dY Vᵀ, D terms, and P's row sums)
    lambda d, _a: {"forward": d["D"] + 2 * d["Tk"], "grad": d["D"] + d["Tq"] + d["Tk"]})
MHA_SIZES = FamilySizes(
    _attention(4), ATTENTION_T,
    # the projections sum E = heads·Dh inputs; a weight's gradient sums N·T rows
    lambda d, _a: {"forward": d["heads"] * d["Dh"] + d["Dh"] + 2 * d["Tk"],
                   "grad": d["N"] * max(d["Tq"], d["Tk"]) + d["heads"] * d["Dh"] + d["Tq"] + d["Tk"]})

# Keys: a dims helper of ``common`` (every module drawn with it) or a module name.
BY_FAMILY: dict[str, dict[Any, FamilySizes]] = {
    "basic": {flat: FLAT, wide: WIDE, rows_of: ROWS, "sum": REDUCE_FORWARD,
              "cross_entropy": REDUCE_FORWARD, "squared_error": REDUCE_FORWARD,
              "softmax": REDUCE_BOTH, "softmax_cross_entropy": REDUCE_BOTH, "gelu": FLAT,
              "prelu": PRELU},
    "pooling": {"max_pool2d": POOL2D, "avg_pool2d": POOL2D, "max_pool1d": POOL1D,
                "avg_pool1d": POOL1D, "max_pool3d": POOL3D, "avg_pool3d": POOL3D},
    "linear": {"linear": LINEAR, "conv1d": _conv(1), "conv2d": _conv(2), "conv3d": _conv(3),
               "separable_conv2d": SEPARABLE},
    "normalization": {"batch_norm": BATCH_NORM, "batch_norm_running_stats": RUNNING,
                      "layer_norm": LAYER_NORM, "instance_norm": INSTANCE_NORM,
                      "group_norm": GROUP_NORM},
    "recurrent": {name: RECURRENT for name in ("simple_rnn", "lstm", "gru", "gru_softmax_ce")},
    "attention": {"scaled_dot_product_attention": SDPA_SIZES, "multi_head_attention": MHA_SIZES},
}


def _sizes_of(spec, family: FamilySizes) -> Sizes:
    def classes(attrs):
        small = spec.dims(attrs)
        return tuple(SizeClass(c.name, {**small, **c.override(attrs, small)}, c.why, c.quick)
                     for c in family.classes)
    return Sizes(classes, family.thresholds)


def sized(family: str, specs):
    """``specs`` with their family's sizes (and tolerance growth) attached."""
    table = BY_FAMILY.get(family, {})
    out = []
    for spec in specs:
        entry = table.get(spec.name) or table.get(spec.dims)
        if entry is None:
            out.append(spec)
            continue
        unknown = set(entry.thresholds) - set(THRESHOLDS)
        if unknown:
            raise ValueError(f"{spec.name}: unknown size thresholds {sorted(unknown)}")
        tolerance = spec.tolerance
        if entry.lengths is not None and getattr(tolerance, "lengths", None) is None:
            tolerance = replace(tolerance, lengths=entry.lengths)
        out.append(replace(spec, sizes=_sizes_of(spec, entry), tolerance=tolerance))
    return tuple(out)
