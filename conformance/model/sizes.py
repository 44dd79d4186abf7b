"""The size dimension: large shapes that cross the thresholds where kernels change path.

Framework kernels switch code path with size: vector loops with scalar tails (widths 8,
16, 32, 64), reductions and elementwise loops that go parallel above a grain (PyTorch:
32,768 elements), blocked GEMM / convolution algorithms picked by shape, recurrences over
long sequences. Small shapes never reach those paths, so besides its small ranges a
module declares *size classes* (``ModuleSpec.sizes``, written once per family in
``conformance/specs/sizes.py``, with the reasons for each size):

* a :class:`SizeClass` is a box of dims ranges whose every point crosses the thresholds
  it is declared for; the quick profile runs its upper corner (one fixed shape: JAX
  compiles per shape), the full profile draws freely inside the box;
* :class:`Sizes` holds a module's classes and the thresholds that apply to it, each
  with the measure that decides whether a drawn example crossed it.

Which classes a case runs in the quick profile (:func:`quick_classes`), among the K
classes not marked full-profile-only: a module with V ≥ K variants runs class ``j`` once,
on variant ⌊j·V/K⌋ (spread over the variants; the others run none); one with fewer
variants gives variant ``i`` every class ``j ≡ i (mod V)``; each in one dtype
(:func:`quick_dtype`). Either way every such class runs for every module — the threshold
coverage the quick profile promises is per module — and a module's large examples cost K
compiles, not V (measured over the default float32/float64 run: every variant with a large
shape cost +31 % of wall time, once per class per module about half of that). The full
profile draws every class for every variant. (JAX compiles per shape: one large shape shared by a family's cases is compiled
once per primitive, which is why most families have one quick class that crosses all
their thresholds.) Records carry the distinct dims run (``shapes``) and, for every
threshold that applies, whether an example crossed it (``thresholds``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

Dims = Mapping[str, int]
Measure = Callable[[Mapping[str, tuple[int, ...]], Dims, Mapping[str, Any]], float]

# name: (what crosses it, why it matters). The predicate is applied to the threshold's
# measure (declared per family in ``Sizes.thresholds``).
THRESHOLDS: dict[str, tuple[Callable[[float], bool], str]] = {
    "row-tail>64": (lambda n: n > 64 and n % 8 != 0,
                    "innermost axis longer than 64 and not a multiple of 8: full vectors of "
                    "width 8/16/32/64 and then a scalar tail"),
    "row>=1000": (lambda n: n >= 1000, "innermost axis of 1,000+ (a long vectorised row, "
                                       "blocked reductions)"),
    "elements>32768": (lambda n: n > 32768, "more than 32,768 elements: PyTorch's grain size, "
                                            "above which elementwise and reduction loops split "
                                            "across threads"),
    "elements>=100000": (lambda n: n >= 100_000, "about 100,000 elements: several parallel "
                                                 "chunks, each with its own vector tail"),
    "batch>64": (lambda n: n > 64, "batch past 64 (GEMM / convolution blocking over the batch)"),
    "channels>64": (lambda n: n > 64, "channels, features or hidden units past 64 (GEMM "
                                      "blocking, channel-blocked convolution and norm kernels)"),
    "image>32x32": (lambda n: n > 32, "spatial extent past 32 on every image axis (tiled "
                                      "convolution and pooling kernels)"),
    "steps>=50": (lambda n: n >= 50, "sequences of 50+ steps (error carried through a long "
                                     "recurrence; long 1-D signals)"),
    "field>=16": (lambda n: n >= 16, "a receptive field (dilated kernel extent) of 16+ on an "
                                     "axis"),
}


def largest(shapes: Mapping[str, tuple[int, ...]]) -> tuple[int, ...]:
    """The shape of the argument with the most elements (first one on ties)."""
    return max(shapes.values(), key=math.prod, default=())


def row(shapes, _dims, _attrs) -> float:
    """The innermost axis of the largest argument: what a vector loop runs along."""
    shape = largest(shapes)
    return float(shape[-1]) if shape else 0.0


def elements(shapes, _dims, _attrs) -> float:
    """The element count of the largest argument."""
    return float(math.prod(largest(shapes)))


def dim(*names: str) -> Measure:
    """The largest of the named dims (a derived dim may be a callable of dims)."""
    def measure(_shapes, dims, _attrs):
        values = [n(dims) if callable(n) else dims.get(n, 0) for n in names]
        return float(max(values, default=0))
    return measure


def smallest_dim(*names: str) -> Measure:
    """The smallest of the named dims (an image crosses 32×32 when every axis does)."""
    def measure(_shapes, dims, _attrs):
        return float(min(dims.get(n, 0) for n in names))
    return measure


@dataclass(frozen=True)
class SizeClass:
    """A box of dims: ``ranges`` as in ``ModuleSpec.dims`` (every dim the module draws);
    ``why`` says what it is for. The quick profile runs the upper corner."""

    name: str
    ranges: Mapping[str, tuple[int, int]]
    why: str = ""
    quick: bool = True  # False: the full profile only (what another class already covers)

    @property
    def point(self) -> dict[str, int]:
        return {k: hi for k, (lo, hi) in self.ranges.items()}


@dataclass(frozen=True)
class Sizes:
    """A module's large shapes: ``classes(attrs)`` gives the size classes of a variant;
    ``thresholds`` maps each threshold that applies (a key of ``THRESHOLDS``) to its
    measure."""

    classes: Callable[[Mapping[str, Any]], tuple[SizeClass, ...]]
    thresholds: Mapping[str, Measure] = field(default_factory=dict)


def _sizes(spec, variant):
    """The module's Sizes, or None: a variant with dims of its own (a long row for a
    low-precision accumulator, a range near overflow) keeps exactly those."""
    return None if getattr(variant, "dims", None) else getattr(spec, "sizes", None)


def small_ranges(spec, variant) -> dict[str, tuple[int, int]]:
    """The variant's small dims ranges: the module's, with the variant's own on top."""
    return {**spec.dims(variant.attrs), **(getattr(variant, "dims", None) or {})}


def all_classes(spec, variant) -> tuple[SizeClass, ...]:
    sizes = _sizes(spec, variant)
    return tuple(sizes.classes(variant.attrs)) if sizes is not None else ()


def crossed(spec, variant, dims_list, shapes_of) -> dict[str, bool]:
    """For every threshold that applies to ``spec``: did any of ``dims_list`` cross it?"""
    sizes = _sizes(spec, variant)
    if sizes is None:
        return {}
    out = {}
    for name, measure in sizes.thresholds.items():
        predicate = THRESHOLDS[name][0]
        out[name] = any(predicate(measure(shapes_of(spec, d), d, variant.attrs))
                        for d in dims_list)
    return out
