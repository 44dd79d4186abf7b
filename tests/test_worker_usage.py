"""Each worker's peak memory and CPU seconds reach results.json ``run`` (the largest figure
a worker reported, per worker), from planted test reports; no framework needed."""

from types import SimpleNamespace

from conformance.harness.memory import CPU_KEY, KEY, MemoryHooks, cpu_seconds, peak_rss_kb


def report(worker, peak_kb, cpu):
    node = SimpleNamespace(gateway=SimpleNamespace(id=worker)) if worker else None
    return SimpleNamespace(node=node, user_properties=[(KEY, peak_kb), (CPU_KEY, cpu)])


def test_the_largest_figures_per_worker_are_kept():
    hooks = MemoryHooks()
    for r in (report("gw0", 2048, 10.0), report("gw0", 1024, 30.25), report("gw1", 4096, 5.0)):
        hooks.pytest_runtest_logreport(r)
    meta = hooks.run_meta()
    assert meta["peak_rss_mb"] == {"gw0": 2.0, "gw1": 4.0} and meta["peak_rss_mb_max"] == 4.0
    assert meta["cpu_s"] == {"gw0": 30.2, "gw1": 5.0} and meta["cpu_s_max"] == 30.2


def test_without_workers_the_figures_are_main_and_none_without_reports():
    hooks = MemoryHooks()
    assert hooks.run_meta() == {}
    hooks.pytest_runtest_logreport(report(None, 1024, 1.0))
    assert hooks.run_meta()["cpu_s"] == {"main": 1.0}


def test_this_process_has_figures():
    assert peak_rss_kb() > 0 and cpu_seconds() > 0


class _Kept:
    """An adapter with compiled programs kept, and a framework that keeps its own."""

    def __init__(self):
        from adapters.base import Adapter
        from adapters.program_cache import ProgramCache

        class A(Adapter):
            name = "kept"

            def _release_framework(self, framework):
                framework.released += 1

        self.adapter = A()
        self.adapter._framework = SimpleNamespace(released=0)
        self.cache = self.adapter.__dict__["_programs"] = ProgramCache()
        for k in range(5):
            self.cache.put(k, object())


def test_a_worker_over_its_bound_lets_go_of_every_kept_program(monkeypatch):
    from conformance.harness import memory

    monkeypatch.setenv(memory.KEEP_ENV, "100")
    monkeypatch.setattr(memory, "_floor", 0.0)
    monkeypatch.setattr(memory, "_releases", 0)
    kept = _Kept()
    assert memory.bound([kept.adapter], rss_mb=99.5) is False  # under the bound: all kept
    assert len(kept.cache) == 5 and kept.adapter._framework.released == 0
    before = memory._releases
    assert memory.bound([kept.adapter], rss_mb=100.5, after_mb=90.0) is True
    assert len(kept.cache) == 0 and kept.cache.evicted == 5
    assert kept.adapter._framework.released == 1 and memory._releases == before + 1
    # frameworks that hold more than the bound themselves: no release after every case,
    # only once the worker has grown REGROWTH_MB above what the last release left
    assert memory.bound([kept.adapter], rss_mb=90.0 + memory.REGROWTH_MB - 1) is False
    assert memory.bound([kept.adapter], rss_mb=700.0, after_mb=480.0) is True
    kept.cache.put("again", object())
    assert memory.bound([kept.adapter], rss_mb=480.0 + memory.REGROWTH_MB - 1) is False
    assert len(kept.cache) == 1
    assert memory.bound([kept.adapter], rss_mb=480.0 + memory.REGROWTH_MB + 1, after_mb=470.0) is True
    assert len(kept.cache) == 0
    # the count rides on the reports and reaches results.json
    hooks = MemoryHooks()
    hooks.pytest_runtest_logreport(SimpleNamespace(node=None, user_properties=[(memory.RELEASE_KEY, 3)]))
    assert hooks.run_meta()["program_releases"] == {"main": 3}


def test_the_bound_is_read_from_the_environment_and_refused_when_not_a_size(monkeypatch):
    import pytest

    from conformance.harness import memory

    monkeypatch.delenv(memory.KEEP_ENV, raising=False)
    assert memory.keep_mb() == memory.KEEP_MB
    monkeypatch.setenv(memory.KEEP_ENV, "0")
    assert memory.keep_mb() == 0
    for bad in ("lots", "-1"):
        monkeypatch.setenv(memory.KEEP_ENV, bad)
        with pytest.raises(ValueError, match=memory.KEEP_ENV):
            memory.keep_mb()


def test_the_frameworks_let_go_of_their_own_caches():
    """JAX's adapter clears JAX's caches, torch's resets torch.compile's only where it ran."""
    import sys

    from adapters.jax.adapter import JaxAdapter
    from adapters.torch.adapter import TorchAdapter

    calls = []
    JaxAdapter()._release_framework(SimpleNamespace(clear_caches=lambda: calls.append("jax")))
    saved = sys.modules.get("torch._dynamo")
    try:
        sys.modules["torch._dynamo"] = SimpleNamespace(reset=lambda: calls.append("dynamo"))
        TorchAdapter()._release_framework(SimpleNamespace())
    finally:
        if saved is None:
            sys.modules.pop("torch._dynamo", None)
        else:
            sys.modules["torch._dynamo"] = saved
    assert calls == ["jax", "dynamo"]
