"""The Hypothesis searches of one case: a values run, a sizes run, and a size shrink.

1. **Values run** (today's search): ``max_examples`` examples from the profile's strategy
   (the quick profile: the small shape pool; the full profile: free small dims and free
   dims inside every size class, see ``strategies.dims_strategy``).
2. **Sizes run**: every large shape of the case (``sizes.quick_classes`` in the quick
   profile, in the variant's quick dtype ``sizes.quick_dtype`` and for every few variants
   in bfloat16 or float16 too ``quick_sizes.quick_low_dtype``; every class in the
   full one) exactly once, with one seed derived from the run seed and the module variant
   and dtype (the same large example for every framework).
   The space is finite (the pool × one seed), so Hypothesis enumerates all of it; the
   ``body`` caches outcomes, so Hypothesis' repeated draws cost nothing.
3. **Size shrink**, only when a large shape fails (in the sizes run, or a free large
   shape of the full profile's values run, which Hypothesis has already shrunk inside its
   size class): the failing seed at every smaller shape of the small pool and the size
   classes, sorted by size. Hypothesis enumerates that too and reports the first
   (smallest) shape that fails, which the record then carries.

``body(example)`` raises ``CaseFailure`` (carrying ``.example``) for a failing example.
"""

from __future__ import annotations

import math
import zlib

from hypothesis import given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from references._blas import single_threaded

from conformance.model.forms import CANONICAL
from conformance.model.sizes import all_classes, crossed, small_ranges
from conformance.plan.quick_sizes import quick_classes, quick_large_dtypes
from conformance.draw.strategies import example_strategy, shape_pool, shapes_of

# Hypothesis draws the members of a small finite space repeatedly before it knows the space
# is exhausted (about twice each); this many draws per member covers it with margin.
DRAWS_PER_MEMBER = 10


def large_points(case, profile) -> list[dict[str, int]]:
    """The case's large shapes: in the quick profile its variant's quick classes, in the
    variant's quick dtype (``quick_sizes.quick_dtype``) and, for every few variants, one
    low-precision dtype (``quick_sizes.quick_low_dtype``); in the full profile every class."""
    if not profile.free_shapes and case.dtype not in quick_large_dtypes(case.spec, case.variant):
        return []
    classes = (quick_classes if not profile.free_shapes else all_classes)(case.spec, case.variant)
    points: list[dict[str, int]] = []
    for c in classes:
        if c.point not in points:
            points.append(c.point)
    return points


def sizes_seed(case, seed: int) -> int:
    return (zlib.crc32(f"{case.module_id}-{case.dtype}".encode()) ^ seed) & 0xFFFFFFFF


def _size(spec, dims) -> int:
    return sum(math.prod(s) for s in shapes_of(spec, dims).values())


def keyless(test):
    """A ``@given`` test that needs no database key: every search here runs with
    ``database=None`` under ``@seed``, yet Hypothesis would still hash the test's source
    (tokenising it) on every run to make one (``function_digest``; ~2 ms a search). The
    attribute is the one Hypothesis itself reads first; the result is unchanged."""
    test._hypothesis_internal_database_key = None
    return test


def _enumerate(body, pool, value_seed, base: settings, seed: int):
    strategy = st.fixed_dictionaries({"dims": st.sampled_from(pool), "seed": st.just(value_seed)})
    run = keyless(hypothesis_seed(seed)(settings(base, max_examples=DRAWS_PER_MEMBER * len(pool))(
        given(example=strategy)(body))))
    run()


def _shrink_size(body, case, example, candidates, base, seed):
    """Replay ``example``'s seed at every candidate shape smaller than its own (and at its
    own), smallest first: Hypothesis reports the smallest that fails."""
    spec, dims = case.spec, example["dims"]
    pool = []
    for p in sorted(candidates, key=lambda d: _size(spec, d)):
        if _size(spec, p) < _size(spec, dims) and p not in pool:
            pool.append(p)
    _enumerate(body, pool + [dims], example["seed"], base, seed)


def search(body, case, profile, base: settings, *, seed: int, failure=AssertionError) -> None:
    """Run the searches (module docstring); a failure propagates as ``failure``."""
    single_threaded()  # the references' small matmuls (references/_blas.py)
    if getattr(case, "form", CANONICAL) != CANONICAL:
        return _search_form(body, case, profile, base, seed=seed)
    small = shape_pool(small_ranges(case.spec, case.variant))
    classes = [c.point for c in all_classes(case.spec, case.variant)]
    values = example_strategy(case.spec, case.variant, profile, case.dtype)
    try:
        keyless(hypothesis_seed(seed)(base(given(example=values)(body))))()
    except failure as exc:
        failing = getattr(exc, "example", None)
        if failing is None or failing["dims"] in small:
            raise
        # a free large shape (full profile): Hypothesis shrank it inside its size class;
        # the smaller classes and the small pool may fail too
        _shrink_size(body, case, failing, small + classes, base, seed)
        raise
    points = large_points(case, profile)
    if not points:
        return
    try:
        _enumerate(body, points, sizes_seed(case, seed), base, seed)
    except failure as exc:
        failing = getattr(exc, "example", None)
        if failing is None:
            raise
        upto = points[:points.index(failing["dims"]) + 1]
        _shrink_size(body, case, failing, small + upto, base, seed)
        raise  # the failing large shape passes under replay: report it as it was


def _search_form(body, case, profile, base: settings, *, seed: int) -> None:
    """A form case (``conformance.plan.forms``): in the quick profile one example at the
    form's shape with the sizes run's seed; in the full profile Hypothesis draws dims (the
    form's dims pinned to 1) and seeds."""
    from conformance.plan.forms import FULL_EXAMPLES, form_point, form_ranges

    if not profile.free_shapes:
        point = form_point(case.spec, case.variant, case.form)
        return _enumerate(body, [point], sizes_seed(case, seed), base, seed)
    ranges = form_ranges(case.spec, case.variant, case.form)
    values = st.fixed_dictionaries({
        "dims": st.fixed_dictionaries({k: st.integers(lo, hi) for k, (lo, hi) in ranges.items()}),
        "seed": st.integers(0, 2**32 - 1)})
    run = settings(base, max_examples=min(base.max_examples, FULL_EXAMPLES))
    keyless(hypothesis_seed(seed)(run(given(example=values)(body))))()


def replay(outcome, example, acc, failure) -> None:
    """Raise ``failure`` (carrying ``.example``) when ``outcome`` failed, noting it as the
    case's failing example; return quietly when it passed."""
    if outcome.passed:
        return
    acc.failing = (outcome, example)
    exc = failure("; ".join(c.describe() for c in outcome.checks if not c.passed))
    exc.example = example
    raise exc


def sized_fields(case, dims_list) -> dict:
    """The record fields of the size dimension: the distinct dims run and, per threshold
    that applies to the module, whether one of them crossed it."""
    return {"shapes": [dict(d) for d in dims_list],
            "thresholds": crossed(case.spec, case.variant, dims_list, shapes_of)}
