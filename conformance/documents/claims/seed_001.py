"""001: what 001 adds to 000's formulas (which it prints verbatim: those claims list 001 in
``also``) — the Conv-2D prose: the output-size formula and the kernel-5 example.

The oracle here is the forward itself: the number of positions of a (dilated) window in
the padded input, counted one by one, never computed from a formula.
"""

from __future__ import annotations

import math

from conformance.documents.claims import SEEDS
from conformance.documents.claims import Claim
from conformance.documents.claims import Reading
from conformance.documents.claims import TextErratum
from conformance.documents.claims import Untranscribed

S1 = SEEDS["001"]
PROSE = "'Conv-2D', prose before the forward-pass"


def positions(H: int, k: int, s: int, p: int, d: int) -> int:
    """How many windows of k taps, dilation d, fit at stride s in H + 2p positions."""
    n, o = 0, 0
    while s * o + d * (k - 1) <= H + 2 * p - 1:
        n, o = n + 1, o + 1
    return n


def _as_written(dims, reading):
    return (dims["H"] + 2 * dims["p"] - dims["d"] * (dims["k"] - 1) - 1) / dims["s"] + 1


def _floored(dims, reading=None):
    return math.floor((dims["H"] + 2 * dims["p"] - dims["d"] * (dims["k"] - 1) - 1) / dims["s"]) + 1


SIZE_DIMS = {"k": (1, 5), "s": (1, 3), "p": (0, 2), "d": (1, 3), "e": (0, 8),
             "H": lambda d: max(1, d["d"] * (d["k"] - 1) + 1 - 2 * d["p"]) + d["e"]}
K5 = {"H": (5, 12)}
CONFIG = {"stated": (2, 2), "padding 2, dilation 1": (2, 1)}


def _count(dims, reading=None):
    return positions(dims["H"], dims["k"], dims["s"], dims["p"], dims["d"])


CLAIMS = (
    Claim("001-conv-output-size", S1, PROSE + ", H_out / W_out",
          r"H_{out} &= \frac{H_{in}+2*padding[0]-dilation[0]*(kernel\_size[0]-1)-1}{stride[0]}+1",
          "H_out = (H_in + 2·padding − dilation·(kernel_size − 1) − 1)/stride + 1",
          "H_out = ⌊(H_in + 2·padding − dilation·(kernel_size − 1) − 1)/stride⌋ + 1",
          value=_as_written, measured=_count, corrected_value=_floored, value_dims=SIZE_DIMS,
          note="the same formula for W_out (index [1])"),
    Claim("001-kernel5-preserves", S1, PROSE + ", the example after the formula",
          "if the kernel size is 5, then setting the padding=dilation=2 would ensure the "
          "preservation of dimensions",
          "kernel 5, padding = dilation = 2 (stride 1): H_out = H_in",
          "kernel 5, padding = dilation = 2 gives H_out = H_in − 4; padding 2 with dilation 1 "
          "(or padding 4 with dilation 2) preserves H",
          value=lambda d, r: d["H"],
          measured=lambda d, r=None: positions(d["H"], 5, 1, 2, 2),
          corrected_value=lambda d, r=None: _floored({**d, "k": 5, "s": 1, "p": 2, "d": 2}),
          value_dims=K5),
    Claim("001-stride2-halves", S1, PROSE + ", the example after the formula",
          "Such a configuration would also exactly halve the feature maps if stride=2",
          "that configuration with stride 2: H_out = H_in / 2",
          "kernel 5, padding = dilation = 2, stride 2: H_out = ⌊(H_in − 5)/2⌋ + 1; with "
          "padding 2 and dilation 1: ⌈H_in/2⌉ (H_in/2 only for even H_in)",
          value=lambda d, r: d["H"] / 2,
          measured=lambda d, r="stated": positions(d["H"], 5, 2, *CONFIG[r]),
          corrected_value=lambda d, r="stated": _floored({**d, "k": 5, "s": 2, "p": CONFIG[r][0],
                                                          "d": CONFIG[r][1]}),
          value_dims=K5,
          readings=(Reading("stated", "'such a configuration': padding = dilation = 2"),
                    Reading("padding 2, dilation 1", "the configuration that does preserve "
                                                     "dimensions at stride 1"))),
)

TEXT_ERRATA = (
    TextErratum("001-osindero", S1, "introduction", "Karen Osidero's",
                "'Karen Osidero' for Simon Osindero (the lecturer of the cited lecture, "
                "Online Materials 1)"),
    TextErratum("001-references-numbering", S1, "'References'", "5. Xavier Glorot et al",
                "the references restart at 5 then 2, 3, …: in-text numbers 1–4 point to two "
                "entries each"),
)

UNTRANSCRIBED = (
    Untranscribed(S1, "'BN', prose", "Layer Normalization (LN)<sup>27</sup> is a more popular choice",
                  "LN, IN, GN and WN are described in words only, as variants of BN: no formula "
                  "of their own to transcribe (the references test them against finite "
                  "differences)"),
)
