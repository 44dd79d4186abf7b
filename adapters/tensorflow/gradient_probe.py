"""Whether this process's TensorFlow build differentiates a call at all: a tiny call run
once per key, eagerly on the CPU, and TensorFlow's own error as the skip reason where it
cannot (a CPU build without a channels-first gradient kernel, say)."""

from __future__ import annotations

import re

_PROBED: dict[tuple, str | None] = {}


def missing_gradient(tf, key: tuple, what: str, dtype: str, inputs, call) -> str | None:
    """None when the gradient of ``call(*inputs)`` with respect to ``inputs`` computes,
    else "tf: this CPU build has no <what> gradient in <dtype> (<TensorFlow's words>)"."""
    if key not in _PROBED:
        try:
            with tf.device("/CPU:0"), tf.GradientTape() as tape:
                tape.watch(inputs)
                y = call(*inputs)
            tape.gradient(y, inputs)
            _PROBED[key] = None
        except tf.errors.OpError as exc:
            text = re.sub(r"\{\{[^}]*\}\}\s*", "", str(exc.message)).strip()
            _PROBED[key] = (f"tf: this CPU build has no {what} gradient in {dtype} "
                            f"({text.splitlines()[0][:160] if text else type(exc).__name__!r})")
    return _PROBED[key]
