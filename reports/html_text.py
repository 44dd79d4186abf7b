"""Values as HTML text: escaping, any JSON value as readable lines, case ids as links.
Every section renderer uses these (``sections``, ``errata_section``), so they live below both."""

from __future__ import annotations

import json
from html import escape


def e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def text_of(value, depth: int = 0) -> str:
    """A value of any JSON type as readable HTML (dicts as ``key: value`` lines)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if depth > 1:
            return f"<code>{e(json.dumps(value, sort_keys=True))}</code>"
        return "<br>".join(f"<b>{e(k)}</b>: {text_of(v, depth + 1)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (str, int, float)) for v in value):
            return "<br>".join(_linked(v) for v in value)
        return "<br>".join(text_of(v, depth + 1) for v in value)
    if isinstance(value, float):
        return e(f"{value:.6g}")
    return _linked(value)


def _linked(value) -> str:
    """A case id becomes a link that opens its drill-down (resolved by the script)."""
    text = e(value)
    if isinstance(value, str) and "-" in value and " " not in value and len(value) < 160:
        return f'<a href="#" class="caselink" data-case="{text}">{text}</a>'
    return text
