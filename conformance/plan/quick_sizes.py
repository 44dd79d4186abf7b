"""The quick profile's size policy: which size classes a variant runs, and in which dtypes,
so that the default run reaches every class of every module once (README, "Sizes"), and
the large classes of every few variants in bfloat16 or float16 as well."""

from __future__ import annotations

from functools import lru_cache

from conformance.model.sizes import SizeClass, _sizes
from conformance.specs import SPECS


def quick_classes(spec, variant) -> tuple[SizeClass, ...]:
    """The classes one variant runs in the quick profile (module docstring)."""
    sizes = _sizes(spec, variant)
    if sizes is None:
        return ()
    classes = tuple(c for c in sizes.classes(variant.attrs) if c.quick)
    if not classes:
        return ()
    plain = [other for other in spec.variants if not getattr(other, "dims", None)]  # sized ones
    v = len(plain)
    i = next((k for k, other in enumerate(plain) if other.name == variant.name), 0)
    k = len(classes)
    if v >= k:  # class j on variant ⌊j·V/K⌋: each class once, spread over the variants
        chosen = {j * v // k: j for j in range(k)}
        return (classes[chosen[i]],) if i in chosen else ()
    return tuple(c for j, c in enumerate(classes) if j % v == i % v)


# The dtypes the quick profile runs large shapes in, one per variant (below).
QUICK_DTYPES = ("float32", "float64")


def quick_dtype(spec, variant) -> str:
    """The one dtype in which the quick profile runs a variant's large shapes: the
    variants of the whole spec table take float32 and float64 in turn (so does a module's
    own list of variants, and single-variant modules alternate down the table). Each
    large example costs about a third of a case again in JAX, which compiles per shape;
    one dtype per variant keeps the default run within its budget, and the full profile
    draws large shapes in every dtype."""
    index = 0
    for other in SPECS:
        for v in other.variants:
            if other.name == spec.name and v.name == variant.name:
                return QUICK_DTYPES[index % len(QUICK_DTYPES)]
            index += 1
    return QUICK_DTYPES[0]


# The low-precision rotation: of the variants that run large classes in the quick profile
# and take bfloat16/float16, every LOW_EVERY-th down the spec table also runs them in one
# of LOW_DTYPES (in turn). Low-precision kernels pick their own blocking and accumulators
# at large sizes (a bfloat16 sum that accumulates in bfloat16 only drifts past a few
# hundred terms), which the pool's small shapes do not reach; one extra large example
# per chosen variant keeps the cost to about one in LOW_EVERY of the large examples.
LOW_DTYPES = ("bfloat16", "float16")
LOW_EVERY = 4


def _low_allowed(spec, variant) -> tuple[str, ...]:
    return tuple(d for d in LOW_DTYPES if d in spec.dtypes
                 and (not getattr(variant, "dtypes", ()) or d in variant.dtypes))


@lru_cache(maxsize=None)
def _low_table() -> dict[tuple[str, str], str]:
    table, index = {}, 0
    for spec in SPECS:
        for v in spec.variants:
            allowed = _low_allowed(spec, v)
            if not allowed or not quick_classes(spec, v):
                continue
            if index % LOW_EVERY == 0:
                turn = LOW_DTYPES[(index // LOW_EVERY) % len(LOW_DTYPES)]
                table[(spec.name, v.name)] = turn if turn in allowed else allowed[0]
            index += 1
    return table


def quick_low_dtype(spec, variant) -> str | None:
    """The low-precision dtype in which the quick profile also runs a variant's large
    shapes (the rotation above), or None."""
    return _low_table().get((spec.name, variant.name))


def quick_large_dtypes(spec, variant) -> tuple[str, ...]:
    """Every dtype in which the quick profile runs a variant's large shapes."""
    low = quick_low_dtype(spec, variant)
    return (quick_dtype(spec, variant),) + ((low,) if low else ())
