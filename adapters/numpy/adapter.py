"""The NumPy "framework": the hand-written references of :mod:`references` as an adapter.

Its VJP is the reference's own backward formula (no autodiff), so comparing it with the
other adapters goes through the same code path as any framework. It runs eagerly on the
CPU only and takes dropout's mask as an argument (it draws no random numbers).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..base import DRAWS_RANDOMNESS, LOW_PRECISION, Adapter, Unsupported, VjpResult
from ..common import as_list


# The references are the float64 oracle. Evaluated in bfloat16 or float16 they would judge
# the formulas' own rounding (written for float64: no max-shift guards, no float32
# accumulators), not a framework's kernels; NumPy has float16 storage and no bfloat16 type
# (``ml_dtypes`` supplies bfloat16 storage and rounding, which the suite uses for inputs).
LOW_PRECISION_SKIP = ("numpy: the references are the float64 oracle and have no {dtype} kernels "
                      "of their own (inputs are rounded to {dtype} with ml_dtypes; the reference "
                      "then runs on them in float64)")


class NumpyAdapter(Adapter):
    name = "numpy"
    package = "numpy"
    import_name = "numpy"
    # The references are the derivative oracles' own source: no jvp/hvp records of their own.
    DERIVATIVE_ROUTES: dict = {}
    # Every form: the arrays are the views themselves, and an axis form is brought to the
    # references' home axis (the references compute along it).
    form_kinds = frozenset({"axis", "size", "layout"})
    modes = ("eager",)  # the references have no compiled mode

    def _load(self) -> Any:
        return np

    def device_reason(self, device: str) -> str | None:
        return None if device == "cpu" else f"numpy: runs on the CPU only (no {device})"

    def ops(self) -> Mapping[str, Any]:
        from references import REFERENCES

        return {name: ref.forward for name, ref in REFERENCES.items()}

    def unsupported_reason(self, module: str, attrs: Mapping[str, Any]) -> str | None:
        """The references compute each formula one way: a variant that forces one of a
        framework's kernels by name (``kernel`` other than ``math``) is not run here."""
        kernel = attrs.get("kernel")
        if isinstance(kernel, str) and kernel != "math":
            return f"numpy: the reference has one kernel (math), not {kernel!r}"
        return None

    def vjp(
        self,
        module: str,
        args: Sequence[np.ndarray],
        names: Sequence[str],
        wrt: Sequence[str],
        cotangent: np.ndarray,
        attrs: Mapping[str, Any],
        *,
        dtype: str,
        device: str = "cpu",
        mode: str = "eager",
        seed: int = 0,
    ) -> VjpResult:
        from ..forms import from_form

        _, axis, home = from_form(attrs)
        kw = self.prepare_call(module, args, names, wrt, attrs, dtype, device, mode)
        if axis is not None:  # an axis form: the references compute with the axis at home
            kw.pop("axis", None)
            return _axis_vjp(self, module, args, names, wrt, cotangent, kw, axis, home,
                             dtype=dtype, device=device, mode=mode, seed=seed)
        if mode != "eager":
            raise Unsupported("numpy: the references have no compiled mode")
        if dtype in LOW_PRECISION:
            raise Unsupported(LOW_PRECISION_SKIP.format(dtype=dtype))
        if kw.pop(DRAWS_RANDOMNESS, False):
            raise Unsupported("the numpy reference takes an injected mask")
        from references import REFERENCES

        if module not in REFERENCES:
            raise Unsupported(f"numpy: no reference for {module!r}")
        forward, backward = REFERENCES[module]
        arrays = [np.asarray(a, dtype=dtype) for a in args]
        cts, multiple = as_list(cotangent)
        ct = tuple(np.asarray(c, dtype=dtype) for c in cts) if multiple else np.asarray(cts[0], dtype=dtype)
        out = forward(*arrays, **kw)
        # Computed in float64, returned rounded to the case's dtype, like a framework's result.
        output = (tuple(np.asarray(o, dtype=dtype) for o in out) if multiple
                  else np.asarray(out, dtype=dtype))
        pulled = backward(ct, *arrays, **kw)
        grads = {}
        for name, array, grad in zip(names, arrays, pulled):
            if name in wrt:
                grads[name] = np.zeros_like(array) if grad is None else np.asarray(grad, dtype=dtype)
        return VjpResult(output=output, grads=grads)


def _axis_vjp(adapter, module, args, names, wrt, cotangent, kw, axis, home, **call):
    """The VJP of an axis form: the arguments of the first argument's rank (and such
    outputs and cotangents) moved from ``axis`` to ``home`` and back."""
    rank = np.ndim(args[0])

    def move(a, src, dst):
        return np.moveaxis(np.asarray(a), src, dst) if np.ndim(a) == rank else a

    multiple = isinstance(cotangent, tuple)
    cts = tuple(move(c, axis, home) for c in (cotangent if multiple else (cotangent,)))
    result = NumpyAdapter.vjp(adapter, module, [move(a, axis, home) for a in args], names, wrt,
                         cts if multiple else cts[0], kw, **call)
    outs = result.output if multiple else (result.output,)
    outs = tuple(move(o, home, axis) for o in outs)
    return VjpResult(output=outs if multiple else outs[0],
                     grads={n: move(g, home, axis) for n, g in result.grads.items()})
