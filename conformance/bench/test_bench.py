"""The benchmark: one parametrized test, one pytest-benchmark row per module × framework
× device × dtype × mode × pass (plus the scaling series and the GEMM ceiling).

Every row's ``extra_info`` says what was timed: ids, shapes, FLOPs, threads, precision
modes, compile time and how the clock was synchronised (see ``harness.py``).
"""

import pytest

from conformance.bench.harness import measure
from conformance.bench.work import extra_info, work_for


def test_bench(bench_case, bench_env, benchmark):
    timing = bench_env.timing
    reason = timing.skip_reason(bench_case)
    if reason:
        pytest.skip(reason)
    work = work_for(bench_case)
    try:
        prepared = (timing.gemm(bench_case, work) if bench_case.kind == "gemm"
                    else timing.prepare(bench_case, work))
    except Exception as exc:  # e.g. a compiler that cannot take the op: a finding, not a crash
        if bench_case.mode != "compiled":
            raise
        pytest.skip(f"{bench_case.mode} {bench_case.framework} failed to compile: "
                    f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}")
    benchmark.group = bench_case.module_id if bench_case.kind == "module" else bench_case.kind
    benchmark.extra_info.update(extra_info(bench_case, work))
    benchmark.extra_info.update(threads=bench_env.threads, compile_s=prepared.compile_s,
                                version=bench_env.describe["version"],
                                precision=bench_env.describe["precision"],
                                composed=timing.composed(bench_case))
    benchmark.extra_info.update(measure(benchmark, prepared, bench_env.budget))
