"""The gate catches a planted slowdown end to end: two real benchmark runs of the NumPy
worker (no framework needed), one through ``tests.planted_bench:SlowNumpy`` whose relu
forward+VJP does its work twice over (the op again on the whole batch); ``compare`` flags that row: "slower", or "inconclusive"
where the machine's load makes 2 processes a side too few to decide, never "same" (the
unplanted rows are not asserted on: on a loaded machine their own timings may move)."""

import pytest

from reports.compare import compare_paths

from conformance.bench.driver import run_bench


def _run(out, timing=None):
    code, path = run_bench(out=out, frameworks=["numpy"], modules=["relu"], passes=("forward", "forward+vjp"),
                           modes=("eager",), threads=1, scaling=False, gemm=True, log=lambda *_: None,
                           timing=timing, processes=2)
    assert code == 0 and path.exists()
    return path


@pytest.mark.slow
def test_planted_slowdown_is_caught(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANTED_BENCH_MODULE", "relu")
    monkeypatch.setenv("PLANTED_BENCH_FRACTION", "1.0")  # 2×: unmistakable even on a loaded machine
    base = _run(tmp_path / "base")
    slow = _run(tmp_path / "slow", "tests.planted_bench:SlowNumpy")
    c = compare_paths(base, slow, 0.10)
    planted = "relu-numpy-float32-cpu:forward+vjp"
    # slower on a quiet machine; on a loaded one (2 processes a side, other jobs running)
    # the band may be wider than 2x: then inconclusive — but never missed as "same"
    assert planted in [r[0] for r in c.slower + c.inconclusive], (c.slower, c.inconclusive)
    assert max(c.slower + c.inconclusive, key=lambda r: r[3])[0] == planted  # the largest ratio of all rows
    back = compare_paths(slow, base, 0.10)
    assert planted in [r[0] for r in back.faster + back.inconclusive] and planted not in [r[0] for r in back.slower]
