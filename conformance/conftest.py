"""Loads the conformance plugin for ``pytest conformance/test_suite.py``."""

from conformance.harness.plugin import *  # noqa: F401,F403  (pytest finds the hooks by name)
from conformance.harness.plugin import conformance_runner  # noqa: F401
