"""The conformance test: one parametrized test, no per-module special cases.

Each case (``elu-torch-float32-cpu``, ``max_pool2d[k=3,s=1]-jax-float64-cpu``, ...) runs
Hypothesis-drawn examples through the framework and the float64 reference and compares the
output and every gradient; see ``conformance.runner``.
"""

import json

import pytest

from conformance.plugin import RECORDS_KEY


def test_conformance(case, conformance_runner, record_property):
    records = conformance_runner.run(case)
    record_property(RECORDS_KEY, json.dumps([r.to_json() for r in records]))
    bad = [r for r in records if r.status in ("fail", "error")]
    if bad:
        lines = [f"{case.id}: {r.check} {r.status.upper()}: {r.reason}" for r in bad]
        lines.append(f"  example: {json.dumps(bad[0].example)}" if bad[0].example else "")
        lines.append(f"  repro:   {bad[0].repro}")
        pytest.fail("\n".join(l for l in lines if l), pytrace=False)
    if all(r.status == "skip" for r in records):
        pytest.skip(records[0].reason)
