"""A case: one module variant × framework × dtype × device × mode, and its readable id.

Ids read like ``elu-torch-float32-cpu``, ``max_pool2d[k=3,s=1]-jax-float64-cpu``,
``softmax-jax-float32-cpu-compiled`` or ``conv2d-torch-float32-gpu-default-precision``
(the framework's own precision defaults, TF32 included, instead of true float32), with
``~<form>`` for a form other than the canonical one (``softmax-torch-float32-cpu~axis=0``,
``conformance/model/forms.py``), and parse back (``parse_case_id``) so that a repro
command needs nothing but the id and the example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.model.spec import ModuleSpec, Variant
from conformance.specs import BY_NAME


@dataclass(frozen=True)
class Case:
    spec: ModuleSpec
    variant: Variant
    framework: str
    dtype: str
    device: str
    mode: str = "eager"
    precision: str = "highest"  # "default": the framework's own (TF32 on GPU where it is on)
    form: str = "canonical"  # how the op is called (conformance/model/forms.py)

    @property
    def module_id(self) -> str:
        return self.spec.name + (f"[{self.variant.name}]" if self.variant.name else "")

    @property
    def id(self) -> str:
        tail = "-compiled" if self.mode == "compiled" else ""
        tail += "-default-precision" if self.precision == "default" else ""
        tail += "-autocast" if self.precision == "autocast" else ""
        tail += f"~{self.form}" if self.form != "canonical" else ""
        return f"{self.module_id}-{self.framework}-{self.dtype}-{self.device}{tail}"

    @property
    def attrs(self) -> dict:
        """Attributes as recorded in results: the variant's, plus its name."""
        out = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.variant.call_attrs.items()}
        if self.variant.name:
            out["variant"] = self.variant.name
        return out


_ID = re.compile(r"^(?P<module>[a-z0-9_]+)(\[(?P<variant>[^\]]*)\])?-(?P<framework>.+)-"
                 r"(?P<dtype>[a-z0-9]+)-(?P<device>cpu|gpu)(?P<compiled>-compiled)?(?P<precision>-default-precision)?(?P<autocast>-autocast)?"
                 r"(~(?P<form>[^~]+))?$")


def parse_case_id(case_id: str) -> Case:
    """The inverse of ``Case.id``; ValueError with the valid names when it does not parse."""
    m = _ID.match(case_id.strip())
    if not m:
        raise ValueError(f"not a case id: {case_id!r} (expected e.g. 'elu-torch-float32-cpu' "
                         "or 'max_pool2d[k=3,s=1]-jax-float64-cpu-compiled')")
    name = m["module"]
    if name not in BY_NAME:
        raise ValueError(f"unknown module {name!r}; known: {', '.join(sorted(BY_NAME))}")
    spec = BY_NAME[name]
    try:
        variant = spec.variant(m["variant"] or "")
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    return Case(spec, variant, m["framework"], m["dtype"], m["device"],
                "compiled" if m["compiled"] else "eager",
                "default" if m["precision"] else "autocast" if m["autocast"] else "highest",
                _form(m["form"]))


def _form(form: str | None) -> str:
    from conformance.model.forms import CANONICAL, kind, parts

    for p in parts(form or ""):
        try:
            kind(p)
        except ValueError as exc:
            raise ValueError(exc.args[0]) from None
    return form or CANONICAL
