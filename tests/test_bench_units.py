"""Benchmark pieces without timing anything: FLOP counts against the closed forms of
BENCHMARKING.md §7, shapes, the expansion into benchmark ids, and the synchronisation
of the timed callable (the clock never stops before a sync)."""

import pytest

from conformance.bench import shapes
from conformance.bench.cases import expand
from conformance.bench.flops import forward_flops, gemm, pass_flops
from conformance.bench.harness import Budget, BlockSync, Prepared, measure, plan
from conformance.bench.work import work_for
from conformance.model.domains import Uniform
from conformance.model.spec import PARAM, Arg, Citation, ModuleSpec
from conformance.specs import BY_NAME

def needs(module: str):
    """The module a test is about: a renamed or removed module fails loudly, never skips."""
    assert module in BY_NAME, f"{module} is not in the spec table: update the benchmark tests"
    return lambda test: test


def _bench_work(module):
    bc = next(c for c in expand(modules=[module], framework="numpy", devices=["cpu"], dtypes=["float32"],
                                modes=["eager"], passes=["forward"], scaling=False, gemm=False))
    return bc, work_for(bc)


@needs("linear")
def test_linear_flops_are_2mnk():
    _, w = _bench_work("linear")
    (n, i), (o, _) = w.shapes["x"], w.shapes["w"]
    assert w.flops == 2 * n * i * o


@needs("conv2d")
def test_conv2d_flops_are_2_n_m_cg_k2_out():
    _, w = _bench_work("conv2d")
    n, c, h, wd = w.shapes["x"]
    m, cg, kh, kw = w.shapes["w"]
    out_h, out_w = h - kh + 1, wd - kw + 1  # the benchmarked variant: k=3, stride 1, no padding
    assert w.flops == 2 * n * m * cg * kh * kw * out_h * out_w


@needs("lstm")
def test_lstm_flops_are_2_b_4h_i_plus_h_per_step():
    bc, w = _bench_work("lstm")
    t, b, i = w.shapes["x"]
    h = w.shapes["h0"][1]
    assert bc.variant == "form=standard"  # peepholes absent: not counted
    assert w.flops == t * 2 * b * 4 * h * (i + h)


def test_modules_without_weights_claim_no_flops():
    assert _bench_work("softmax")[1].flops is None
    assert pass_flops(None, "forward+vjp") is None and pass_flops(10, "forward+vjp") == 30
    assert gemm(1024) == 2 * 1024**3


def _fake_spec(dims):
    return ModuleSpec("fake", "test", (Arg("x", ("N", "D"), Uniform()), Arg("w", ("E", "D"), Uniform(), PARAM)),
                      lambda _a: dims, (Citation("s", "w"),), "y = x wᵀ")


def test_default_shape_is_the_ranges_maxima_with_a_real_batch():
    spec = _fake_spec({"N": (1, 3), "D": (2, 9), "E": (1, 4)})
    dims, source = shapes.bench_dims(spec, spec.variants[0])
    assert dims == {"N": shapes.DEFAULT_BATCH, "D": 9, "E": 4} and source == "dims maxima"
    assert forward_flops(spec, {"x": (32, 9), "w": (4, 9)}, [(32, 4)]) == 2 * 32 * 9 * 4


def test_table_entries_for_unknown_dims_are_ignored(monkeypatch):
    spec = _fake_spec({"N": (1, 3), "D": (2, 9), "E": (1, 4)})
    monkeypatch.setitem(shapes.BENCH, "fake", {"dims": {"D": 64, "NOT_A_DIM": 7}})
    dims, source = shapes.bench_dims(spec, spec.variants[0])
    assert dims == {"N": shapes.DEFAULT_BATCH, "D": 64, "E": 4} and source == "bench table"


def test_every_table_entry_names_an_existing_variant():
    """A renamed variant would silently fall back to the module's first one."""
    stale = [f"{name}[{entry['variant']}]" for name, entry in shapes.BENCH.items()
             if name in BY_NAME and "variant" in entry
             and entry["variant"] not in [v.name for v in BY_NAME[name].variants]]
    assert not stale, f"conformance/bench/shapes.py names variants that no longer exist: {stale}"


def test_expansion_ids_and_rows():
    ids = [c.id for c in expand(modules=["softmax"], framework="numpy", devices=["cpu"],
                                dtypes=["float32"], modes=["eager", "compiled"])]
    assert "softmax-numpy-float32-cpu:forward" in ids and "softmax-numpy-float32-cpu:forward+vjp" in ids
    assert not any("compiled" in i for i in ids)  # numpy has no compiled mode
    assert "softmax@D=4096,N=64-numpy-float32-cpu:forward+vjp" not in ids  # only the varying dims
    assert "softmax@D=4096-numpy-float32-cpu:forward+vjp" in ids
    assert "gemm@1024-numpy-float32-cpu:forward" in ids
    torch_ids = [c.id for c in expand(modules=["softmax"], framework="torch", devices=["cpu"],
                                      dtypes=["float32"], modes=["eager", "compiled"], scaling=False, gemm=False)]
    assert torch_ids == ["softmax-torch-float32-cpu:forward", "softmax-torch-float32-cpu:forward+vjp",
                         "softmax-torch-float32-cpu-compiled:forward",
                         "softmax-torch-float32-cpu-compiled:forward+vjp"]


class FakeBenchmark:
    """pytest-benchmark's pedantic loop (start clock, I calls, stop clock), logging events."""

    def __init__(self, log):
        self.log = log

    def pedantic(self, target, rounds, warmup_rounds, iterations):
        for _ in range(warmup_rounds + rounds):
            self.log.append("start")
            for _ in range(iterations):
                target()
            self.log.append("stop")


@pytest.mark.parametrize("per_call_sync", [False, True])
def test_the_clock_stops_only_after_a_sync(per_call_sync):
    log = []

    def call():
        log.append("call")
        return 1

    prepared = Prepared(call, lambda _r: log.append("sync"), per_call_sync=per_call_sync)
    info = measure(FakeBenchmark(log), prepared, Budget(round_s=1e-3, total_s=0.01, min_rounds=3, max_rounds=4))
    timed = log[log.index("start"):]
    for i, event in enumerate(timed):
        if event == "stop":
            assert timed[i - 1] == "sync"  # synchronised before the clock stopped
    syncs_per_round = info["iterations"] if per_call_sync else 1
    rounds = timed.count("start")
    assert timed.count("sync") == rounds * syncs_per_round
    assert info["iterations"] > 1 and info["rounds"] >= 3


def test_block_sync_counts_and_plan():
    synced = []
    b = BlockSync(Prepared(lambda: 0, synced.append), every=4)
    for _ in range(8):
        b()
    assert b.calls == 8 and b.syncs == 2 == len(synced)
    rounds, iterations = plan(1e-4, Budget(round_s=1e-3, total_s=0.1, min_rounds=5, max_rounds=50))
    assert iterations == 10 and rounds == 50
    assert plan(1.0, Budget())[0] == Budget().min_rounds and plan(1.0, Budget())[1] == 1
