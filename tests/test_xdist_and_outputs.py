"""The same selection gives the same results.json in one process and under xdist -n 2;
junit.xml and index.html describe the same records."""

import xml.etree.ElementTree as ET

from conformance.run.timings import without_timings
from tests.cli_helpers import conformance, results

SELECT = ["--frameworks", "numpy", "--modules", "relu,softmax,max_pool2d,dropout",
          "--devices", "cpu,gpu", "--max-examples", "4", "--seed", "3"]
VOLATILE = ("wall_s", "workers")


def test_xdist_gives_the_same_results(tmp_path):
    one = conformance("run", *SELECT, "--out", str(tmp_path / "one"))
    two = conformance("run", *SELECT, "--workers", "2", "--out", str(tmp_path / "two"))
    assert one.returncode == 0, one.stdout + one.stderr
    assert two.returncode == 0, two.stdout + two.stderr
    a, b = results(tmp_path / "one"), results(tmp_path / "two")
    assert without_timings(a["cases"]) == without_timings(b["cases"]) and a["summary"] == b["summary"]
    assert (a["run"]["workers"], b["run"]["workers"]) == (1, 2)

    # Skips say why: GPU on this CPU-only numpy adapter; native dropout for the reference.
    skips = {r["case_id"]: r["reason"] for r in a["cases"] if r["status"] == "skip"}
    assert "no gpu" in skips["relu-numpy-float32-gpu"]
    assert "injected mask" in skips["dropout[native]-numpy-float64-cpu"]
    ran = [r for r in a["cases"] if r["status"] == "pass"]
    assert ran and all(r["examples"] >= 1 for r in ran)
    assert {r["verdict"] for r in ran} <= {"agree", "document-erratum"}

    junit = ET.parse(tmp_path / "one" / "junit.xml").getroot()
    assert sum(int(s.get("tests")) for s in junit) == len(a["cases"])
    assert sum(int(s.get("skipped")) for s in junit) == sum(r["status"] == "skip" for r in a["cases"])
    html = (tmp_path / "one" / "index.html").read_text()
    assert "max_pool2d[ties,k=2,s=1]-numpy-float64-cpu" in html and "<script src" not in html
    assert "http://" not in html and "https://" not in html  # self-contained
