"""The suite's warm caches: one directory, on by default.

``gradient-conformance/`` in the user's cache directory (``$XDG_CACHE_HOME``, else
``~/.cache``: every checkout and every run of a machine shares it, as pip's and JAX's own
caches do), or ``--cache-dir DIR``, or the environment variable
``GRADIENT_CONFORMANCE_CACHE``; ``--no-cache`` switches every
cache off. The run publishes the resolved directory in that environment variable (an
empty value: caching off) before any framework is loaded and before xdist starts its
workers, so each adapter finds it with ``adapters.cache.cache_dir(name)`` and puts its
framework's compile cache in a subdirectory named for it (``adapters/<framework>/``
decide what that is). The example database of ``--seed random`` runs is ``hypothesis/`` there.

A cache only saves time: what a run records does not depend on it (tests/test_cache.py
runs a selection cold and warm and compares results.json without timings).

The example database (``--database DIR``, ``conformance/run/examples_db.py``) is different: it
exists to change what a run tries first, so it is off for a fixed ``--seed N`` unless
asked for, and on, in ``hypothesis/`` of the cache directory, for ``--seed random`` runs
(``conformance/cli/ci.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

from adapters.cache import ENV, cache_dir  # noqa: F401  (one name for both sides)

DEFAULT = (Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
           / "gradient-conformance")
from conformance.run.examples_db import DATABASE_ENV  # noqa: E402  (the run's example database, "": none)


def resolve(option: str | None, disabled: bool) -> Path | None:
    """The cache directory for these options (None: caching off)."""
    if disabled:
        return None
    if option:
        return Path(option).resolve()
    env = os.environ.get(ENV)
    if env is not None:
        return Path(env).resolve() if env else None
    return DEFAULT.resolve()


def add_options(group) -> None:
    group.addoption("--cf-cache-dir", default=None, help=f"the suite's cache directory "
                    f"(default: ${ENV}, else {DEFAULT})")
    group.addoption("--cf-no-cache", action="store_true", help="no compile caches, no example database")
    group.addoption("--cf-database", default=None, help="example database directory (or 'cache'): "
                    "failing examples are saved and replayed first (default: none)")


def database_dir(option: str | None, cache: Path | None) -> Path | None:
    """``--database``: a directory, ``cache`` (the cache directory's ``hypothesis/``) or
    ``none``/absent (no database: a seed replays exactly). conformance/run/examples_db.py
    keeps the examples."""
    if not option or option == "none":
        return None
    if option == "cache":
        return cache / "hypothesis" if cache else None
    return Path(option).resolve()


def configure(config) -> Path | None:
    """Resolve the directory for this run and publish it to adapters and workers."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: the controller resolved it
        value = os.environ.get(ENV, "")
        return Path(value) if value else None
    path = resolve(getattr(config.option, "cf_cache_dir", None),
                   bool(getattr(config.option, "cf_no_cache", False)))
    os.environ[ENV] = str(path) if path else ""
    if path:
        path.mkdir(parents=True, exist_ok=True)
    db = database_dir(getattr(config.option, "cf_database", None), path)
    os.environ[DATABASE_ENV] = str(db) if db else ""
    return path


def run_meta(config) -> dict:
    value, db = os.environ.get(ENV, ""), os.environ.get(DATABASE_ENV, "")
    return {"cache_dir": value or None, "database": db or None}
