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
