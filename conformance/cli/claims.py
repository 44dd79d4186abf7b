"""``python -m conformance claims``: the documents' formulas as claims, their coverage per
seed file, and one claim checked (or one counterexample replayed)."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    cp = sub.add_parser("claims", help="judge every documented formula as written; check one",
                        description="Without --check: search every claim (each reading of each "
                                    "documented formula) for a counterexample against finite "
                                    "differences and print the coverage per seed file and every "
                                    "claim's status. With --check ID: that claim's search, with "
                                    "the evidence; with --example too: replay that example. "
                                    "Exit 1 when the checked claim is an erratum.")
    cp.add_argument("--check", metavar="ID", help="the claim to check (see the list)")
    cp.add_argument("--example", metavar="JSON",
                    help='with --check: measure this example, e.g. \'{"dims": {"N": 2}, "seed": 0}\'')
    cp.add_argument("--max-examples", type=int, default=None,
                    help="examples per reading (default: 12 for the list, 100 for --check)")
    cp.add_argument("--json", action="store_true", help="print the claims list as JSON")


def coverage_table(entries: list[dict]) -> str:
    from conformance.documents.errata import coverage

    cols = ("transcribed", "verified", "erratum", "ambiguous", "text erratum", "untranscribed")
    head = f"{'seed file':<28}" + "".join(f"{c:>14}" for c in cols)
    rows = [head, "-" * len(head)]
    for seed, row in coverage(entries).items():
        extra = f"   corrected-fails {row['corrected-fails']}" if row.get("corrected-fails") else ""
        rows.append(f"{seed:<28}" + "".join(f"{row.get(c, 0):>14}" for c in cols) + extra)
    return "\n".join(rows)


def cmd_claims(args) -> int:
    from conformance.documents.claims import BY_ID, TEXT_ERRATA
    from conformance.documents.errata import CHECK_EXAMPLES, evaluate, evaluate_all, replay
    from conformance.plan.selection import UsageError

    if not args.check:
        if args.example:
            raise UsageError("--example needs --check ID")
        _, entries = evaluate_all(args.max_examples)
        if args.json:
            print(json.dumps(entries, indent=1, ensure_ascii=False, default=str))
            return 0
        print(coverage_table(entries))
        print()
        for e in entries:
            print(f"{e['status']:<15} {e['id']:<30} {e['seed'][:3]} {e['where']}")
            if e["status"] not in ("verified",) and e.get("why"):
                print(f"{'':<15} {e['why']}")
        return 0
    text = {t.id: t for t in TEXT_ERRATA}
    if args.check in text:   # no numerical content: nothing to search
        t = text[args.check]
        print(f"text erratum {t.id}: {t.seed}, {t.where}\n  {t.quote}\n  {t.what}")
        return 0
    if args.check not in BY_ID:
        raise UsageError(f"unknown claim {args.check!r}; run 'python -m conformance claims' for the list")
    claim = BY_ID[args.check]
    if args.example:
        try:
            example = json.loads(args.example)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--example is not JSON: {exc}") from exc
        result = replay(claim, example)
        print(json.dumps(result, indent=1, ensure_ascii=False, default=str))
        wrong = all(not r["agrees"] for r in result["readings"].values())
        return 1 if wrong else 0
    result = evaluate(claim, args.max_examples or CHECK_EXAMPLES)
    print(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    return 1 if result["status"] in ("erratum", "corrected-fails") else 0
