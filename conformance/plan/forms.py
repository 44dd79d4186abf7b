"""Which forms a case gets (``conformance.model.forms``) and the dims it runs them at.

A module's forms (declared in ``conformance/specs/forms.py``) run on one of its variants
(``forms_variant``), for every framework, in each dtype the selection asks for — in the
quick profile only in the variant's quick dtype (``sizes.quick_dtype``). A form part that
names a dim the module does not draw, or a layout no argument can take (every argument of
rank < 2; channels_last without a 4-D/5-D image argument), does not apply.

The quick profile runs each form once, at one example: the largest shape of the small pool
(the upper corner of the small ranges; the smallest has dims of 1 that make an axis or a
layout form vacuous) with the form's dims set to 1. The full profile draws dims inside the
small ranges (the form's dims still 1) and seeds with Hypothesis.
"""

from __future__ import annotations

from adapters.forms import DATA_FORMAT_PARTS

from conformance.model import forms as F
from conformance.model.sizes import small_ranges
from conformance.specs.forms import forms_of, forms_variant

# Examples per form case in the full profile (each costs a canonical call beside it).
FULL_EXAMPLES = 12


def _applies(spec, variant, form: str) -> bool:
    ranges = small_ranges(spec, variant)
    for d in F.ones_of(form):
        if d not in ranges:
            return False
    declared = forms_of(spec)
    for p in F.layouts_of(form):
        image = p in DATA_FORMAT_PARTS
        ranks = [len(a.shape) for a in spec.args if not image or a.name in declared.images]
        need = (4, 5) if image else range(2, 99)
        if not any(r in need for r in ranks):
            return False
    return True


def forms_for(spec, variant) -> list[str]:
    """The non-canonical forms a case of ``spec``'s ``variant`` gets ([] for a variant
    that is not the module's forms variant)."""
    chosen = forms_variant(spec)
    if chosen is None or chosen.name != variant.name:
        return []
    return [f for f in forms_of(spec).all() if _applies(spec, variant, f)]


def form_point(spec, variant, form: str) -> dict[str, int]:
    """The quick profile's one shape for ``form``: the small ranges' upper corner with the
    form's dims set to 1."""
    dims = {k: hi for k, (lo, hi) in small_ranges(spec, variant).items()}
    return {**dims, **{d: 1 for d in F.ones_of(form)}}


def form_ranges(spec, variant, form: str) -> dict[str, tuple[int, int]]:
    """The full profile's ranges for ``form``: the small ranges with its dims pinned to 1."""
    return {**small_ranges(spec, variant), **{d: (1, 1) for d in F.ones_of(form)}}
