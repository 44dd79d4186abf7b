"""What compiled mode keeps for reuse is bounded, and a recurrence compiles its step once for
every sequence length. Checked on the torch adapter's own code paths with a planted
framework (its ``compile`` returns a planted program holding a known number of bytes), so
no real framework is needed: the bound is the suite's, not torch's."""

from __future__ import annotations

import gc
import weakref
from types import SimpleNamespace

import pytest

from adapters.common import stepwise
from adapters.program_cache import SIZE, ProgramCache
from adapters.torch.adapter import TorchAdapter
from adapters.torch.derivatives import _forward as derivative_forward

PROGRAM_BYTES = 4 * 2**20


class Program:
    """A planted compiled program: the function it compiled and 4 MiB of 'code'."""

    def __init__(self, fn):
        self.fn, self.code = fn, bytearray(PROGRAM_BYTES)

    def __call__(self, *args, **kw):
        return self.fn(*args, **kw)


class PlantedTorch:
    def __init__(self):
        self._dynamo = SimpleNamespace(config=SimpleNamespace(recompile_limit=8,
                                                              fail_on_recompile_limit_hit=False))
        self.made, self.live = [], weakref.WeakSet()

    def compile(self, fn, fullgraph=False):
        program = Program(fn)
        self.made.append(fn.__name__)
        self.live.add(program)
        return program


class PlantedAdapter(TorchAdapter):
    def __init__(self, ops):
        super().__init__()
        self._planted_ops, self.planted = ops, PlantedTorch()

    def _load(self):
        return self.planted

    def ops(self):
        return self._planted_ops


def scale(x, k=1.0):
    return x * k


def _step(x_t, h):
    return (h + x_t,)


@stepwise
def running_sum(x, h0, compile_step=None):
    step = _step if compile_step is None else compile_step(_step)
    ys = []
    for t in range(len(x)):
        (h0,) = step(x[t], h0)
        ys.append(h0)
    return ys, h0


def test_cache_keeps_the_most_recently_used():
    cache = ProgramCache(size=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2 and cache.evicted == 1
    with pytest.raises(ValueError):
        ProgramCache(size=0)


def test_names_stay_distinct_after_evictions():
    cache, names = ProgramCache(size=2), []
    for key in range(5):
        cache.get_or_make(key, lambda n: names.append(n) or n)
    assert names == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("path", ["first order", "derivatives"])
def test_a_long_run_keeps_at_most_SIZE_compiled_functions(path):
    """200 distinct keys (attributes drawn freely) through the adapter's compiled mode: at
    most SIZE planted programs stay alive, so their bytes are bounded by SIZE × 4 MiB,
    whatever the run's length; a key asked for again while kept is not compiled again."""
    adapter = PlantedAdapter({"scale": scale})
    forward = (adapter._forward if path == "first order"
               else lambda *a: derivative_forward(adapter, *a))
    for k in range(200):
        fn = forward("scale", {"k": float(k)}, ("x",), ("x",), "float32", "cpu", "compiled")
        assert fn(2.0) == 2.0 * k
        again = forward("scale", {"k": float(k)}, ("x",), ("x",), "float32", "cpu", "compiled")
        assert again is fn
    gc.collect()
    assert len(adapter.planted.made) == 200
    assert len(adapter.planted.live) <= SIZE
    assert sum(len(p.code) for p in adapter.planted.live) <= SIZE * PROGRAM_BYTES
    assert len(set(adapter.planted.made)) == 200  # each function its own name (code object)


def test_compiled_mode_raises_the_recompile_limit_and_fails_loudly():
    adapter = PlantedAdapter({"scale": scale})
    adapter._forward("scale", {}, ("x",), ("x",), "float32", "cpu", "compiled")
    cfg = adapter.planted._dynamo.config
    assert cfg.recompile_limit >= 2**4 and cfg.fail_on_recompile_limit_hit is True


def test_a_stepwise_op_compiles_its_step_once_for_every_length():
    """Compiled mode compiles the step of a time loop, not the whole op, once per key: the
    lengths 1, 8, 20 and 40 reuse one compiled step, and the results equal eager mode's."""
    adapter = PlantedAdapter({"running_sum": running_sum})
    for T in (1, 8, 20, 40):
        x = [float(t) for t in range(T)]
        eager = adapter._forward("running_sum", {}, ("x", "h0"), ("x",), "float32", "cpu", "eager")
        fn = adapter._forward("running_sum", {}, ("x", "h0"), ("x",), "float32", "cpu", "compiled")
        assert fn(x, 0.0) == eager(x, 0.0) == running_sum(x, 0.0)
    assert adapter.planted.made == ["forward_running_sum_0__step"]
