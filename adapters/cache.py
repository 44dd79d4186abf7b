"""Where an adapter keeps its framework's compile cache (no framework imported here).

The conformance run publishes its cache directory in ``GRADIENT_CONFORMANCE_CACHE``
(``conformance/harness/caches.py``: on by default, ``--no-cache`` leaves it empty). An adapter
asks for its own subdirectory when it loads its framework and configures the framework's
persistent cache there; None means caching is off.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "GRADIENT_CONFORMANCE_CACHE"


def cache_dir(name: str) -> Path | None:
    value = os.environ.get(ENV, "")
    if not value:
        return None
    path = Path(value) / name
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # an unwritable cache is no cache, never a failed run
        return None
    return path
