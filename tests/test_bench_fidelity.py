"""Timing fidelity: the suite's forward+VJP median (pytest-benchmark worker) agrees
within 10% with an independent ``torch.utils.benchmark.Timer`` at the same thread count.

Both are measured in fresh processes pinned to the same CPU, in ABBA order; on a shared
machine load only ever adds time, so the best median of each is compared (the full
figures: ``python -m conformance.bench.fidelity``)."""

from importlib import metadata

import pytest

from conformance.specs import BY_NAME


def _torch_installed() -> bool:
    try:
        metadata.version("torch")
        return True
    except metadata.PackageNotFoundError:
        return False


MODULE = next((m for m in ("conv2d", "lstm", "softmax") if m in BY_NAME), None)


@pytest.mark.frameworks
@pytest.mark.skipif(not _torch_installed(), reason="torch not installed")
@pytest.mark.skipif(MODULE is None, reason="no conv2d, lstm or softmax in the spec table")
def test_suite_median_matches_torch_timer():
    from conformance.bench.fidelity import measure

    result = measure([MODULE], threads=1, repeats=3, min_run=1.0, log=print)[MODULE]
    assert abs(result["best_ratio"] - 1) <= 0.10, result
