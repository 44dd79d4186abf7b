"""Benchmarks: forward and forward+VJP timings per module × framework × device × dtype ×
mode, with pytest-benchmark, following the project's benchmarking guide
(``shared/BENCHMARKING.md`` beside the checkout; README, "The report and the timings").

Layout (importing this package imports no framework):

* ``shapes.py`` — fixed representative shapes per module (+ the scaling series);
* ``flops.py`` — analytic FLOP counts (weight matrices and kernels; GEMM);
* ``cases.py`` — what one benchmark is (:class:`BenchCase`) and its readable id;
* ``work.py`` — the NumPy arrays of a benchmark and its ``extra_info``;
* ``harness.py`` — calibration, block synchronisation, ``benchmark.pedantic``;
* ``adapters/<framework>/bench.py`` (protocol: ``adapters/timing.py``) — one small class
  per framework, beside its adapter: thread set-up, the timed callables;
* ``plugin.py`` + ``test_bench.py`` — the pytest-benchmark worker (one per framework);
* ``driver.py`` — ``python -m conformance bench``: one pinned worker process per
  framework at the same thread count, merged into one bench.json;
* ``processes.py`` — ``--processes K``: every row in K fresh worker processes (ABBA
  order, ``--interleave`` alternates two environments), one median per process for the gate;
* ``callgrind.py`` + ``count.py`` — ``--instructions``: instructions per call counted under
  Valgrind's callgrind, one thread, small shapes (the gate's deterministic metric);
* ``fidelity.py`` — the suite's median against ``torch.utils.benchmark.Timer``.

Decisions. The timed callable is the framework's native op (from the adapter's op
table) on device-resident inputs — not ``Adapter.vjp``, whose NumPy conversions would be
timed too. ``forward`` runs without gradient tracking; ``forward+vjp`` pulls a fixed
cotangent back to every differentiable argument (inputs and parameters); "backward" in
the report is their difference. Compilation (``torch.compile``, ``tf.function(
jit_compile=True)``, ``jax.jit(...).lower().compile()``) is timed once, separately, as
``compile_s``; compiled rows are separate rows. A compiler that rejects an op makes that
row a recorded skip (with the error), not a failed run.
"""
