"""The quick profile's size policy: which size classes a variant runs, and in which dtype,
so that the default run reaches every class of every module once (README, "Sizes")."""

from __future__ import annotations

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
