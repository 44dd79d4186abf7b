"""Every reference is validated against float64 finite differences by some test file."""

import re
from pathlib import Path

from references import REFERENCES

FD_FILES = ["test_references_fd.py", "test_conv_references.py", "test_pool_norm_references.py",
            "test_recurrent_references.py", "test_attention_references.py"]


def test_every_reference_has_a_finite_difference_test():
    here = Path(__file__).parent
    text = "\n".join((here / f).read_text() for f in FD_FILES)
    named = set(re.findall(r"""["']([a-z0-9_]+)["']""", text))
    missing = sorted(set(REFERENCES) - named)
    assert not missing, f"references without a finite-difference test: {missing}"
