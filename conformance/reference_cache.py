"""The reference's results for one example, computed once for every framework.

Cases run module by module, variant by variant, then framework by framework, and an
example's arrays depend only on the module variant, the dtype and the example (the sizes
run's seed is shared by every framework: ``search.sizes_seed``). So the float64
reference forward and VJP of an example are the same for the four adapters; at the large
sizes they are the expensive part of a case (an LSTM's BPTT, a pooled 66 × 67-channel
map). A small LRU keeps the last results, keyed by everything they depend on; a variant
whose randomness the framework draws (its mask is recovered from the framework's output)
is never cached.
"""

from __future__ import annotations

import json
from collections import OrderedDict

SIZE = 16
_cache: OrderedDict = OrderedDict()


def key(case, example, kind: str, rules) -> tuple | None:
    if case.variant.draws_randomness:
        return None
    return (case.spec.name, case.variant.name, case.dtype, kind,
            json.dumps(example, sort_keys=True, default=str), json.dumps(rules, sort_keys=True))


def cached(k, compute):
    """``compute()``, or its earlier result under key ``k`` (None: do not cache)."""
    if k is None:
        return compute()
    if k in _cache:
        _cache.move_to_end(k)
        return _cache[k]
    value = compute()
    _cache[k] = value
    if len(_cache) > SIZE:
        _cache.popitem(last=False)
    return value
