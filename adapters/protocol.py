"""The adapter protocol's vocabulary: dtypes, devices, precision modes, execution modes, the
exception that makes a case a skip, and what one framework call returns. It imports nothing
of the suite, so every other adapter module (``base``, ``common``, ``derivatives``) can
import it without a cycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

DTYPES = ("float32", "float64", "bfloat16", "float16")
# Storage types narrower than float32: inputs are rounded to them, arithmetic may be wider
# (the low-precision error model in ``conformance.model.spec.LowPrecision``).
LOW_PRECISION = ("bfloat16", "float16")
DEVICES = ("cpu", "gpu")
# Precision modes: true float32, the framework's defaults (TF32 where on), and mixed
# precision as users run it (float32 arguments, bfloat16 compute for matmul/convolution).
PRECISIONS = ("highest", "default", "autocast")
MODES = ("eager", "compiled")

# The attribute the suite adds to ``attrs`` for a variant whose randomness the framework
# draws itself (``conformance.model.spec.Variant.draws_randomness``, e.g. a framework's own
# dropout): the op then draws its own mask from ``vjp``'s ``seed``, and the argument it
# would otherwise take (the injected mask, a ``const``) is not sent.
DRAWS_RANDOMNESS = "native"


class Unsupported(Exception):
    """Raised by an adapter for a (module, dtype, device, mode) it cannot run; the message
    is the skip reason shown to the user."""


@dataclass
class VjpResult:
    """What one framework computed: ``output`` and one gradient per differentiated
    argument, keyed by the argument's canonical name."""

    output: Any  # one array, or a tuple of arrays for a module with several outputs
    grads: dict[str, np.ndarray] = field(default_factory=dict)
