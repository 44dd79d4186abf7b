"""Importing the project's packages imports no framework (checked in a fresh process)."""

import subprocess
import sys

from tests.cli_helpers import ROOT

MODULES = ["references", "adapters", "adapters.base", "adapters.numpy",
           "adapters.torch", "adapters.tensorflow", "adapters.jax", "adapters.common",
           "conformance", "conformance.cli.main", "conformance.run.case", "conformance.harness.plugin",
           "conformance.specs", "reports"]


def test_importing_packages_leaves_frameworks_out():
    code = ("import sys\n"
            f"for m in {MODULES!r}: __import__(m)\n"
            "import adapters\n"
            "for name in adapters.BUILTIN: adapters.load_adapter(name).version()\n"
            "heavy = [m for m in ('torch', 'tensorflow', 'jax', 'jaxlib', 'flax') if m in sys.modules]\n"
            "print(','.join(heavy))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"imported at import time: {proc.stdout.strip()}"
