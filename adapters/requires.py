"""What an op needs from its framework, declared as data, so that a release without it is a
skip in the framework's own words rather than an error inside the op.

An ``*_ops.py`` module may declare ``REQUIRES = {module: ("nn.dot_product_attention", ...)}``:
attribute paths below the framework's top-level module that the op for ``module`` calls.
``discover_ops`` turns the table into an ``unsupported`` hook: on a release that lacks one
of them, the case is skipped with the ``AttributeError`` that calling it would raise.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence


def missing(framework: Any, path: str) -> str | None:
    """The framework's own error for ``framework.<path>``, or None when it exists."""
    obj = framework
    for part in path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            return f"AttributeError: {exc}"
    return None


def requires_hook(framework: Any, needs: Mapping[str, Sequence[str]]) -> Callable:
    name = getattr(framework, "__name__", "the framework")
    version = getattr(framework, "__version__", "")

    def unsupported(module: str, attrs) -> str | None:
        for path in needs.get(module, ()):
            error = missing(framework, path)
            if error:
                return (f"{name} {version} has no {name}.{path}, which the {module} op calls "
                        f"({error})")
        return None

    return unsupported
