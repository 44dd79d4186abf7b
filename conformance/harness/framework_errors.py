"""Framework errors as findings: an ``error`` record that a plain-framework snippet of
``conformance.known.discrepancies.KNOWN_ERRORS`` reproduces gets the verdict ``framework-error``.

Runs in the controlling process after the verdicts are assigned (``findings.build``, so a
merge of shards settles them the same way). Each matching entry's snippet runs once, in a
fresh process; the verdict changes only when that run fails with the entry's signature.
What the snippet showed is written into the record either way (``witnesses.known_error``).
Nothing runs when no error record matches an entry.
"""

from __future__ import annotations

VERDICT = "framework-error"


def _snippet_outcome(entry, replays) -> tuple[bool, str]:
    """Whether the entry's snippet, run once per run in a fresh process (the crash
    replays' runner, ``crashes.Replays.snippet``), fails with the entry's text."""
    from conformance.harness.crashes import _tail

    code, out = replays.snippet(entry)
    lines = len(entry.code.strip().splitlines())
    if code is not None and code != 0 and entry.signature in out:
        return True, (f"reproduces in {lines} lines of plain {entry.framework} code (run in a "
                      f"fresh process in this run: exit {code}, '{entry.signature}')")
    if code is None:
        return False, f"the snippet did not finish: {out}"
    return False, f"the snippet does not fail that way here (exit {code}): {_tail(out)[-300:]}"


def settle(records: list[dict]) -> int:
    """Settle matching ``error`` records in place; the number given ``framework-error``."""
    from conformance.harness.crashes import Replays
    from conformance.known.discrepancies import find_error

    replays = Replays()
    settled = 0
    for r in records:
        if r.get("status") != "error" or r.get("verdict") not in (None, "unexplained"):
            continue
        entry = find_error(r["case_id"], r["check"], r.get("reason", ""))
        if entry is None:
            continue
        reproduces, result = _snippet_outcome(entry, replays)
        r["witnesses"] = {**(r.get("witnesses") or {}),
                          "known_error": {"id": entry.id, "summary": entry.summary, "result": result,
                                          "snippet": entry.code.strip(), "reproduces": reproduces}}
        if reproduces:
            r["verdict"] = VERDICT
            r["reason"] = f"known framework error {entry.id}: {result}; {r.get('reason', '')}"
            settled += 1
    return settled
