"""The report in a real browser: headless Chromium opens it from a file:// URL with
``?selftest=1``; the page renders its matrix, narrows it with a filter, opens a drill-down
and writes the outcome into ``<pre id="selftest">``, which ``--dump-dom`` prints.

Skipped where Chromium is absent (CI installs it: see the test's skip reason)."""

import html
import json
import re
import shutil
import subprocess
import time

import pytest

from reports.html import write_report
from tests.report_fixtures import bench_doc, default_like_doc, small_doc

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed "
                                "(apt-get install -y chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def dump_dom(url: str, profile) -> str:
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                           "--virtual-time-budget=10000", url], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def selftest(page_path, profile) -> dict:
    dom = dump_dom(page_path.as_uri() + "?selftest=1", profile)
    m = re.search(r'<pre id="selftest">(.*?)</pre>', dom, re.S)
    assert m, "the page's self-test did not run (JavaScript error?):\n" + dom[-3000:]
    return json.loads(html.unescape(m.group(1)))


def test_matrix_filter_and_drilldown_work_in_chromium(tmp_path):
    doc = small_doc()
    page = write_report(tmp_path / "index.html", doc, bench_doc())
    result = selftest(page, tmp_path / "profile")
    st = result["steps"]
    assert result["ok"], result
    cases = {r["case_id"] for r in doc["cases"]}
    assert st["cells"] == len(cases) == st["cases"]
    assert 0 < st["cells_framework"] < st["cells"]  # the framework filter narrowed the matrix
    assert st["rows_module"] == 1 < st["rows"]  # so did the module filter
    assert st["detail_open"] and st["detail_case"] in cases and st["detail_checks"] >= 2
    # the drill-down's repro command is exactly the record's (rebuilt by the page)
    repros = {r["repro"] for r in doc["cases"] if r["case_id"] == st["detail_case"]}
    assert st["repro"] in repros


def test_rendered_page_opens_with_the_findings_and_has_svg_plots(tmp_path):
    page = write_report(tmp_path / "index.html", small_doc(), bench_doc())
    dom = dump_dom(page.as_uri(), tmp_path / "profile")
    assert 'id="findings"' in dom and "tanh-jax-float32-cpu" in dom
    assert dom.index('id="findings"') < dom.index('id="matrix-sec"')
    assert dom.count("<svg") >= 2 and 'class="cell' in dom
    # a skipped cell carries its reason on hover
    assert "planted skip" in dom


def test_findings_first_no_empty_column_and_a_planted_failure_on_top(tmp_path):
    """A planted new failure (far beyond every other ratio) is the first finding; the
    section comes first; GPU columns where nothing ran are hidden, none is empty."""
    doc = small_doc()
    doc["cases"] += [{**r, "device": "gpu", "case_id": r["case_id"].replace("-cpu", "-gpu"), "status": "skip",
                      "verdict": None, "reason": "no GPU (planted)", "ratio": None} for r in doc["cases"]]
    for r in doc["cases"]:
        if r["case_id"] == "relu[kink]-torch-float32-cpu" and r["check"] == "grad:x":
            r.update(status="fail", verdict="unexplained", ratio=1e6, reason="planted: off by 1e6")
    result = selftest(write_report(tmp_path / "index.html", doc), tmp_path / "profile")
    st = result["steps"]
    assert result["ok"], result
    assert st["first_section"] == "findings"
    assert st["top_finding"][0] == "unexplained:torch:activation:grad:canonical" and "fs-new" in st["top_finding"][1]
    assert st["empty_columns"] == 0 and st["columns"] > 0
    assert "no GPU on this machine" in (tmp_path / "index.html").read_text()


def test_a_default_sized_run_is_small_and_ready_within_two_seconds(tmp_path):
    page = write_report(tmp_path / "index.html", default_like_doc())
    size = page.stat().st_size
    assert size <= 2_000_000, size
    started = time.monotonic()
    result = selftest(page, tmp_path / "profile")
    wall = time.monotonic() - started
    st = result["steps"]
    assert result["ok"], result
    assert st["empty_columns"] == 0 and st["first_section"] == "findings"
    assert st["ready_ms"] < 2000, (st["ready_ms"], size, wall)  # parsed, decoded and rendered
