"""Which cases a run covers: parsing and validating the user's selection.

Every name the user gives is checked here, before any framework is imported, so a typo is
a usage error (exit 2) listing the valid names rather than a run that silently tests less.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters import BUILTIN, entry_point_adapters
from adapters.base import DEVICES, DTYPES, MODES, PRECISIONS
from adapters.machine import present_devices

from conformance.model.forms import FormChoice
from conformance.plan.cases import Case
from conformance.model.spec import AUTOCAST_ARITHMETIC
from conformance.plan.profiles import PROFILES
from conformance.specs import BY_NAME, SPECS


class UsageError(ValueError):
    """A bad selection; the message lists the valid choices."""


def split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _pick(kind: str, given: list[str], valid: list[str]) -> list[str]:
    unknown = [g for g in given if g not in valid]
    if unknown:
        raise UsageError(f"unknown {kind} {', '.join(map(repr, unknown))}; valid: {', '.join(valid)}")
    return given or list(valid)


def third_party(adapter_specs: list[str]) -> dict[str, str]:
    """name -> 'module:Class' for --adapter options and installed entry points."""
    from adapters import load_adapter

    found = dict(entry_point_adapters())
    for spec in adapter_specs:
        try:
            adapter = load_adapter(spec)
        except (ImportError, AttributeError, ValueError) as exc:
            raise UsageError(f"--adapter {spec}: {exc}") from None
        found[adapter.name] = spec
    return found


@dataclass
class Selection:
    modules: list[str]
    frameworks: list[str]
    dtypes: list[str]
    devices: list[str]
    modes: list[str]
    profile: str = "quick"
    precisions: list[str] = field(default_factory=lambda: ["highest"])
    extra_adapters: dict[str, str] = field(default_factory=dict)
    # framework -> the modes it runs in, where that is fewer than ``modes`` (a profile
    # that runs each framework in its adapter's ``quick_mode`` only).
    framework_modes: dict[str, list[str]] = field(default_factory=dict)
    # Which forms run besides the canonical one (conformance/model/forms.py).
    forms: FormChoice = field(default_factory=FormChoice)

    @classmethod
    def parse(cls, *, modules=None, frameworks=None, dtypes=None, devices=None, modes=None,
              profile="quick", adapters=(), precision=None, forms=None) -> "Selection":
        if profile not in PROFILES:
            raise UsageError(f"unknown profile {profile!r}; valid: {', '.join(PROFILES)}")
        for kind, value in (("modules", modules), ("frameworks", frameworks)):
            if value is not None and not split(value):  # given, but empty: not "everything"
                raise UsageError(f"--{kind} {value!r} names nothing; leave it out for all {kind}")
        extra = third_party(list(adapters))
        known_fw = list(BUILTIN) + [n for n in extra if n not in BUILTIN]
        fw_given = split(frameworks)
        if not fw_given and adapters:  # --adapter alone: test that adapter
            fw_given = [n for n in extra if n in {load_name(a, extra) for a in adapters}]
        devices_given = [d for d in split(devices) if d != "all"]
        chosen_fw = _pick("framework", fw_given, known_fw)
        per_fw: dict[str, list[str]] = {}
        if not modes and PROFILES[profile].one_mode:
            per_fw = {fw: [_quick_mode(fw, extra)] for fw in chosen_fw}
            modes = ",".join(m for m in MODES if any(m in v for v in per_fw.values()))
        return cls(
            modules=_pick("module", split(modules), [s.name for s in SPECS]),
            frameworks=chosen_fw,
            dtypes=_pick("dtype", split(dtypes), list(DTYPES)),
            devices=_pick("device", devices_given, list(DEVICES)) if devices_given
            else present_devices(),
            modes=_pick("mode", split(modes), list(MODES)) if modes else list(PROFILES[profile].modes),
            profile=profile,
            extra_adapters=extra,
            precisions=_pick("precision", split(precision), list(PRECISIONS))
            if precision else ["highest"],
            framework_modes=per_fw,
            forms=_forms(forms),
        )

    def cases(self) -> list[Case]:
        """Every combination; the framework-default precision only where it can differ
        from true float32: float32 on a GPU."""
        return [Case(BY_NAME[m], v, fw, dt, dev, mode, prec)
                for m in self.modules for v in BY_NAME[m].variants
                for fw in self.frameworks for dt in self.dtypes
                for dev in self.devices for mode in self.framework_modes.get(fw, self.modes)
                for prec in self.precisions
                if _precision_applies(prec, BY_NAME[m], dt, dev)
                and (not v.dtypes or dt in v.dtypes)] + self.form_cases()

    def form_cases(self) -> list[Case]:
        """The cases of the selected forms (``conformance.plan.forms``): each module's forms
        variant, every framework and mode, at true float32 precision; in the quick profile
        one dtype per variant (its quick dtype when selected, else the first selected), in
        the full profile every selected dtype."""
        from conformance.plan.quick_sizes import quick_dtype
        from conformance.plan.forms import forms_for

        out = []
        for m in self.modules:
            spec = BY_NAME[m]
            for v in spec.variants:
                forms = [f for f in forms_for(spec, v) if self.forms.wants(f)]
                if not forms:
                    continue
                dtypes = [d for d in self.dtypes if d in spec.dtypes]
                if not PROFILES[self.profile].free_shapes:
                    plain = [d for d in dtypes if d not in ("bfloat16", "float16")]
                    q = quick_dtype(spec, v)
                    dtypes = [q] if q in plain else plain[:1]
                out += [Case(spec, v, fw, dt, dev, mode, "highest", form)
                        for form in forms for fw in self.frameworks for dt in dtypes
                        for dev in self.devices for mode in self.framework_modes.get(fw, self.modes)]
        return out

    def adapter_spec(self, framework: str) -> str:
        return self.extra_adapters.get(framework) or BUILTIN[framework]


def _forms(value: str | None) -> FormChoice:
    try:
        return FormChoice.parse(value)
    except ValueError as exc:
        raise UsageError(f"--forms: {exc.args[0]}; valid: canonical, all, "
                         "axis, size, layout, or form names such as axis=0, D=1, "
                         "transposed, strided, channels_last, axis=0+D=1") from None


def _quick_mode(framework: str, extra: dict[str, str]) -> str:
    """The adapter's ``quick_mode`` (importing its adapter module, never the framework)."""
    from adapters import load_adapter

    try:
        mode = load_adapter(extra.get(framework) or BUILTIN[framework]).quick_mode
    except (ImportError, AttributeError, ValueError):
        return MODES[0]  # an adapter that cannot load is recorded as a skip later
    return mode if mode in MODES else MODES[0]


def _precision_applies(precision: str, spec, dtype: str, device: str) -> bool:
    """'default' where it can differ from true float32 (float32 on a GPU); 'autocast'
    (mixed precision: float32 arguments, bfloat16 compute) for float32 cases of modules
    whose work is matmuls and convolutions (``ModuleSpec.arithmetic``)."""
    if precision == "default":
        return device == "gpu" and dtype == "float32"
    if precision == "autocast":
        return dtype == "float32" and spec.arithmetic in AUTOCAST_ARITHMETIC
    return True


def load_name(spec: str, extra: dict[str, str]) -> str:
    for name, s in extra.items():
        if s == spec:
            return name
    return spec
