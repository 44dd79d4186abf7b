"""Verdicts read typed witnesses (``conformance.judge.witnesses.FdWitness``), never their prose."""

from conformance.judge.verdicts import assign
from conformance.judge.witnesses import FdWitness


def _records(fd: FdWitness | None) -> list[dict]:
    base = {"module": "tanh", "attrs": {}, "dtype": "float64", "device": "cpu", "mode": "eager",
            "check": "grad:x"}
    bad = {**base, "framework": "planted", "status": "fail", "verdict": "unexplained",
           "witnesses": {"finite_differences": fd.to_json()} if fd else {}}
    good = [{**base, "framework": fw, "status": "pass", "verdict": "agree"} for fw in ("a", "b")]
    return [bad, *good]


def _verdict(fd):
    return assign(_records(fd))[0]["verdict"]


def test_the_fields_decide_not_the_sentence():
    # The sentence says "agree" but the measurement does not: no framework-discrepancy.
    assert _verdict(FdWitness(True, False, "relative gap 0.3 (agree, threshold 1e-05)", 0.3, 1e-5)) \
        == "unexplained"
    # The measurement agrees, whatever the sentence says.
    assert _verdict(FdWitness(True, True, "", 1e-9, 1e-5)) == "framework-discrepancy"
    # Not applicable (ties): two other frameworks passing carry the verdict.
    assert _verdict(FdWitness(False, False, "")) == "framework-discrepancy"
    # No witness at all: nothing to stand on.
    assert _verdict(None) == "unexplained"


def test_a_witness_survives_the_json_round_trip():
    fd = FdWitness(True, True, "detail", 2e-9, 1e-5)
    assert FdWitness.from_json(fd.to_json()) == fd
    assert FdWitness.from_json("an old prose witness") is None
    other = assign(_records(fd))[0]["witnesses"]["other_frameworks"]
    assert other["pass"] == ["a", "b"] and other["fail"] == []
