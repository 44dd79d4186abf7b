"""The conformance tests: parametrized, with no per-module special cases.

* ``test_conformance[elu-torch-float32-cpu]`` — one case: Hypothesis-drawn examples through
  the framework and the float64 reference, comparing the output and every gradient
  (``conformance.run.case``).
* ``test_defaults[torch]`` — the framework's default slopes, eps and momenta, read from
  the installed framework (the conventions page shows them).
* ``test_known_discrepancy[tensorflow#4886-tensorflow]`` — a known upstream discrepancy
  (``conformance.known.discrepancies``): an expected failure while it reproduces.
"""

import json

import pytest

from conformance.harness.plugin import DEFAULTS_KEY, KNOWN_KEY, RECORDS_KEY


def test_conformance(case, conformance_runner, record_property):
    from conformance.known.expected_failures import known_error

    records = conformance_runner.run(case)  # expected failures already marked xfail
    if not records:  # e.g. --orders jvp,hvp on an adapter that offers neither
        pytest.skip(f"{case.id}: no check selected (--orders has none that this adapter offers)")
    record_property(RECORDS_KEY, json.dumps([r.to_json() for r in records]))
    xfail = [r for r in records if r.status == "xfail"]
    bad = [r for r in records if r.status in ("fail", "error")]
    known = [known_error(r) for r in bad]
    if (xfail or bad) and all(known):  # explained failures; errors a known framework error names
        pytest.xfail(xfail[0].reason.split(". Measured:")[0].removeprefix("expected failure — ")
                     if xfail else known[0].summary)
    if bad:
        lines = [f"{case.id}: {r.check} {r.status.upper()}: {r.reason}" for r in bad]
        lines.append(f"  example: {json.dumps(bad[0].example)}" if bad[0].example else "")
        lines.append(f"  repro:   {bad[0].repro}")
        pytest.fail("\n".join(line for line in lines if line), pytrace=False)
    if all(r.status == "skip" for r in records):
        pytest.skip(records[0].reason)


def test_defaults(defaults_framework, conformance_runner, record_property):
    adapter = conformance_runner.adapter(defaults_framework)
    reason = adapter.unavailable_reason()
    if reason:
        pytest.skip(reason)
    values = {k: (v if isinstance(v, (bool, int, float, str)) or v is None else repr(v))
              for k, v in adapter.defaults().items()}
    record_property(DEFAULTS_KEY, json.dumps({"framework": defaults_framework, "defaults": values}))


def test_known_discrepancy(known_case, conformance_runner, record_property):
    known, framework = known_case
    entry = {"id": known.id, "framework": framework, "title": known.title,
             "upstream": known.url, "modules": list(known.modules)}

    def record(status, detail):
        record_property(KNOWN_KEY, json.dumps({**entry, "status": status, "detail": detail}))

    adapter = conformance_runner.adapter(framework)
    reason = adapter.unavailable_reason() or (adapter.device_reason("gpu") if known.needs_gpu else None)
    if reason:
        record("skip", reason)
        pytest.skip(reason)
    import importlib

    cases = importlib.import_module(f"{adapter.ops_package}.known_cases").CASES
    reproduces, detail = cases[known.id](adapter.framework)
    if reproduces:
        record("reproduces", detail)
        pytest.xfail(f"{known.id} reproduces on this version: {detail}")
    record("does not reproduce", detail)
