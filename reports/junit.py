"""junit.xml: one testcase per record, classname = module, name = ``case_id:check``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path


def write_junit(path, records: list[dict]) -> Path:
    suites = defaultdict(list)
    for r in records:
        suites[r["framework"]].append(r)
    root = ET.Element("testsuites", name="gradient-conformance")
    for framework, recs in sorted(suites.items()):
        suite = ET.SubElement(root, "testsuite", name=framework, tests=str(len(recs)),
                              failures=str(sum(r["status"] == "fail" for r in recs)),
                              errors=str(sum(r["status"] == "error" for r in recs)),
                              skipped=str(sum(r["status"] == "skip" for r in recs)))
        for r in recs:
            case = ET.SubElement(suite, "testcase", classname=r["module"],
                                 name=f"{r['case_id']}:{r['check']}")
            text = f"{r['reason']}\nrepro: {r['repro']}" if r.get("repro") else r["reason"]
            if r["status"] == "fail":
                ET.SubElement(case, "failure", message=r["reason"][:500]).text = text
            elif r["status"] == "error":
                ET.SubElement(case, "error", message=r["reason"][:500]).text = text
            elif r["status"] == "skip":
                ET.SubElement(case, "skipped", message=r["reason"][:500])
            elif r.get("verdict") == "convention":
                ET.SubElement(case, "system-out").text = r["reason"]
    path = Path(path)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
