"""One expected failure's entry: the cases it covers and why (``expected_table.py`` holds
the entries, ``expected_failures.py`` matches records against them)."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class Expected:
    """One explained failure, keyed by the fields of the cases it covers. ``variant`` is an
    fnmatch pattern over the module's variant names ("*": every variant, "": the unnamed
    one); ``form`` one over the case's form ("*": every form, "canonical": the canonical
    call only; ``conformance/model/forms.py``); ``dtype``, ``mode`` and ``device`` are None
    for any. ``validate`` checks every entry against the spec table when the table is
    loaded."""

    module: str | tuple[str, ...]
    framework: str
    checks: tuple[str, ...]
    why: str
    variant: str = "*"
    dtype: str | None = None
    mode: str | None = None
    device: str | None = None
    form: str = "*"

    @property
    def modules(self) -> tuple[str, ...]:
        return (self.module,) if isinstance(self.module, str) else tuple(self.module)

    @property
    def label(self) -> str:
        """A readable name for the entry (findings, the report)."""
        parts = ["|".join(self.modules) + (f"[{self.variant}]" if self.variant != "*" else ""),
                 self.framework, self.dtype or "*", self.device or "*"]
        return ("-".join(parts) + (f"-{self.mode}" if self.mode else "")
                + (f"~{self.form}" if self.form != "*" else ""))

    def covers(self, record) -> bool:
        """Does this entry cover the case of ``record`` (a Record or its dict)?"""
        get = record.get if isinstance(record, dict) else lambda k, d=None: getattr(record, k, d)
        attrs = get("attrs") or {}
        return (get("module") in self.modules and get("framework") == self.framework
                and (self.dtype is None or get("dtype") == self.dtype)
                and (self.mode is None or get("mode") == self.mode)
                and (self.device is None or get("device") == self.device)
                and fnmatchcase(attrs.get("variant", ""), self.variant)
                and fnmatchcase(get("form") or "canonical", self.form))
