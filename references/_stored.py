"""The tensors a formula stores between its primitive steps, marked where they are formed.

A framework that runs a composed module (or saves activations for its backward) in bfloat16
or float16 rounds every tensor it stores to that type, once each. The low-precision error
model (``conformance.model.spec.LowPrecision``) needs to know how much those roundings can move a
result, and that depends on the formula's graph: a weight gradient that is a small sum of
large, cancelling products of stored gate values moves by far more than u of itself.

A reference marks each stored intermediate of its documented formula with ``stored(z)``.
Outside ``storing`` that is the identity (one context-variable read), so the references'
values never depend on it. Inside ``storing(hook)`` every marked tensor is replaced by
``hook(z)``, in the order the formula forms them — the conformance layer perturbs each by
one relative rounding to measure the response (``conformance.judge.sensitivity.stored_scales``).
Inputs and the cotangent are never marked: they are exactly representable in the dtype. A
result that the last marked step forms (h_T, dL/dh0) carries one perturbation more: its own
rounding, which the framework makes as well.
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Callable, Iterator

_HOOK: contextvars.ContextVar[Callable | None] = contextvars.ContextVar("stored_hook", default=None)


def stored(z):
    """``z``, or the active hook's replacement for it (see the module docstring)."""
    hook = _HOOK.get()
    return z if hook is None else hook(z)


@contextlib.contextmanager
def storing(hook: Callable) -> Iterator[None]:
    """Within the block, every ``stored(z)`` returns ``hook(z)``."""
    token = _HOOK.set(hook)
    try:
        yield
    finally:
        _HOOK.reset(token)
