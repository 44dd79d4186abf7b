"""Framework crashes this suite found, each with the few lines of plain framework code
that reproduce it outside the suite.

When a case crashes its worker and an entry matches (case-id pattern and the example's
dims), the controller runs the entry's snippet in a fresh process and the crash record
says whether it reproduced the same failure (``signature`` in both outputs), on the
installed version, in that run. Nothing here is claimed without that run.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Callable


@dataclass(frozen=True)
class KnownCrash:
    id: str
    framework: str
    case: str                                 # fnmatch pattern on the case id ('[' literal)
    applies: Callable[[dict], bool]           # on the example's dims
    signature: str                            # text the crash prints (in the snippet and the case)
    summary: str
    code: str                                 # plain framework code, run with `python -c`


_XLA_WINDOW = "Window dimensions do not match RHS shape"

KNOWN_CRASHES: tuple[KnownCrash, ...] = (
    KnownCrash(
        "xla-cpu-conv-input-grad-window", "jax",
        "conv2d[k=2x3,s=(2,1),p=(1,0)*-jax-*-cpu*", lambda dims: True, _XLA_WINDOW,
        "XLA CPU's algebraic simplifier aborts the process (a failed CHECK, SIGABRT) on the "
        "input gradient of a 2-D convolution with a (2, 3) kernel, strides (2, 1) and "
        "padding ((1, 1), (0, 0)) on a 4x4 input, eager jax.vjp as well as jax.jit",
        """
import jax, jax.numpy as jnp
from jax import lax
x, w = jnp.ones((1, 1, 4, 4)), jnp.ones((1, 1, 2, 3))
conv = lambda x: lax.conv_general_dilated(x, w, (2, 1), ((1, 1), (0, 0)))
print(jax.grad(lambda x: conv(x).sum())(x).shape)
"""),
    KnownCrash(
        "xla-cpu-conv-input-grad-window-tf", "tensorflow",
        "conv2d[k=2x3,s=(2,1),p=(1,0)*-tensorflow-*-cpu-compiled*", lambda dims: True, _XLA_WINDOW,
        "the same XLA CPU check failure (SIGABRT) from TensorFlow: the input gradient of "
        "tf.nn.conv2d with a (2, 3) kernel, strides (2, 1) and explicit padding ((1, 1), (0, 0)) "
        "on a 4x4 input inside tf.function(jit_compile=True); eager TensorFlow and tf.function "
        "without XLA compute it",
        """
import tensorflow as tf
x, w = tf.ones((1, 4, 4, 1)), tf.ones((2, 3, 1, 1))
@tf.function(jit_compile=True)
def grad_x(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.conv2d(x, w, (1, 2, 1, 1), [[0, 0], [1, 1], [0, 0], [0, 0]])
    return tape.gradient(y, x)
print(grad_x(x).shape)
"""),
)


def find(case_id: str, dims: dict) -> KnownCrash | None:
    for k in KNOWN_CRASHES:
        if fnmatch(case_id, k.case.replace("[", "[[]")) and k.applies(dims or {}):
            return k
    return None
