"""Per-case timings: the timed adapter's arithmetic on a clock-controlled fake, and a
real run's records, end-of-run lines and report section."""

from __future__ import annotations

import pytest

from conformance.run import timings
from reports.html import render_doc
from tests.cli_helpers import conformance, results
from tests.report_fixtures import record


class FakeClockAdapter:
    """An adapter whose calls take known times: 1.0 s the first time a shape is seen,
    0.1 s after; other attributes must pass through untouched."""

    name = "fake"

    def __init__(self, clock):
        self.clock, self.seen = clock, set()

    def vjp(self, module, args, names, wrt, cotangent, attrs, *, dtype, device="cpu",
            mode="eager", seed=0):
        shape = tuple(len(a) for a in args)
        self.clock[0] += 0.1 if shape in self.seen else 1.0
        self.seen.add(shape)
        return "result"

    def supports(self, module):
        return module == "m"


def test_timed_adapter_splits_first_calls_from_steady(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(timings.time, "perf_counter", lambda: clock[0])
    fake = FakeClockAdapter(clock)
    proxy = timings.TimedAdapter(fake)
    assert proxy.name == "fake" and proxy.supports("m") and not proxy.supports("x")
    for shape in ([1], [1], [1, 2], [1], [1, 2]):
        assert proxy.vjp("m", [shape], ["x"], ["x"], None, {}, dtype="float32") == "result"
    s = proxy.summary()
    assert s["calls"] == 5
    assert s["framework_s"] == pytest.approx(2.3)
    assert s["first_s"] == pytest.approx(2.0)  # one first call per shape
    assert s["steady_s"] == pytest.approx(0.1)
    assert s["compile_s"] == pytest.approx(1.8)  # (1.0 - 0.1) per shape
    # A dtype or device change is a new signature (a new compilation).
    proxy.vjp("m", [[1]], ["x"], ["x"], None, {}, dtype="float64")
    assert proxy.summary()["first_s"] == pytest.approx(2.1)


def test_no_repeat_means_no_compile_estimate():
    proxy = timings.TimedAdapter(FakeClockAdapter([0.0]))
    proxy.vjp("m", [[1]], ["x"], ["x"], None, {}, dtype="float32")
    s = proxy.summary()
    assert s["steady_s"] is None and s["compile_s"] is None and s["calls"] == 1


def _rec(module, fw, d, compile_s=None, check="forward", status="pass"):
    return record(module, "", fw, "float32", check, status=status, duration_s=d,
                  timing={"compile_s": compile_s, "framework_s": d / 2 if d else None})


def test_slowest_and_per_framework_count_each_case_once():
    recs = [_rec("tanh", "torch", 3.0, 1.0), _rec("tanh", "torch", 3.0, 1.0, "grad:x"),
            _rec("relu", "jax", 5.0), _rec("elu", "torch", 1.0, 0.5),
            _rec("selu", "torch", None, status="error")]
    slow, tanh = "relu-jax-float32-cpu", "tanh-torch-float32-cpu"
    assert [r["case_id"] for r in timings.slowest(recs, 2)] == [slow, tanh]
    totals = timings.per_framework(recs)
    assert totals == {"jax": {"cases": 1, "duration_s": 5.0, "compile_s": 0.0},
                      "torch": {"cases": 2, "duration_s": 4.0, "compile_s": 1.5}}
    lines = timings.format_slowest(recs)
    assert slow in lines[1] and lines[-1].startswith("per framework: jax 5.0 s / 1 cases, torch 4.0 s")
    assert "duration_s" not in timings.without_timings(recs)[0]
    assert "timing" not in timings.without_timings(recs)[0]
    html = render_doc({"cases": recs, "run": {"wall_s": 9.5}})
    section = html[html.index("id='timings'"):]
    assert "run wall time 9.5 s" in section and section.index(slow) < section.index(tanh)
    assert "id='timings'" not in render_doc({"cases": timings.without_timings(recs)})


def test_a_run_times_every_record(tmp_path):
    proc = conformance("run", "--frameworks", "numpy", "--modules", "relu,softmax",
                       "--dtypes", "float64", "--devices", "cpu", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = results(tmp_path)
    ran = [r for r in doc["cases"] if r["status"] == "pass"]
    assert ran and all(isinstance(r["duration_s"], float) and r["duration_s"] > 0 for r in ran)
    for r in ran:
        t = r["timing"]
        assert t["calls"] >= r["examples"] and 0 < t["framework_s"] <= r["duration_s"]
        assert t["first_s"] <= t["framework_s"]
    assert "slowest" in proc.stdout and "per framework: numpy" in proc.stdout
    assert "id='timings'" in (tmp_path / "index.html").read_text()
