"""The HTML report: self-contained, every record recoverable from its data blob, every
section present, and within budget (5,000 cases: < 5 s to render, < 5 MB)."""

import json
import re
import shlex
import time

import pytest

from reports import payload
from reports.html import render_doc
from tests.report_fixtures import big_records, bench_doc, small_doc


def blob_of(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="cf-data">(.*?)</script>', page, re.S)
    assert m, "no data blob"
    return json.loads(m.group(1))


def decode(data: dict) -> dict:
    """The page's JavaScript decoding, in Python: {(case_id, check): fields}."""
    S, cf, kf = data["strings"], data["case_fields"], data["check_fields"]
    out = {}
    for c in data["cases"]:
        case = dict(zip(cf, c))
        qid = case["qid"] or case["id"]
        for k in case["checks"]:
            row = dict(zip(kf, k))
            row["example"] = S[row["example"]]
            reason = row["reason"]
            row["reason"] = S[reason[0]] + S[reason[1]] if isinstance(reason, list) else S[reason]
            repro = row["repro"]
            if repro == 1:
                repro = payload.REPRO_PREFIX + qid + " --example " + shlex.quote(row["example"])
            out[(case["id"], S[row["check"]])] = {
                "module": S[case["module"]], "family": S[case["family"]], "framework": S[case["fw"]],
                "status": S[row["status"]], "verdict": S[row["verdict"]] or None, "reason": row["reason"],
                "ratio": row["ratio"], "got": row["got"], "expected": row["exp"],
                "worst_index": row["wi"], "repro": repro or "", "citations": [S[i] for i in case["cit"]],
                "example": json.loads(row["example"]) if row["example"] else None}
    return out


def test_every_record_is_recoverable_from_the_blob():
    """Every check of the matrix's columns, with its status, verdict, reason, ratio and
    repro; the worst element of a check that passes and agrees only in results.json."""
    doc = small_doc()
    decoded = decode(blob_of(render_doc(doc)))
    assert len(decoded) == len(doc["cases"])
    for r in doc["cases"]:
        d = decoded[(r["case_id"], r["check"])]
        assert (d["status"], d["verdict"], d["reason"]) == (r["status"], r["verdict"], r["reason"])
        assert d["repro"] == r["repro"] and d["example"] == r["example"]
        if r["status"] == "pass" and r["verdict"] == "agree":  # results.json keeps the detail
            assert d["got"] is d["expected"] is d["worst_index"] is None
        else:
            assert d["got"] == r["got"] and d["expected"] == r["expected"] and d["worst_index"] == r["worst_index"]
        assert d["citations"] == r["citations"]
        if isinstance(r["ratio"], float):
            assert d["ratio"] == pytest.approx(r["ratio"], rel=1e-3)
    # Families come from the spec table; unknown modules fall back to "other".
    assert decoded[("softmax-torch-float32-cpu", "forward")]["family"] == "activation"
    assert payload.family_of("not_a_module") == "other"


def test_a_nonstandard_repro_is_kept_verbatim():
    doc = small_doc()
    doc["cases"][0]["repro"] += " --adapter mypkg:MyAdapter"
    d = decode(blob_of(render_doc(doc)))[(doc["cases"][0]["case_id"], doc["cases"][0]["check"])]
    assert d["repro"].endswith("--adapter mypkg:MyAdapter")


def test_page_is_self_contained_and_shows_every_section():
    page = render_doc(small_doc(), bench_doc())
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    assert "</script>" not in blob_of_text(page)
    for text in ("Gradient conformance", "id=\"matrix\"", "id=\"caselist\"", "id=\"detail\"",
                 "Run FAILED: 3 new findings", "Document errata", "Conventions measured", "Known framework discrepancies",
                 "transpose slip", "pytorch/pytorch#1", "relu_grad_at_zero", "Environment",
                 "float32_matmul_precision", "Benchmarks", "<svg", "GEMM ceiling", "Scaling over size"):
        assert text in page, text
    # the findings section names the failing case and links it to its drill-down
    assert 'data-case="tanh-jax-float32-cpu"' in page
    # GFLOP/s and fraction of the (same framework's) GEMM ceiling
    assert "of GEMM ceiling" in page and "%</td>" in page


def blob_of_text(page: str) -> str:
    return re.search(r'id="cf-data">(.*?)</script>', page, re.S).group(1)


def test_hostile_strings_cannot_break_out_of_the_page():
    doc = small_doc()
    doc["cases"][0]["reason"] = "</script><script>alert(1)</script><!--"
    doc["errata"][0]["problem"] = "<b>bold</b> & </table>"
    page = render_doc(doc)
    assert "<script>alert(1)" not in page and "<b>bold</b>" not in page
    assert decode(blob_of(page))[(doc["cases"][0]["case_id"], doc["cases"][0]["check"])]["reason"].startswith("</script>")


def test_unknown_top_level_lists_render_as_tables():
    doc = small_doc()
    doc["new_findings"] = [{"what": "a new kind of finding", "where": "somewhere"}]
    page = render_doc(doc)
    assert "New findings" in page and "a new kind of finding" in page


def test_5000_cases_render_within_budget():
    records = big_records(5000)
    assert len({r["case_id"] for r in records}) == 5000
    doc = {"environment": {"python": "3"}, "run": {}, "cases": records}
    t0 = time.perf_counter()
    page = render_doc(doc)
    elapsed = time.perf_counter() - t0
    size = len(page.encode("utf-8"))
    print(f"5000 cases ({len(records)} checks): {elapsed:.2f} s, {size / 1e6:.2f} MB")
    assert elapsed < 5.0 and size < 5e6
    assert len(decode(blob_of(page))) == len(records)
