"""An example in a form (``conformance/model/forms.py``): the canonical arrays handed to the
framework the form's way, its results brought back to the canonical layout, and the
comparison with the same framework's canonical call on the same example.

The adapter protocol for forms is in ``adapters/forms.py``: the form's name and axis in
the attributes, layouts as NumPy views with the form's strides.
"""

from __future__ import annotations

import numpy as np

from adapters.base import VjpResult
from adapters.forms import AXIS, AXIS_HOME, FORM, strided_view

from conformance.model import forms as F
from conformance.specs.forms import forms_of

CHECK_PREFIX = "form~canonical:"


def _moved(a, src, dst):
    return np.moveaxis(np.asarray(a), src, dst) if src != dst else a


def _layout(form: str, declared, name: str, a):
    """``a`` in the form's memory layout (unchanged when no layout part applies to it)."""
    a = np.asarray(a)
    layouts = F.layouts_of(form)
    if not layouts or a.ndim < 2 or a.size == 0:
        return a
    order = None
    if "channels_last" in layouts and name in declared.images and a.ndim in (4, 5):
        order = (0, *range(2, a.ndim), 1)
    elif "transposed" in layouts:
        order = tuple(reversed(range(a.ndim)))
    step = 2 if "strided" in layouts else 1
    if order is None and step == 1:
        return a
    return strided_view(a, order, step)


def call_in_form(form, spec, adapter, args, names, wrt, cotangent, attrs, **kw) -> VjpResult:
    """``adapter.vjp`` of one example in ``form``; the result in the canonical layout."""
    declared = forms_of(spec)
    k = F.axis_of(form)
    attrs = {**attrs, FORM: form}
    home = None
    if k is not None:
        first = next(a for n, a in zip(names, args) if n in declared.axis)
        rank = np.ndim(first)
        home = declared.home % rank
        args = [_moved(a, home, k) if n in declared.axis else a for n, a in zip(names, args)]
        attrs.update({AXIS: k, AXIS_HOME: home})

        def carries(a):
            return np.ndim(a) == rank

        multiple = isinstance(cotangent, tuple)
        cts = cotangent if multiple else (cotangent,)
        cts = tuple(_moved(c, home, k) if carries(c) else c for c in cts)
        cotangent = cts if multiple else cts[0]
    args = [_layout(form, declared, n, a) for n, a in zip(names, args)]
    result = adapter.vjp(spec.name, args, names, wrt, cotangent, attrs, **kw)
    if k is None:
        return result
    outs = result.output if isinstance(result.output, tuple) else (result.output,)
    back = tuple(_moved(o, k, home) if np.ndim(o) == rank else o for o in outs)
    grads = {n: (_moved(g, k, home) if n in declared.axis else g) for n, g in result.grads.items()}
    return VjpResult(output=back if isinstance(result.output, tuple) else back[0], grads=grads)


def against_canonical(flat_form, flat_canonical, out_names, ulps_of, tol_dtype):
    """The info checks ``form~canonical:<output>``: the form's results against the canonical
    call's on the same example, within twice the tolerance (each side is within its
    tolerance of the reference, so within twice it of the other)."""
    from conformance.judge.comparison import compare

    out = []
    for key, got in flat_form.items():
        check = key if key.startswith("grad:") else out_names[int(key.removeprefix("output"))]
        out.append(compare(CHECK_PREFIX + check, got, flat_canonical[key], tol_dtype,
                           2 * ulps_of(check)))
    return out
