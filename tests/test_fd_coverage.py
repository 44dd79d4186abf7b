"""Every reference is validated against float64 finite differences by a collected test.

Coverage is read from the FD test files' collected test ids (a parametrized case names its
module first, e.g. ``test_vjp_matches_finite_differences[elu-alpha0.5]``), plus the tests
that are about one module by name; a module mentioned in a comment or a string does not
count."""

import re
import subprocess
import sys
from pathlib import Path

from conformance.specs import BY_NAME
from references import REFERENCES

FD_FILES = ["test_references_fd.py", "test_conv_references.py", "test_pool_norm_references.py",
            "test_recurrent_references.py", "test_attention_references.py"]
# Tests whose function is about one module (their parameters are its attributes).
ONE_MODULE = {"test_linear_vjp_matches_finite_differences": "linear",
              "test_separable_vjp_matches_finite_differences": "separable_conv2d",
              "test_sdpa_backward_matches_finite_differences": "scaled_dot_product_attention",
              "test_mha_backward_matches_finite_differences": "multi_head_attention"}
ID = re.compile(r"::(?P<fn>test_\w*(?:finite_differences|bptt)\w*)(?:\[(?P<param>[a-z0-9_]+))?")


def covered_modules(ids: list[str]) -> set[str]:
    out = set()
    for line in ids:
        m = ID.search(line)
        if m:
            out.add(ONE_MODULE.get(m["fn"]) or m["param"])
    return out - {None}


def test_every_reference_has_a_finite_difference_test():
    here = Path(__file__).parent
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           *(str(here / f) for f in FD_FILES)], capture_output=True, text=True,
                          cwd=here.parent, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    # A module with no differentiable argument has no gradient to difference (its values
    # are checked by hand in test_pool_norm_values.py): read from the spec table.
    no_gradient = {m for m in REFERENCES if m in BY_NAME and not BY_NAME[m].differentiable}
    missing = sorted(set(REFERENCES) - no_gradient - covered_modules(proc.stdout.splitlines()))
    assert not missing, f"references without a finite-difference test: {missing}"


def test_a_module_only_mentioned_is_not_covered():
    ids = ["tests/test_references_fd.py::test_vjp_matches_finite_differences[elu-alpha0.5]",
           "tests/test_references_fd.py::test_other_thing[tanh]",
           "tests/test_conv_references.py::test_linear_vjp_matches_finite_differences[True-0]"]
    assert covered_modules(ids) == {"elu", "linear"}
