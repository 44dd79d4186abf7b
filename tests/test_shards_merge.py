"""``--shard K/N`` and ``merge``: two shards merged equal the unsharded run (apart from
timings); the split is deterministic, complete and balanced; parts of different runs are
refused with the difference named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conformance.harness import shards
from conformance.harness.merge import comparable
from reports.html import render_doc
from tests.cli_helpers import conformance, results

SELECT = ["--frameworks", "numpy", "--modules", "relu,softmax,max_pool2d,tanh", "--dtypes",
          "float64", "--devices", "cpu", "--max-examples", "3", "--seed", "5"]


def test_assign_puts_every_item_in_exactly_one_balanced_part():
    items = [(f"case{i}", float(c)) for i, c in enumerate([9, 1, 1, 7, 3, 3, 2, 8, 5, 5, 1])]
    for n in (1, 2, 3, 5, 20):
        parts = shards.assign(items, n)
        flat = [k for p in parts for k in p]
        assert sorted(flat) == sorted(k for k, _ in items) and len(flat) == len(set(flat))
        loads = [sum(dict(items)[k] for k in p) for p in parts]
        assert max(loads) - min(loads) <= max(c for _, c in items)
        assert shards.assign(list(reversed(items)), n) == parts  # order of collection is irrelevant
    two = shards.assign(items, 2)
    assert sorted(sum(dict(items)[k] for k in p) for p in two) == [22.0, 23.0]


def test_durations_take_precedence_and_scale_the_estimates():
    keyed = [("a", None), ("b", None), ("c", None)]  # no case: estimate 1.0 each
    cost = dict(shards.costs(keyed, {"a": 10.0, "b": 2.0}))
    assert cost["a"] == 10.0 and cost["b"] == 2.0
    assert cost["c"] == 10.0  # median ratio of measured to estimated: (2/1, 10/1) -> 10
    # The measured heavy case gets a part to itself.
    parts = shards.assign(shards.costs(keyed, {"a": 100.0, "b": 1.0, "c": 1.0}), 2)
    assert ["a"] in parts


@pytest.mark.parametrize("bad", ["0/2", "3/2", "1", "a/b", "1/0"])
def test_bad_shard_is_a_usage_error(bad):
    with pytest.raises(shards.ShardError):
        shards.parse_shard(bad)


def test_cli_rejects_bad_shard_and_durations(tmp_path):
    proc = conformance("run", "--frameworks", "numpy", "--modules", "relu", "--shard", "3/2",
                       "--out", str(tmp_path))
    assert proc.returncode == 2 and "1 <= K <= N" in proc.stderr
    proc = conformance("run", "--frameworks", "numpy", "--modules", "relu", "--shard", "1/2",
                       "--durations", str(tmp_path / "nope.json"), "--out", str(tmp_path))
    assert proc.returncode == 2 and "not a readable results.json" in proc.stderr


@pytest.mark.slow
def test_two_shards_merged_equal_the_unsharded_run(tmp_path):
    runs = {}
    for name, extra in (("all", []), ("s1", ["--shard", "1/2"]), ("s2", ["--shard", "2/2"])):
        proc = conformance("run", *SELECT, *extra, "--out", str(tmp_path / name))
        assert proc.returncode in (0, 1) and (tmp_path / name / "results.json").exists(), proc.stdout + proc.stderr
        runs[name] = results(tmp_path / name)
    ids = {n: {r["case_id"] for r in runs[n]["cases"]} for n in runs}
    assert ids["s1"] and ids["s2"] and not ids["s1"] & ids["s2"]
    assert ids["s1"] | ids["s2"] == ids["all"]
    assert runs["s1"]["run"]["shard"] == "1/2"

    merged = conformance("merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(tmp_path / "m"))
    assert merged.returncode in (0, 1), merged.stdout + merged.stderr
    assert "merged 2 parts" in merged.stdout
    doc = results(tmp_path / "m")
    assert comparable(doc) == comparable(runs["all"])
    assert doc["summary"] == runs["all"]["summary"]
    assert (tmp_path / "m" / "junit.xml").read_text() == (tmp_path / "all" / "junit.xml").read_text()
    html = (tmp_path / "m" / "index.html").read_text()
    assert html == render_doc(doc)
    assert render_doc(comparable(doc)) == render_doc(comparable(runs["all"]))

    # Refusals, each naming what differs.
    def refused(*dirs):
        proc = conformance("merge", *map(str, dirs), "--out", str(tmp_path / "x"))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        return proc.stderr

    assert "missing 2/2" in refused(tmp_path / "s1")
    assert "twice 1/2" in refused(tmp_path / "s1", tmp_path / "s1")
    assert "no shard.json" in refused(tmp_path / "s1", tmp_path / "all")
    for field, value, says in (("seed", 6, "different seed: 5 vs 6"),
                               ("profile", "full", "different profile")):
        other = _edited(tmp_path, "s2", lambda d: d["plan"].__setitem__(field, value))
        assert says in refused(tmp_path / "s1", other)
    other = _edited(tmp_path, "s2", lambda d: d["plan"]["selection"].__setitem__("dtypes", ["float32"]))
    assert "different selection.dtypes" in refused(tmp_path / "s1", other)
    other = _edited(tmp_path, "s2", lambda d: d["environment"].__setitem__("numpy", "0.0.1"))
    assert "ran different versions: numpy" in refused(tmp_path / "s1", other)


def _edited(tmp_path: Path, name: str, change) -> Path:
    dst = tmp_path / f"{name}-edited"
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(tmp_path / name, dst)
    doc = json.loads((dst / "shard.json").read_text())
    change(doc)
    (dst / "shard.json").write_text(json.dumps(doc))
    return dst


DERIVATIVES = ["--adapter", "tests.planted_derivatives:HandDerivatives", "--adapter",
               "tests.planted_derivatives:PlantedJvp", "--modules", "tanh", "--dtypes", "float64",
               "--devices", "cpu", "--orders", "1,jvp,hvp", "--max-examples", "3", "--seed", "5"]


@pytest.mark.slow
def test_merged_derivative_verdicts_equal_the_unsharded_run(tmp_path):
    """A planted forward-mode fault (tests.planted_derivatives:PlantedJvp) needs the other
    frameworks' routes as witnesses: its verdict is settled over the whole run, so the parts
    split by framework and the parts split by --shard, merged, say what the unsharded run
    says."""
    everyone = "numpy,hand-derivatives,planted-jvp"
    plans = {"all": [["--frameworks", everyone]],
             "by-framework": [["--frameworks", "numpy,hand-derivatives"], ["--frameworks", "planted-jvp"]],
             "by-shard": [["--frameworks", everyone, "--shard", "1/2"],
                          ["--frameworks", everyone, "--shard", "2/2"]]}
    docs = {}
    for name, parts in plans.items():
        dirs = []
        for i, extra in enumerate(parts):
            out = tmp_path / f"{name}-{i}"
            proc = conformance("run", *DERIVATIVES, *extra, *(["--shard", "1/1"] if name == "by-framework" else []),
                               "--out", str(out))
            assert proc.returncode in (0, 1), proc.stdout + proc.stderr
            dirs.append(out)
        if name == "all":
            docs[name] = results(dirs[0])
            continue
        merged = conformance("merge", *map(str, dirs), "--out", str(tmp_path / name))
        assert merged.returncode in (0, 1), merged.stdout + merged.stderr
        docs[name] = results(tmp_path / name)
    bad = [r for r in docs["all"]["cases"] if r["status"] == "fail"]
    assert bad and {r["framework"] for r in bad} == {"planted-jvp"}
    assert all(r["check"].startswith("jvp:x@") for r in bad)
    assert all(r["verdict"] == "framework-discrepancy" for r in bad), [r["verdict"] for r in bad]
    assert bad[0]["witnesses"]["other_frameworks"]["pass"] == ["hand-derivatives"]
    for name in ("by-framework", "by-shard"):
        assert comparable(docs[name]) == comparable(docs["all"]), name
