"""The ``-k`` expressions a run passes through to pytest, checked before any worker starts."""

from __future__ import annotations

from conformance.plan.selection import UsageError


def check_keyword(pytest_args: list[str]) -> None:
    """A ``-k`` expression pytest cannot parse is a usage error here: each xdist worker would
    reject it on its own and the run would end in an internal error with no files."""
    exprs = []
    for i, a in enumerate(pytest_args):
        if a == "-k" and i + 1 < len(pytest_args):
            exprs.append(pytest_args[i + 1])
        elif a.startswith("-k") and len(a) > 2:  # -kEXPR
            exprs.append(a[2:])
    try:
        from _pytest.mark.expression import Expression
    except ImportError:  # pytest moved it: let pytest report the expression itself
        return
    for expr in exprs:
        try:
            Expression.compile(expr)
        except Exception as exc:  # SyntaxError (pytest 8), ParseError (older)
            raise UsageError(f"-k {expr!r}: {exc} (pytest's -k takes words joined by and, "
                             "or, not; pick a variant by words without '=' or ',', e.g. "
                             "-k 'math and not bias')") from None
