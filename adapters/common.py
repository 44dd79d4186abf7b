"""Helpers shared by the framework adapters (no framework imported here).

Each framework adapter is a subpackage (``adapters/torch``, ``adapters/tensorflow``,
``adapters/jax``, ``adapters/numpy``) with the same file names: ``adapter.py`` (the class:
conversion, autodiff, compilation) and one ``*_ops.py`` file per module family
(``basic_ops.py``, ``conv_ops.py``, ...), each exposing ``build(framework) -> {module:
callable}`` and ``COMPOSED`` (the modules it composes from primitives), and optionally
``unsupported(module, attrs) -> str | None`` (a skip reason for attributes the framework's
op cannot express) and ``composed(module, attrs) -> bool | None`` (for modules composed
only in some variants). ``discover_ops`` merges them, so a new family is a new file, not
an edit of the adapter.
"""

from __future__ import annotations

import importlib
import pkgutil
import types
from typing import Any, Mapping, Sequence

import numpy as np

from .protocol import DTYPES, LOW_PRECISION, MODES

def freeze(value: Any) -> Any:
    """A hashable version of an attribute value (for compiled-function caches)."""
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, np.generic):
        return value.item()
    return value


def signature_default(fn, name: str):
    """The default of parameter ``name`` of ``fn`` in the installed framework (a probe);
    a note when it cannot be read."""
    import inspect

    try:
        value = inspect.signature(fn).parameters[name].default
    except (ValueError, TypeError, KeyError) as exc:
        return f"unreadable ({type(exc).__name__})"
    return "required" if value is inspect.Parameter.empty else value


def own_code(fn, name: str):
    """A copy of ``fn`` with its own, distinctly named code object. torch.compile and
    tf.function keep caches and retracing statistics per code object, so each cached
    compiled function gets its own."""
    code = fn.__code__.replace(co_name=name, co_qualname=name)
    return types.FunctionType(code, fn.__globals__, name, fn.__defaults__, fn.__closure__)


def stepwise(op):
    """Marks an op that runs a Python loop over time steps and takes ``compile_step`` (a
    function that returns its argument compiled, or None in eager mode). Compiled mode then
    compiles the step — one program for every sequence length — and runs the loop outside
    it, instead of compiling the whole op, whose unrolled loop is a new program per length."""
    op.stepwise = True
    return op


def is_stepwise(op) -> bool:
    return bool(getattr(op, "stepwise", False))


def numpy_dtype(name: str) -> np.dtype:
    """The NumPy dtype for a dtype name; ``bfloat16`` comes from ``ml_dtypes`` (the storage
    type JAX and TensorFlow use), imported only when asked for."""
    if name == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def as_float32(array) -> np.ndarray:
    """A low-precision array widened to float32 (exact: every bfloat16 and float16 value
    is a float32 value), for frameworks that do not read ``ml_dtypes`` arrays."""
    return np.asarray(array).astype(np.float32)


def low_precision_unsupported(exc: BaseException, framework: str, dtype: str, device: str,
                              markers: Sequence[str]) -> str | None:
    """A skip reason when ``exc`` is the framework saying it has no kernel for a
    low-precision dtype (one of ``markers`` occurs in its message), else None. The reason
    quotes the framework's own text."""
    if dtype not in LOW_PRECISION:
        return None
    text = str(exc).strip()
    if not any(m in text for m in markers):
        return None
    first = next((line.strip() for line in text.splitlines() if line.strip()), text)
    return f"{framework}: no {dtype} kernel on {device}: {type(exc).__name__}: {first[:300]}"


def validate_call(mode: str, dtype: str, args: Sequence, names: Sequence[str],
                  wrt: Sequence[str]) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; expected one of {DTYPES}")
    if len(args) != len(names) or not set(wrt) <= set(names):
        raise ValueError(f"wrt {list(wrt)} must name some of the args {list(names)}")


def named_recurrent_params(params, gates, peep: bool) -> dict:
    """A recurrent layer's parameters by canonical name, in the specs' order: W_k, U_k, b_k
    per gate, then the peepholes P_i, P_f, P_o (LSTM) or b_hn (GRU)."""
    names = ([f"W_{k}" for k in gates] + [f"U_{k}" for k in gates] + [f"b_{k}" for k in gates]
             + (["P_i", "P_f", "P_o"] if peep else ["b_hn"]))
    return dict(zip(names, params))


def as_list(value) -> tuple[list, bool]:
    """(items, was_multiple): modules with several outputs return tuples."""
    if isinstance(value, (tuple, list)):
        return list(value), True
    return [value], False


class OpTable:
    """The merged op tables of one framework."""

    def __init__(self) -> None:
        self.ops: dict[str, Any] = {}
        self.composed: set[str] = set()
        self.sources: dict[str, str] = {}  # module -> where a replaced op came from (--ops)
        self._unsupported: list = []
        self._composed_by_attrs: list = []

    def unsupported(self, module: str, attrs: Mapping[str, Any]) -> str | None:
        for hook in self._unsupported:
            reason = hook(module, attrs)
            if reason:
                return reason
        return None

    def is_composed(self, module: str, attrs: Mapping[str, Any] | None) -> bool:
        for hook in self._composed_by_attrs:
            verdict = hook(module, attrs or {})
            if verdict is not None:
                return bool(verdict)
        return module in self.composed


def discover_ops(package: str, framework: Any) -> OpTable:
    """Merge ``build(framework)``, ``COMPOSED`` and the optional hooks of every ``*_ops``
    module in ``package``."""
    pkg = importlib.import_module(package)
    table = OpTable()
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if not info.name.endswith("_ops"):
            continue
        mod = importlib.import_module(f"{package}.{info.name}")
        ops = mod.build(framework)
        clash = set(table.ops) & set(ops)
        if clash:
            raise RuntimeError(f"{package}.{info.name} redefines {sorted(clash)}")
        table.ops.update(ops)
        table.composed |= set(getattr(mod, "COMPOSED", ()))
        if hasattr(mod, "unsupported"):
            table._unsupported.append(mod.unsupported)
        if hasattr(mod, "REQUIRES"):  # APIs an older release may lack (adapters/requires.py)
            from .requires import requires_hook

            table._unsupported.append(requires_hook(framework, mod.REQUIRES))
        if hasattr(mod, "composed"):
            table._composed_by_attrs.append(mod.composed)
    return table
