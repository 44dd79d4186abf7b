"""results.json as written (reports/results.py): standard JSON that loads back to the same
document, with one record per line (what a reader greps)."""

import json
import math

import pytest

from reports.results import dumps


def _doc(n):
    records = [{"case_id": f"relu-numpy-float32-cpu#{i}", "check": "grad:x", "status": "pass",
                "ratio": i / 7, "reason": "line one\nline two", "shapes": [{"N": i}],
                "worst_index": (0, i)} for i in range(n)]
    return {"schema": "s", "environment": {"numpy": "2"}, "run": {"wall_s": 1.5},
            "summary": {"records": n}, "cases": records, "errata": [{"id": "e", "text": "a\nb"}]}


@pytest.mark.parametrize("n", [0, 1, 3])
def test_loads_back_equal_with_one_record_per_line(n):
    doc = _doc(n)
    text = dumps(doc)
    back = json.loads(text)
    expected = json.loads(json.dumps(doc))  # tuples become lists, as in any JSON
    assert back == expected
    lines = text.splitlines()
    for r in expected["cases"]:
        assert json.dumps(r, separators=(",", ":")) + ("," if r is not expected["cases"][-1] else "") in lines


def test_non_finite_numbers_are_refused():
    doc = _doc(1)
    doc["cases"][0]["ratio"] = math.inf
    with pytest.raises(ValueError):
        dumps(doc)
