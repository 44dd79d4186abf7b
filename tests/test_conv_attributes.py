"""Invalid attributes of the linear modules are rejected by the references themselves.

The runner calls the reference's forward before asking any framework, so the references'
ValueError is the suite's API for a bad attribute: each kind below raises it with a
message naming the problem, in a process that has imported no framework.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from references import REFERENCES
from tests.cli_helpers import ROOT


def _conv2d_args(c=2, m=2, size=(5, 5), kernel=(3, 3), cg=None):
    return (np.zeros((1, c, *size)), np.zeros((m, c if cg is None else cg, *kernel)), np.zeros(m))


# (id, module, args, attrs, message fragment)
INVALID = [
    ("kernel-larger-than-padded-input", "conv2d", _conv2d_args(size=(2, 5)), {"padding": 0},
     "exceeds the padded input size 2"),
    ("output-size-below-1-by-dilation", "conv2d", _conv2d_args(size=(5, 5)), {"dilation": 3},
     "would be -1 < 1"),
    ("groups-not-dividing-input-channels", "conv2d", _conv2d_args(c=3, m=2, cg=1), {"groups": 2},
     "groups=2 must divide the input channels (3)"),
    ("groups-not-dividing-output-channels", "conv2d", _conv2d_args(c=2, m=3, cg=1), {"groups": 2},
     "and the output channels (3)"),
    ("weight-channels-per-group", "conv2d", _conv2d_args(c=4, m=2, cg=4), {"groups": 2},
     "w has 4 input channels per group"),
    ("groups-zero", "conv2d", _conv2d_args(), {"groups": 0}, "groups must be >= 1"),
    ("stride-zero", "conv2d", _conv2d_args(), {"stride": 0}, "stride must be >= 1"),
    ("stride-wrong-length", "conv2d", _conv2d_args(), {"stride": (1, 2, 3)}, "stride must be an int or 2 ints"),
    ("dilation-zero", "conv1d", (np.zeros((1, 1, 5)), np.zeros((1, 1, 2)), np.zeros(1)), {"dilation": 0},
     "dilation must be >= 1"),
    ("unknown-padding-string", "conv2d", _conv2d_args(), {"padding": "full"}, "unknown padding 'full'"),
    ("upper-case-padding-string", "conv2d", _conv2d_args(), {"padding": "SAME"}, "unknown padding 'SAME'"),
    ("negative-padding", "conv2d", _conv2d_args(), {"padding": -1}, "padding must be >= 0"),
    ("float-stride", "conv3d", (np.zeros((1, 1, 4, 4, 4)), np.zeros((1, 1, 2, 2, 2)), np.zeros(1)),
     {"stride": 1.5}, "stride must be an int"),
    ("kernel-attr-mismatch", "conv2d", _conv2d_args(), {"kernel": 2}, "does not match the weight's kernel (3, 3)"),
    ("unknown-same-split", "conv2d", _conv2d_args(), {"padding": "same", "same_split": "middle"},
     "same_split must be one of"),
    ("bias-not-bool", "conv2d", _conv2d_args(), {"bias": "no"}, "bias must be True or False"),
    ("wrong-rank", "conv3d", _conv2d_args(), {}, "conv3d takes x (N, C, 3 spatial)"),
    ("separable-pointwise-shape", "separable_conv2d",
     (np.zeros((1, 2, 5, 5)), np.zeros((4, 1, 3, 3)), np.zeros((3, 2, 1, 1))), {},
     "w_pointwise must be (M, 4, 1, 1)"),
    ("separable-stride-zero", "separable_conv2d",
     (np.zeros((1, 2, 5, 5)), np.zeros((2, 1, 3, 3)), np.zeros((3, 2, 1, 1))), {"stride": 0},
     "stride must be >= 1"),
    ("linear-feature-mismatch", "linear", (np.zeros((2, 3)), np.zeros((4, 5)), np.zeros(4)), {},
     "W has 5 input features, x has 3"),
]


@pytest.mark.parametrize("module, args, attrs, message", [c[1:] for c in INVALID],
                         ids=[c[0] for c in INVALID])
def test_invalid_attributes_raise_value_error(module, args, attrs, message):
    forward, vjp = REFERENCES[module]
    with pytest.raises(ValueError) as forward_error:
        forward(*args, **attrs)
    assert message in str(forward_error.value)
    with pytest.raises(ValueError):  # the backward pass checks the same way
        vjp(np.zeros(1), *args, **attrs)


def test_invalid_attributes_are_rejected_without_any_framework():
    """Every invalid case raises ValueError in a fresh process that imports only the
    references (and NumPy): no framework is needed to reject a bad attribute."""
    code = ("import sys, numpy as np\n"
            "from tests.test_conv_attributes import INVALID\n"
            "from references import REFERENCES\n"
            "for name, module, args, attrs, message in INVALID:\n"
            "    try:\n"
            "        REFERENCES[module].forward(*args, **attrs)\n"
            "    except ValueError as exc:\n"
            "        assert message in str(exc), (name, str(exc))\n"
            "    else:\n"
            "        raise SystemExit(f'{name}: no ValueError')\n"
            "heavy = [m for m in ('torch', 'tensorflow', 'jax', 'jaxlib', 'flax') if m in sys.modules]\n"
            "print(','.join(heavy))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert proc.stdout.strip() == "", f"imported: {proc.stdout.strip()}"


def test_valid_edge_attributes_are_accepted():
    """The boundary cases just inside the rules: output size exactly 1, depthwise groups,
    a kernel as large as the padded input, explicit (before, after) pairs."""
    conv2d = REFERENCES["conv2d"].forward
    assert conv2d(*_conv2d_args(size=(1, 1)), padding=1).shape == (1, 2, 1, 1)
    assert conv2d(*_conv2d_args(c=2, m=4, cg=1), groups=2).shape == (1, 4, 3, 3)
    assert conv2d(*_conv2d_args(size=(3, 3))).shape == (1, 2, 1, 1)
    assert conv2d(*_conv2d_args(), padding=((2, 0), (0, 1))).shape == (1, 2, 5, 4)
