"""What compiled mode keeps for reuse: compiled functions, least recently used out.

Every adapter keeps its compiled functions (``torch.compile``, ``jax.jit``,
``tf.function``) keyed by module, attributes, arguments and dtype, and each function holds
the programs of every shape it has seen (torch: up to ``RECOMPILE_LIMIT`` graphs; JAX and
XLA: one executable per shape). Cases run module by module, variant by variant, so a key
is asked for again within a case and seldom after it: kept without bound, a full-profile
shard worker would hold the programs of every case it ever ran. The bound is on the number
of compiled functions: a dropped function lets its programs go (each function has
its own code object, ``common.own_code``, on which torch and TensorFlow hang their caches;
JAX's are weakly keyed by the function), but for what the framework keeps itself.

``SIZE`` = 32 functions, more than the keys one case asks for (one per derivative route,
module variant and argument set), so a case never recompiles what it just compiled.
Measured (torch 2.13, CPU): 14 compiled functions (elementwise ops, 3 shapes each, forward
and backward) grew a worker by 33 MiB, 2.4 MiB a function. What the framework itself keeps
is outside this bound (Inductor keeps every generated module it loaded, for the process's
life); a shard's peak memory per worker is in results.json ``run.peak_rss_mb``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable

SIZE = 32


class ProgramCache:
    """An LRU map of at most ``size`` entries; ``get_or_make`` builds what is missing."""

    def __init__(self, size: int = SIZE):
        if size < 1:
            raise ValueError(f"a program cache holds at least one entry, not {size}")
        self.size = size
        self.evicted = 0
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key) -> bool:
        return key in self._items

    def get(self, key):
        fn = self._items.get(key)
        if fn is not None:
            self._items.move_to_end(key)
        return fn

    def put(self, key, fn) -> None:
        self._items[key] = fn
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
            self.evicted += 1

    def clear(self) -> None:
        self.evicted += len(self._items)
        self._items.clear()

    def get_or_make(self, key, make: Callable[[int], Any]):
        """The entry under ``key``; else ``make(n)`` (n: how many were made before, for a
        distinct name), kept."""
        fn = self.get(key)
        if fn is None:
            fn = make(len(self._items) + self.evicted)
            self.put(key, fn)
        return fn


def programs(adapter, name: str) -> ProgramCache:
    """The adapter's cache called ``name`` (created on first use)."""
    cache = adapter.__dict__.get(name)
    if cache is None:
        cache = adapter.__dict__[name] = ProgramCache()
    return cache


def clear_all(adapter) -> int:
    """Drop every compiled function the adapter keeps (each ``ProgramCache`` it holds);
    returns how many were dropped."""
    dropped = 0
    for value in list(vars(adapter).values()):
        if isinstance(value, ProgramCache):
            dropped += len(value)
            value.clear()
    return dropped
