"""The documents' claims can fail both ways: a planted slip in a transcription becomes an
erratum with a shrunk counterexample; a wrong reference changes no claim; the slips the
documents have are found by the search; every quote is the document's own text."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from conformance.documents.claims import (BY_ID, CLAIMS, SEEDS, TEXT_ERRATA, UNTRANSCRIBED, Claim, Program,
                                uniform)
from conformance.documents.errata import coverage, evaluate, evaluate_all
from tests.cli_helpers import conformance, run_repro

SEED_DIR = Path(__file__).resolve().parents[1] / "shared" / "seeds"
if not SEED_DIR.is_dir():
    SEED_DIR = Path("/work/shared/seeds")


def _text(seed):
    return (SEED_DIR / seed).read_text(encoding="utf-8")


@pytest.mark.skipif(not SEED_DIR.is_dir(), reason="the seed documents are not on this machine")
def test_every_quote_is_the_documents_own_text():
    missing = [(c.id, s) for c in CLAIMS for s in (c.seed, *c.also) if c.quote not in _text(s)]
    missing += [(t.id, t.seed) for t in TEXT_ERRATA if t.quote not in _text(t.seed)]
    missing += [(u.where, u.seed) for u in UNTRANSCRIBED if u.quote not in _text(u.seed)]
    assert not missing, f"quotes not found verbatim in their seed file: {missing}"


def _callables(c: Claim):
    fns = [c.value, c.measured, c.corrected_value]
    for prog in [c.program, *(r.program for r in c.readings)]:
        if prog is not None:
            fns += [prog.forward, prog.backward, prog.direction]
    return [f for f in fns if f is not None]


def test_no_claim_callable_lives_in_references():
    for c in CLAIMS:
        for f in _callables(c):
            assert f.__module__.startswith("conformance.documents.claims."), (c.id, f.__module__)
    # and no transcription imports the references at all
    for name, mod in list(sys.modules.items()):
        if name.startswith("conformance.documents.claims"):
            lines = inspect.getsource(mod).splitlines()
            assert not any("references" in ln and ln.lstrip().startswith(("import", "from"))
                           for ln in lines), name


def _planted_rnn(slip: str):
    """h_{t+1} = tanh(h_t Wᵀ + x_t); o = h_1..h_T. The planted slips are of the subtle,
    conditional kind: 'sign' flips dL/dW's term only where h_t < −0.5; 'index' uses
    dL/dh_{t+2} for dL/dh_{t+1} at the third step from the end (shows only when T ≥ 3)."""
    def states(x, h0, W):
        hs = [h0]
        for t in range(x.shape[0]):
            hs.append(np.tanh(hs[-1] @ W.T + x[t]))
        return hs

    def forward(x, h0, W):
        return (np.stack(states(x, h0, W)[1:]),)

    def backward(cts, a, w):
        x, W = a["x"], a["W"]
        hs = states(x, a["h0"], W)
        T = x.shape[0]
        gh = [None] * (T + 2)
        gh[T], gh[T + 1] = cts[0][T - 1], np.zeros_like(hs[0])
        dW = np.zeros_like(W)
        for t in range(T - 1, -1, -1):
            use = gh[t + 2] if ("planted" in w and slip == "index" and t == T - 3) else gh[t + 1]
            d = use * (1 - hs[t + 1] ** 2)
            term = d.T @ hs[t]
            if "planted" in w and slip == "sign":
                term = np.where((hs[t] < -0.5).any(0)[None, :], -term, term)
            dW += term
            gh[t] = d @ W + (cts[0][t - 1] if t else 0)
        return {"h0": gh[0], "W": dW}

    return Program(f"planted-{slip}", forward, backward,
                   {"x": (("T", "N", "H"), uniform(-1, 1)), "h0": (("N", "H"), uniform(-1, 1)),
                    "W": (("H", "H"), uniform(-1.5, 1.5))},
                   {"T": (2, 4), "N": (2, 3), "H": (2, 3)}, ("h0", "W"))


def _planted_claim(slip):
    return Claim(id=f"planted-{slip}", seed="planted.txt", where="nowhere", quote="",
                 as_written="planted", corrected="right", program=_planted_rnn(slip),
                 line="planted")


@pytest.mark.parametrize("slip", ["sign", "index"])
def test_a_planted_slip_is_an_erratum_with_a_shrunk_counterexample(slip):
    found = evaluate(_planted_claim(slip), 60)
    assert found["status"] == "erratum", found
    ce = found["counterexample"]
    dims = ce["example"]["dims"]
    assert dims["N"] == 2 and dims["H"] == 2, dims          # shrunk to the smallest sizes
    assert dims["T"] == (3 if slip == "index" else 2), dims  # ... that still show the slip
    el = ce["element"]
    assert abs(el["finite_differences"] - el["corrected"]) < 1e-6 * (1 + abs(el["corrected"]))
    assert abs(el["as_written"] - el["corrected"]) > 1e-3
    assert found["repro"].startswith("python -m conformance claims --check planted-")


def test_the_unplanted_program_is_verified():
    right = Claim(**{**_planted_claim("index").__dict__, "line": "not-a-line"})
    assert evaluate(right, 30)["status"] == "verified"


def test_a_wrong_reference_changes_no_claim(monkeypatch):
    import references

    sample = ["000-rnn-dW", "000-lstm-dC", "000-bn-dx", "000-tanh", "003-eq19-dz", "000-conv2d-dx"]
    before = {i: evaluate(BY_ID[i], 6)["status"] for i in sample}

    def wrong(cotangent, *args, **kw):
        return tuple(np.full(np.shape(a), 7.0) for a in args)

    for name, ref in list(references.REFERENCES.items()):
        monkeypatch.setitem(references.REFERENCES, name, references.Reference(ref.forward, wrong))
    for mod_name, mod in list(sys.modules.items()):
        if mod_name.startswith("references.") and mod is not None:
            for attr in dir(mod):
                if attr.endswith("_vjp"):
                    monkeypatch.setattr(mod, attr, wrong)
    from conformance.documents import errata
    errata._ORACLE.clear()
    after = {i: evaluate(BY_ID[i], 6)["status"] for i in sample}
    assert after == before


# The slips the documents have, found by the search (each status is computed, not read).
EXPECTED = {
    "000-rnn-dW": "erratum", "000-rnn-dU": "erratum", "000-rnn-dV": "erratum",
    "000-lstm-dC": "erratum", "000-max-pool-window": "erratum", "000-max-ties": "erratum",
    "000-bn-dx": "ambiguous", "000-separable-dx": "ambiguous", "000-conv2d-dx": "ambiguous",
    "001-conv-output-size": "erratum", "001-kernel5-preserves": "erratum",
    "002-listing-eq29": "erratum", "002-listing-eq11": "erratum", "002-step3-overwrites": "erratum",
    "002-deriv-vector-softmax": "erratum", "002-step20-z14": "verified",
    "003-eq19-dhtilde": "erratum", "003-eq18-dz": "erratum", "003-eq18-dh": "erratum",
    "003-eq19-dz": "verified", "004-2.1.1-dJ-dyhat": "erratum", "004-2.1.6-dGamma-r": "erratum",
    "004-2.1.8-c-comp3": "erratum", "004-2.1.8-x-comp2": "ambiguous",
    "000-rnn-dh": "verified", "000-gru-dh": "verified", "004-2.1.4": "verified",
}


def test_the_documents_slips_are_found_by_the_search():
    got = {i: evaluate(BY_ID[i], 12)["status"] for i in EXPECTED}
    assert got == EXPECTED


def test_every_claim_runs_and_no_corrected_formula_fails():
    errata, entries = evaluate_all(3)
    bad = [e for e in entries if e["status"] == "corrected-fails"]
    assert not bad, bad
    table = coverage(entries)
    for seed in SEEDS.values():
        assert table[seed]["transcribed"] >= 3, (seed, table[seed])
    assert all(e.get("counterexample") and e.get("repro") for e in errata)


def test_check_replays_the_counterexample():
    found = evaluate(BY_ID["003-eq18-dz"], 12)
    proc = run_repro(found["repro"])
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)["readings"]["as written"]
    assert out["agrees"] is False and out["corrected_agrees"] is True
    assert out["element"] == found["counterexample"]["element"]


def test_claims_lists_coverage_per_seed():
    proc = conformance("claims", "--max-examples", "1", timeout=200)
    assert proc.returncode == 0, proc.stderr
    for seed in SEEDS.values():
        assert seed in proc.stdout
    assert "untranscribed" in proc.stdout and "text erratum" in proc.stdout


def test_report_has_a_card_per_erratum_and_the_filterable_claims():
    from reports.html import render_doc

    errata = [evaluate(BY_ID[i], 12) for i in ("003-eq18-dz", "001-conv-output-size")]
    claims = [{"id": "000-tanh", "seed": SEEDS["000"], "also": [SEEDS["001"]], "where": "row",
               "status": "verified", "readings": "as written: agrees", "why": ""},
              {"id": "x<script>", "seed": SEEDS["002"], "where": "w", "status": "text erratum",
               "why": "<b>label</b>"}]
    page = render_doc({"environment": {}, "run": {}, "cases": [], "errata": errata,
                       "claims": claims})
    assert page.count("class='ecard") == 2
    el = errata[0]["counterexample"]["element"]
    for number in (el["as_written"], el["finite_differences"], el["corrected"]):
        assert f"{number:.6g}" in page
    assert "the forward (counted)" in page                      # the value claim's three numbers
    assert "python -m conformance claims --check 003-eq18-dz --example" in page
    assert "id='claim-filter-status'" in page and "id='claimlist'" in page
    assert "<b>label</b>" not in page and "x<script>" not in page


def test_the_run_reuses_the_claims_search_from_the_cache(tmp_path, monkeypatch):
    import time

    from conformance.documents import errata

    monkeypatch.setenv(errata.CACHE_ENV, str(tmp_path))
    cold = evaluate_all(1)
    (stored,) = (tmp_path / "claims").glob("*.json")
    t0 = time.perf_counter()
    warm = evaluate_all(1)
    assert time.perf_counter() - t0 < 2.0
    assert json.loads(json.dumps(cold)) == json.loads(json.dumps(warm))
    narrow = evaluate_all(1, modules={"tanh"})[1]
    assert {c["id"] for c in narrow} < {c["id"] for c in warm[1]}
    monkeypatch.setenv(errata.CACHE_ENV, "")
    assert errata._cache_file(1) is None and stored.is_file()
