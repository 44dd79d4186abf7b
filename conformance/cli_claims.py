"""``python -m conformance claims``: the documents' formulas as claims, and their errata."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    cp = sub.add_parser("claims", help="list the documented formulas (claims) and check one",
                        description="Without --check: list every claim with its citation. With "
                                    "--check ID: search for a counterexample to the formula as "
                                    "written (Hypothesis, shrunk) and print the evidence; exit 1 "
                                    "when it is an erratum.")
    cp.add_argument("--check", metavar="ID", help="the claim to check (see the list)")
    cp.add_argument("--max-examples", type=int, default=150)


def cmd_claims(args) -> int:
    from .errata import all_claims, evaluate
    from .selection import UsageError

    claims = {c.id: c for c in all_claims()}
    if not args.check:
        for c in claims.values():
            print(f"{c.id:<34} {c.seed}, {c.where}")
        return 0
    if args.check not in claims:
        raise UsageError(f"unknown claim {args.check!r}; run 'python -m conformance claims' for the list")
    result = evaluate(claims[args.check], args.max_examples)
    print(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    return 1 if result["status"] == "erratum" else 0
