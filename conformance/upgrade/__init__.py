"""Upgrades: which release of a framework changed a case's outcome.

* ``versions.py`` — the releases of a package in a range, read from the package index
  (``pip index versions``) or a ``--find-links`` directory;
* ``venvs.py`` — a throwaway virtual environment per release, layered over the running
  one (the suite and its dependencies come from there; the release and what it needs
  are installed into the new environment, which shadows them), filled by uv when it is
  installed and by pip otherwise;
* ``replay.py`` — run inside such an environment: replays one case and prints its outcome
  as one JSON line;
* ``bisect.py`` — ``python -m conformance bisect``: binary search for the first release
  whose outcome differs from the oldest one's.

Importing this package imports no framework; the framework is imported by ``replay.py``,
in the throwaway environment's own process.
"""
