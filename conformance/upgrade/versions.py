"""The releases of a package between two versions, as the package index lists them."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Wanted:
    """``A..B`` (every release from A to B inclusive, either end may be left open) or an
    explicit list ``A,B,C``."""

    low: str | None = None
    high: str | None = None
    listed: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> "Wanted":
        text = text.strip()
        if ".." in text:
            low, _, high = text.partition("..")
            if "," in text or not (low or high):
                raise ValueError(f"--versions {text!r}: expected A..B or A,B,C")
            return cls(low=low.strip() or None, high=high.strip() or None)
        listed = tuple(v.strip() for v in text.split(",") if v.strip())
        if len(listed) < 2:
            raise ValueError(f"--versions {text!r}: name at least two releases (A,B) or a range A..B")
        for v in listed:
            _version(v)
        return cls(listed=listed)

    @property
    def needs_index(self) -> bool:
        return not self.listed

    @property
    def wants_pre(self) -> bool:
        return any(v and _version(v).is_prerelease for v in (self.low, self.high, *self.listed))

    def select(self, available: list[str], pre: bool = False) -> list[str]:
        """The wanted releases, oldest first (a list is sorted too)."""
        if self.listed:
            return sorted(dict.fromkeys(self.listed), key=_version)
        low = _version(self.low) if self.low else None
        high = _version(self.high) if self.high else None
        out = []
        for v in available:
            try:
                parsed = _version(v)
            except ValueError:
                continue
            if parsed.is_prerelease and not (pre or self.wants_pre):
                continue
            if (low is None or parsed >= low) and (high is None or parsed <= high):
                out.append(v)
        return sorted(dict.fromkeys(out), key=_version)


def _version(text: str):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        raise ValueError(f"not a version: {text!r}") from None


def index_versions(package: str, index_options: list[str], pre: bool = False) -> list[str]:
    """Every release of ``package`` that pip sees with these index options (``--index-url``,
    ``--find-links``, ``--no-index``, ...). RuntimeError with pip's message when none."""
    argv = [sys.executable, "-m", "pip", "index", "versions", package, *index_options]
    argv += ["--pre"] if pre else []
    proc = subprocess.run(argv, capture_output=True, text=True)
    m = re.search(r"^Available versions:\s*(.+)$", proc.stdout, re.M)
    if proc.returncode != 0 or not m:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"pip index versions {package}: {tail[0]}")
    return [v.strip() for v in m.group(1).split(",") if v.strip()]
