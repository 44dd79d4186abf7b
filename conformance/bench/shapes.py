"""Fixed, representative benchmark shapes per module (the spec table's shapes are tiny on
purpose: they are for correctness).

``BENCH[module] = {"variant": name, "dims": {...}}``. ``dims`` override the module's dims
ranges by name; a dimension the module does not have is ignored (so an entry written for
a module that another family file later defines with other dim names still loads). A
module without an entry (or a dimension without an override) gets the maximum of its
dims range, with a batch dimension ``N`` of at least ``DEFAULT_BATCH``.

``SCALING[module]`` lists dims for the scaling plot; the first module present in the
spec table and in the selection gets one (forward+VJP, eager).
"""

from __future__ import annotations

from typing import Any, Mapping

DEFAULT_BATCH = 32

_ROWS = {"N": 256, "D": 1024}  # reductions / softmax / losses: 256 rows of 1024
_FLAT = {"N": 256, "D": 1024}  # elementwise: 256 × 1024 = 262k elements
_IMG = {"N": 16, "C": 32, "H": 64, "W": 64}

BENCH: dict[str, dict[str, Any]] = {
    **{m: {"dims": _FLAT} for m in ("add", "multiply", "switch", "relu", "leaky_relu", "elu",
                                     "selu", "sigmoid", "softplus", "tanh")},
    **{m: {"dims": _ROWS} for m in ("sum", "max", "softmax", "cross_entropy", "squared_error",
                                     "softmax_cross_entropy")},
    "dropout": {"variant": "injected", "dims": _FLAT},
    "max_pool2d": {"variant": "k=2,s=2", "dims": _IMG},
    "avg_pool2d": {"variant": "k=2,s=2", "dims": _IMG},
    # Linear family (conv channels are derived: C = G·Cg, M = G·Mg; G and the kernel
    # dims are fixed by the variant).
    "linear": {"dims": {"N": 256, "I": 512, "O": 512}},
    "conv1d": {"variant": "k=3,s=2,p=1", "dims": {"N": 16, "Cg": 32, "Mg": 64, "L": 256}},
    "conv2d": {"variant": "k=3", "dims": {"N": 8, "Cg": 32, "Mg": 64, "H": 32, "W": 32}},
    "conv3d": {"variant": "k=3,s=2,p=1,no-bias", "dims": {"N": 4, "Cg": 16, "Mg": 32, "D": 16, "H": 16, "W": 16}},
    "separable_conv2d": {"variant": "k=2,same", "dims": {"N": 8, "C": 32, "Q": 1, "M": 64, "H": 32, "W": 32}},
    # Recurrent (time-major x (T, N, I)): the frameworks' native cell forms.
    "simple_rnn": {"dims": {"T": 32, "N": 32, "I": 128, "H": 128}},
    "lstm": {"variant": "form=standard", "dims": {"T": 32, "N": 32, "I": 128, "H": 128}},
    "gru": {"variant": "form=reset_after", "dims": {"T": 32, "N": 32, "I": 128, "H": 128}},
    # Attention: one row set per kernel (a framework without it skips); 8 heads of 64.
    "scaled_dot_product_attention": {
        "variants": ("kernel=math", "kernel=flash"), "scaling_passes": ("forward", "forward+vjp"),
        "dims": {"N": 1, "H": 8, "Tq": 512, "Tk": 512, "D": 64}},
    "multi_head_attention": {"variant": "h=2", "dims": {"N": 4, "Tq": 256, "Tk": 256, "Dh": 64}},
}

SCALING: dict[str, list[dict[str, int]]] = {
    "conv2d": [{"H": s, "W": s} for s in (8, 16, 32, 64)],
    "lstm": [{"T": t} for t in (8, 16, 32, 64)],
    "softmax": [{"N": 64, "D": d} for d in (256, 1024, 4096, 16384)],
    "scaled_dot_product_attention": [{"Tq": t, "Tk": t} for t in (128, 256, 512, 1024, 2048)],
}

# The quick default selection (< 2 min on 2 cores): a convolution and a recurrent layer
# (FLOP-counted, against the GEMM ceiling) and a reduction; --modules for the others.
DEFAULT_MODULES = ("conv2d", "lstm", "softmax")


def bench_variant(spec):
    """The variant benchmarked: the table's choice, else the first that the framework
    computes deterministically (not one whose randomness it draws)."""
    name = BENCH.get(spec.name, {}).get("variant")
    if name is not None:
        try:
            return spec.variant(name)
        except KeyError:
            pass
    for v in spec.variants:
        if not v.draws_randomness:
            return v
    return spec.variants[0]


def bench_variants(spec):
    """Every variant benchmarked: the table's ``variants`` (e.g. one per attention kernel;
    a name the spec lacks is dropped), else the one of ``bench_variant``."""
    names = BENCH.get(spec.name, {}).get("variants")
    known = {v.name: v for v in spec.variants}
    chosen = [known[n] for n in names or () if n in known]
    return chosen or [bench_variant(spec)]


def scaling_passes(spec):
    """The passes of a module's scaling series: the table's ``scaling_passes``, else
    forward+VJP."""
    return tuple(BENCH.get(spec.name, {}).get("scaling_passes", ("forward+vjp",)))


def bench_dims(spec, variant, overrides: Mapping[str, int] | None = None) -> tuple[dict[str, int], str]:
    """(dims, source): the table's dims where named, else the ranges' maxima."""
    ranges = spec.dims(variant.attrs)
    dims = {k: int(hi) for k, (lo, hi) in ranges.items()}
    if "N" in dims:
        dims["N"] = max(dims["N"], DEFAULT_BATCH)
    table = BENCH.get(spec.name, {}).get("dims", {})
    used = {k: int(v) for k, v in table.items() if k in ranges}
    dims.update(used)
    dims.update({k: int(v) for k, v in (overrides or {}).items() if k in ranges})
    return dims, ("bench table" if used else "dims maxima")


def scaling_dims(spec, variant) -> list[dict[str, int]]:
    """The scaling series for ``spec`` (empty when its dims do not vary with the entry)."""
    series = [bench_dims(spec, variant, o)[0] for o in SCALING.get(spec.name, ())]
    unique = [d for i, d in enumerate(series) if d not in series[:i]]
    return unique if len(unique) > 1 else []


# Instruction counts (``conformance/bench/count.py``) run under Valgrind, ~50x slower than
# native: small shapes, yet large enough that a call's fixed overhead (Python, dispatch) is
# a few percent of its count. The leading axis of the first argument is 10 or a multiple,
# so a planted extra slice of 10% or 20% of it is whole rows.
_COUNT_ROWS = {"N": 40, "D": 1024}
COUNT: dict[str, dict[str, int]] = {
    **{m: _COUNT_ROWS for m in ("add", "multiply", "switch", "relu", "leaky_relu", "elu", "selu", "sigmoid",
                                "softplus", "tanh", "sum", "max", "softmax", "cross_entropy", "squared_error",
                                "softmax_cross_entropy", "dropout")},
    "max_pool2d": {"N": 10, "C": 8, "H": 16, "W": 16},
    "avg_pool2d": {"N": 10, "C": 8, "H": 16, "W": 16},
    "linear": {"N": 40, "I": 64, "O": 64},
    "conv1d": {"N": 10, "Cg": 8, "Mg": 16, "L": 64},
    "conv2d": {"N": 10, "Cg": 8, "Mg": 16, "H": 16, "W": 16},
    "conv3d": {"N": 10, "Cg": 4, "Mg": 8, "D": 8, "H": 8, "W": 8},
    "separable_conv2d": {"N": 10, "C": 8, "Q": 1, "M": 16, "H": 16, "W": 16},
    "simple_rnn": {"T": 10, "N": 8, "I": 32, "H": 32},
    "lstm": {"T": 10, "N": 8, "I": 32, "H": 32},
    "gru": {"T": 10, "N": 8, "I": 32, "H": 32},
    "scaled_dot_product_attention": {"N": 10, "H": 2, "Tq": 32, "Tk": 32, "D": 16},
    "multi_head_attention": {"N": 10, "Tq": 32, "Tk": 32, "Dh": 16},
}


def count_dims(spec, variant) -> dict[str, int]:
    """The small dims an instruction count runs at: the bench dims with ``COUNT``'s
    overrides (a module without an entry keeps its bench dims)."""
    return bench_dims(spec, variant, COUNT.get(spec.name))[0]
