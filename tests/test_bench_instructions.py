"""The instruction counter: callgrind's dumps read back into instructions per call (N, 2N,
3N regions: the region's fixed cost cancels), client requests that are no-ops off
Valgrind, and — where valgrind is installed — a real count of the NumPy worker in which a
planted 20% of extra work shows as at least 20% more instructions. Nothing here asserts
how fast anything is."""

import platform

import pytest

from conformance.bench import callgrind
from conformance.bench.count import count_cases, count_instructions


def dump(path, label, total):
    path.write_text(f"version: 1\ncreator: callgrind-3.19.0\ndesc: Trigger: Client Request: {label}\n"
                    f"events: Ir\nsummary: {total}\ntotals: {total}\n")


def test_dumps_become_instructions_per_call(tmp_path):
    for i, (k, total) in enumerate([(1, 1500), (2, 2500), (3, 3502)]):
        dump(tmp_path / f"cg.out.{i + 1}", f"relu-numpy-float32-cpu:forward|{k}", total)
    (tmp_path / "cg.out").write_text("desc: Trigger: Program termination\ntotals: 0\n")
    counts = callgrind.read_dumps(sorted(tmp_path.glob("cg.out*")))
    assert counts == {"relu-numpy-float32-cpu:forward": {1: 1500, 2: 2500, 3: 3502}}
    row = callgrind.per_call(counts["relu-numpy-float32-cpu:forward"])
    assert row["per_call"] == 1001.0 and row["jitter"] == pytest.approx(2 / 1001)
    assert callgrind.per_call({1: 10, 2: 20}) is None


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="client requests: x86-64 only")
def test_client_requests_are_no_ops_off_valgrind():
    requests = callgrind.ClientRequests()
    assert not requests.on_valgrind()
    assert requests(callgrind.TOGGLE_COLLECT, default=7) == 7
    seen = []
    callgrind.count_calls(requests, "x", lambda: seen.append(1), lambda _r: None, n=2, warmup=1)
    assert len(seen) == 1 + 2 + 4 + 6


def test_counted_rows_are_the_timed_rows_at_small_shapes():
    cases = count_cases(framework="numpy", modules=["softmax", "conv2d"], dtypes=["float32"],
                        passes=["forward+vjp"])
    assert [c.id for c in cases] == ["softmax-numpy-float32-cpu:forward+vjp",
                                     "conv2d[k=3]-numpy-float32-cpu:forward+vjp"]
    assert cases[0].dims["N"] == 40 and cases[1].dims["N"] == 10


@pytest.mark.slow
@pytest.mark.skipif(callgrind.supported() is not None, reason=str(callgrind.supported()))
def test_planted_extra_work_shows_in_the_counts(monkeypatch):
    monkeypatch.setenv("PLANTED_BENCH_MODULE", "softmax")
    monkeypatch.setenv("PLANTED_BENCH_FRACTION", "0.2")
    kw = dict(framework="numpy", modules=["softmax"], passes=["forward+vjp"], log=lambda *_: None)
    base = count_instructions(**kw)
    slow = count_instructions(**kw, timing="tests.planted_bench:SlowNumpy")
    assert base["_"]["on_valgrind"] and base["_"]["threads"]["requested"] == 1
    row = "softmax-numpy-float32-cpu:forward+vjp"
    assert base[row]["per_call"] > 0 and base[row]["jitter"] < 0.01  # a count, not a timing: steady
    # the plant: the op again on a fifth of the rows, plus the call's own overhead
    assert 1.2 <= slow[row]["per_call"] / base[row]["per_call"] < 1.35
