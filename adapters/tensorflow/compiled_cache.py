"""Compiled mode's functions: one ``tf.function`` per input signature, pinned.

``tf.function`` with ``reduce_retracing=True`` generalises a function to unknown
dimensions after the second shape it sees; the ops (and the Keras layers they build,
e.g. ``LSTMCell(units=x.shape[-1])``) then see ``None`` where they need an integer, and
``adapters.layout``'s shape arithmetic fails. XLA (``jit_compile=True``) compiles one
program per concrete shape anyway, so each signature gets its own function with a fully
static ``input_signature``; the adapter's ``ProgramCache`` is bounded (least recently used
out) so that a long run with freely drawn shapes does not keep every compiled program alive.
"""

from __future__ import annotations

import numpy as np


def compiled_signature(args, cotangent, dtype: str) -> tuple:
    """(argument shapes, cotangent shapes, dtype): hashable, no framework needed."""
    cts = cotangent if isinstance(cotangent, (tuple, list)) else [cotangent]
    return (tuple(tuple(np.shape(a)) for a in args), tuple(tuple(np.shape(c)) for c in cts), dtype)


def tensor_specs(tf, signature) -> list:
    """The ``input_signature`` of ``run(tensors, cts, seed)`` for a signature."""
    args, cts, dtype = signature
    dt = tf.as_dtype(dtype)
    return [[tf.TensorSpec(s, dt) for s in args], [tf.TensorSpec(s, dt) for s in cts],
            tf.TensorSpec([2], tf.int64)]


# Compiled functions kept (``adapters.program_cache``): one per signature.
SIGNATURES_KEPT = 64
