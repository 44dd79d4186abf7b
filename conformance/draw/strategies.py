"""Hypothesis strategies: what one example of a case is, and how it becomes arrays.

An example is ``{"dims": {...}, "seed": int}``. Hypothesis draws (and shrinks) both; the
values come from the spec's domains through ``numpy.random.default_rng(seed)``. An
example therefore prints as one short JSON object and replays exactly with
``python -m conformance repro``.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from hypothesis import strategies as st

from conformance.plan.profiles import Profile
from conformance.model.sizes import all_classes
from conformance.draw.representable import distinct_rounded, rounded
from conformance.model.spec import UNIT_ROUNDOFF
from conformance.model.spec import ModuleSpec, Variant

SEED_MAX = 2**32 - 1


def shape_pool(ranges: Mapping[str, tuple[int, int]]) -> list[dict[str, int]]:
    """Smallest, largest and middle dims: the quick profile's fixed shapes."""
    pool = [{k: lo for k, (lo, hi) in ranges.items()},
            {k: hi for k, (lo, hi) in ranges.items()},
            {k: (lo + hi + 1) // 2 for k, (lo, hi) in ranges.items()}]
    unique: list[dict[str, int]] = []
    for dims in pool:
        if dims not in unique:
            unique.append(dims)
    return unique


def _free(ranges: Mapping[str, tuple[int, int]]) -> st.SearchStrategy:
    return st.fixed_dictionaries({k: st.integers(lo, hi) for k, (lo, hi) in ranges.items()})


def dims_strategy(spec: ModuleSpec, variant: Variant, profile: Profile,
                  dtype: str | None = None) -> st.SearchStrategy:
    """The quick profile: the small shape pool (its large shapes run in the sizes run,
    ``conformance.run.search``). The full profile: free small dims, or free dims inside one of
    the module's size classes (``conformance.model.sizes``); Hypothesis shrinks toward the first,
    the small ranges, then toward each range's low end."""
    ranges = {**spec.dims(variant.attrs), **getattr(variant, "dims", {})}
    if not profile.free_shapes:
        pool = shape_pool(ranges)
        if dtype in UNIT_ROUNDOFF and getattr(profile, "low_precision_shapes", None):
            # bfloat16/float16 in the quick profile: the largest shapes (longest reductions)
            pool = pool[1:1 + profile.low_precision_shapes] or pool
        return st.sampled_from(pool)
    return st.one_of(_free(ranges), *(_free(c.ranges) for c in all_classes(spec, variant)))


def example_strategy(spec: ModuleSpec, variant: Variant, profile: Profile,
                     dtype: str | None = None) -> st.SearchStrategy:
    return st.fixed_dictionaries({"dims": dims_strategy(spec, variant, profile, dtype),
                                  "seed": st.integers(0, SEED_MAX)})


def shapes_of(spec: ModuleSpec, dims: Mapping[str, int]) -> dict[str, tuple[int, ...]]:
    """Each argument's shape: a dim name is looked up in ``dims``; a callable entry (a
    derived dim, e.g. channels = groups × channels per group) is called with ``dims``."""
    return {a.name: tuple(int(d(dims)) if callable(d) else int(dims[d]) for d in a.shape)
            for a in spec.args}


def make_inputs(spec: ModuleSpec, variant: Variant, example: Mapping[str, Any],
                dtype: str) -> tuple[dict[str, np.ndarray], np.random.Generator]:
    """The example's arguments, rounded to ``dtype`` (and returned as that dtype), plus
    the generator, positioned to draw the cotangent next."""
    rng = np.random.default_rng(example["seed"])
    shapes = shapes_of(spec, example["dims"])
    inputs = {}
    for arg in spec.args:
        domain = variant.domains.get(arg.name, arg.domain)
        values = np.asarray(domain.sample(shapes[arg.name], rng))
        inputs[arg.name] = (distinct_rounded(values, dtype) if getattr(domain, "distinct", False)
                            else rounded(values, dtype))
    return inputs, rng


def make_cotangent(shape: tuple[int, ...], rng: np.random.Generator, dtype: str) -> np.ndarray:
    """A cotangent drawn uniformly in [-1, 1] (away from special values), in ``dtype``."""
    return rounded(rng.uniform(-1.0, 1.0, size=shape), dtype)
