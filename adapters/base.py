"""The adapter protocol: how the suite asks one framework for an output and its VJP.

Rules every adapter follows (the conformance suite and third-party adapters rely on them):

* The framework is imported inside the adapter's methods, never at module level, so that
  ``import adapters`` imports no framework. A test proves it in a subprocess.
* An adapter speaks the canonical layout of the specs (channels-first, batch first) and
  the canonical argument order of ``references``; any transposition to the framework's
  native layout happens inside the adapter and is undone before returning.
* ``vjp`` calls the framework's *native* operation and its own autodiff with the given
  cotangent. Modules a framework has no native op for are composed from its primitives
  and listed in ``composed`` so that results say so.
* It returns NumPy arrays in the dtype it computed in; the suite does the comparison.

A third-party adapter subclasses :class:`Adapter` (or duck-types it) and is loaded with
``--adapter package.module:Class`` or the ``gradient_conformance.adapters`` entry-point
group.
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping, Sequence

import numpy as np

from .protocol import (DEVICES, DRAWS_RANDOMNESS, DTYPES, LOW_PRECISION, MODES,  # noqa: F401
                       PRECISIONS, Unsupported, VjpResult)


class Adapter:
    """Base class for framework adapters.

    Subclasses set ``name`` and implement ``_load`` (import the framework and return it,
    or raise ``ImportError``) and ``vjp``. ``composed`` names the modules built from the
    framework's primitives rather than a native op.
    """

    name: ClassVar[str] = "abstract"
    package: ClassVar[str | None] = None  # distribution whose version is reported
    packages: ClassVar[tuple[str, ...]] = ()  # other distributions it may be installed as
    companions: ClassVar[tuple[str, ...]] = ()  # distributions it also uses (versions reported)
    import_name: ClassVar[str | None] = None  # the top-level module the framework imports as
    composed: ClassVar[frozenset[str]] = frozenset()
    modules: ClassVar[frozenset[str] | None] = None  # None: every module it has an op for
    ops_package: ClassVar[str | None] = None  # a package of *_ops.py family files
    # Substrings of the framework's error when it has no kernel for a low-precision dtype
    # (``no_kernel_reason`` turns such an error into a skip that quotes it).
    no_kernel_markers: ClassVar[tuple[str, ...]] = ()
    # Set by ``set_precision('autocast')``: run the op under the framework's bfloat16 mixed
    # precision (torch.autocast; a bfloat16 compute dtype over float32 arguments).
    autocast_mode: bool = False
    # The mode the quick profile runs this framework in (the full profile runs every mode):
    # the one whose first call of a new shape costs least. An eager mode that dispatches
    # op by op without compiling is cheapest; one that compiles every primitive separately
    # for each new shape is dearer than compiling the whole function once.
    quick_mode: ClassVar[str] = "eager"
    # The execution modes it has (``MODES``): the references have no compiled mode.
    modes: ClassVar[tuple[str, ...]] = MODES
    # The kinds of form (``adapters/forms.py``) an adapter without a ``forms.py`` of its own
    # realises: "size" needs nothing of it; "axis" means its ops take ``axis``; "layout"
    # means it keeps the strides of the NumPy views it receives.
    form_kinds: ClassVar[frozenset[str]] = frozenset({"size"})

    def __init__(self) -> None:
        self._framework: Any = None
        self._load_error: str | None = None
        self._table: Any = None

    # -- availability -------------------------------------------------------------------
    def _load(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def framework(self) -> Any:
        if self._framework is None and self._load_error is None:
            try:
                self._framework = self._load()
            except ImportError as exc:
                self._load_error = f"{self.name} is not installed ({exc})"
        if self._framework is None:
            raise Unsupported(self._load_error or f"{self.name} is unavailable")
        return self._framework

    def release_programs(self) -> None:
        """Let go of what is kept for reuse: the compiled functions this adapter keeps
        (``adapters.program_cache``) and, where an adapter overrides ``_release_framework``,
        what the framework keeps itself. Called between cases when a worker's memory passes
        its bound (``conformance.harness.memory``); nothing computed later differs, it is
        only compiled again."""
        from .program_cache import clear_all

        clear_all(self)
        if self._framework is not None:
            self._release_framework(self._framework)

    def _release_framework(self, framework: Any) -> None:
        """What the framework itself keeps for reuse (nothing by default)."""

    def unavailable_reason(self) -> str | None:
        """None when the framework imports, else why it does not (a skip reason)."""
        try:
            self.framework
        except Unsupported as exc:
            return str(exc)
        return None

    def version(self) -> str | None:
        """The installed version, read from package metadata without importing it."""
        from importlib import metadata

        for dist in (self.package, *self.packages) if self.package else ():
            try:
                return metadata.version(dist)
            except metadata.PackageNotFoundError:
                continue
        return None

    def device_reason(self, device: str) -> str | None:
        """None when ``device`` ('cpu' or 'gpu') can be used, else why not."""
        return None if device == "cpu" else f"{self.name}: no {device} device"

    def supports(self, module: str) -> bool:
        if self.modules is not None:
            return module in self.modules
        return module in self.ops()

    def ops(self) -> Mapping[str, Any]:
        """{module: callable(*tensors, **attrs)}: for built-in adapters, merged from the
        ``*_ops.py`` files of ``ops_package`` (see ``adapters.common.discover_ops``)."""
        if self.ops_package is None:
            return {}
        return self._op_table().ops

    def override_ops(self, source: str) -> list[str]:
        """Replace entries of the op table with module ``source``'s (``adapters.user_ops``);
        returns the modules replaced. Only modules the table has may be replaced."""
        from .user_ops import load_user_ops

        ops = load_user_ops(source, self.framework)
        unknown = sorted(set(ops) - set(self.ops()))
        if unknown:
            raise ValueError(f"--ops {source!r}: {self.name} has no op {unknown} to replace "
                             f"(its ops: {', '.join(sorted(self.ops()))})")
        table = self._op_table()
        table.ops.update(ops)
        table.sources.update({m: source for m in ops})
        return sorted(ops)

    def op_source(self, module: str) -> str:
        """Where the op for ``module`` comes from: an ``--ops`` module, else the adapter's."""
        sources = getattr(self._table, "sources", None) or {}
        return sources.get(module) or self.ops_package or type(self).__module__

    def _op_table(self):
        if self._table is None:
            from .common import discover_ops

            self._table = discover_ops(self.ops_package, self.framework)
        return self._table

    # -- runtime state: precision, determinism, environment (adapters/<fw>/runtime.py) -----
    def _ops_module(self, name: str):
        """The adapter's ``<ops_package>.<name>`` module, or None where it has none."""
        if self.ops_package is None:
            return None
        import importlib

        try:
            return importlib.import_module(f"{self.ops_package}.{name}")
        except ModuleNotFoundError:
            return None

    def _runtime(self):
        return self._ops_module("runtime")

    def precision_flags(self) -> dict[str, Any]:
        """The framework's precision switches as they stand (TF32, matmul precision)."""
        rt = self._runtime()
        return rt.precision_flags(self.framework) if rt else {}

    def tf32_active(self, device: str) -> bool:
        """Whether float32 matmuls/convolutions may use TF32 on ``device`` right now."""
        rt = self._runtime()
        return bool(rt.tf32_active(self.framework, device)) if rt else False

    def set_precision(self, mode: str) -> None:
        """'default': leave the framework's defaults; 'highest': true float32 everywhere;
        'autocast': true float32, with the op run the way the framework's mixed precision
        runs it (float32 arguments computed in bfloat16: ``autocast_mode``)."""
        if mode not in PRECISIONS:
            raise ValueError(f"unknown precision {mode!r}; expected one of {PRECISIONS}")
        self.autocast_mode = mode == "autocast"
        mode = "highest" if mode == "autocast" else mode
        rt = self._runtime()
        if rt is None:
            return
        if not hasattr(self, "_initial_precision"):
            self._initial_precision = rt.precision_flags(self.framework)
        if mode == "highest":
            rt.set_precision(self.framework, "highest")
        else:
            rt.restore_precision(self.framework, self._initial_precision)

    def set_deterministic(self, on: bool) -> str:
        """Switch the framework's determinism mode; returns what was done."""
        rt = self._runtime()
        return rt.set_deterministic(self.framework, on) if rt else "no determinism switch"

    def no_kernel_reason(self, exc: BaseException, dtype: str, device: str) -> str | None:
        """A skip reason when ``exc`` says the framework has no ``dtype`` kernel (bfloat16
        and float16 only) on ``device``, quoting its own text; None for any other error."""
        from .common import low_precision_unsupported

        return low_precision_unsupported(exc, self.name, dtype, device, self.no_kernel_markers)

    def runtime_flags(self) -> dict[str, Any] | None:
        """Precision and determinism flags as they stand (``runtime.flags``), for the
        environment block; None when this process has not imported the framework (nothing
        is imported for it)."""
        import sys

        rt = self._runtime()
        if rt is None or self.import_name not in sys.modules:
            return None
        return rt.flags(self.framework)

    def defaults(self) -> dict[str, Any]:
        """The framework's default attribute values (slopes, eps, momenta), read from the
        installed framework by its ``probes.py`` — a measurement, not a table."""
        if self.ops_package is None:
            return {}
        import importlib

        try:
            probes = importlib.import_module(f"{self.ops_package}.probes")
        except ModuleNotFoundError:
            return {}
        return probes.defaults(self.framework)

    def unsupported_reason(self, module: str, attrs: Mapping[str, Any]) -> str | None:
        """A skip reason when this framework cannot express ``module`` with ``attrs``
        (checked before any computation), else None."""
        if self.ops_package is None:
            return None
        if module not in self.ops():
            return f"{self.name} has no op for {module!r}"
        return self._op_table().unsupported(module, attrs)

    def is_composed(self, module: str, attrs: Mapping[str, Any] | None = None) -> bool:
        """Whether ``module`` (with ``attrs``) is built from primitives, not a native op.

        A module in ``composed`` is composed in its injected-argument form; the form whose
        randomness the framework draws (``attrs[DRAWS_RANDOMNESS]``) calls the framework's
        own op and is never composed."""
        if attrs is not None and attrs.get(DRAWS_RANDOMNESS):
            return False
        if module in (getattr(self._table, "sources", None) or {}):
            return False  # the user's own kernel (--ops), called as it is
        if self.ops_package is not None and self.unavailable_reason() is None:
            return self._op_table().is_composed(module, attrs)
        return module in self.composed

    def prepare_call(self, module: str, args, names, wrt, attrs: Mapping[str, Any], dtype: str,
                     device: str, mode: str) -> dict[str, Any]:
        """The checks every ``vjp`` starts with (arguments, device, attributes the framework
        cannot express); returns the keyword arguments for the module's op."""
        from .common import validate_call

        from .forms import DATA_FORMAT, FORM, FORM_KEYS

        validate_call(mode, dtype, args, names, wrt)
        reason = self.device_reason(device) or self.unsupported_reason(module, attrs)
        if reason is None and attrs.get(FORM, "canonical") != "canonical":
            reason = self.form_reason(module, attrs[FORM], attrs)
        if reason is not None:
            raise Unsupported(reason)
        kw = {k: v for k, v in attrs.items() if k not in FORM_KEYS}
        fmt = self._data_format(attrs.get(FORM, "canonical"))
        if fmt:
            kw[DATA_FORMAT] = fmt
        return kw

    def _forms_module(self):
        return self._ops_module("forms")

    def _data_format(self, form: str) -> str | None:
        """The data format an op is called with for ``form`` (``adapters/forms.py``), or
        None: a layout part the adapter realises through ``data_format``."""
        from .forms import parts

        if form == "canonical":
            return None
        realised = getattr(self._forms_module(), "DATA_FORMATS", ())
        return next((p for p in parts(form) if p in realised), None)

    def form_reason(self, module: str, form: str, attrs: Mapping[str, Any]) -> str | None:
        """A skip reason when this framework does not offer ``form`` of ``module`` (in its
        words), else None: the ``unsupported(module, part, attrs)`` of the adapter's
        ``forms.py`` for each part of the form, or ``form_kinds`` without one."""
        from .form_ops import takes
        from .forms import DATA_FORMAT, part_kind, parts

        declared = self._forms_module()
        realise = getattr(declared, "unsupported", None)
        formats = getattr(declared, "DATA_FORMATS", ())
        for part in parts(form):
            if realise is not None:
                reason = realise(module, part, attrs)
                needs = "axis" if part_kind(part) == "axis" else DATA_FORMAT if part in formats \
                    else None
                if reason is None and needs and not (module in self.ops()
                                                     and takes(self.ops()[module], needs)):
                    reason = (f"{self.name}: the adapter's op for {module} takes no {needs} "
                              "argument")
            elif part_kind(part) in self.form_kinds:
                reason = None
            else:
                reason = f"{self.name}: the adapter declares no {part_kind(part)} forms"
            if reason:
                return reason
        return None


    def prepare_derivatives_call(self, module: str, args, names, wrt, attrs: Mapping[str, Any],
                                 dtype: str, device: str, mode: str) -> dict[str, Any]:
        """``prepare_call`` for the forward-mode and second-order routes, which judge a
        variant whose randomness the framework draws on its injected-argument twin."""
        kw = self.prepare_call(module, args, names, wrt, attrs, dtype, device, mode)
        if kw.get(DRAWS_RANDOMNESS):
            raise Unsupported("the framework draws this variant's randomness: its derivatives "
                              "are checked on the injected-argument variant")
        return kw

    # -- forward mode and second order (adapters/derivatives.py) ---------------------------
    def derivative_routes(self) -> dict[str, tuple[str, ...]]:
        """{kind: route names}: the framework's own ways to compute ``jvp`` and ``hvp``."""
        from .derivatives import routes_of

        return routes_of(self)

    def derivatives(self, module: str, args: Sequence[np.ndarray], names: Sequence[str],
                    wrt: Sequence[str], tangents: Mapping[str, np.ndarray], cotangent,
                    attrs: Mapping[str, Any], *, routes: Mapping[str, Sequence[str]],
                    dtype: str, device: str = "cpu", mode: str = "eager", seed: int = 0) -> list:
        """Forward-mode tangents and Hessian-vector products by each requested route (see
        ``adapters.derivatives``); a list of ``DerivativeResult``. Raises ``Unsupported``
        when the adapter implements none."""
        from .derivatives import run

        return run(self, module, args, names, wrt, tangents, cotangent, attrs, routes=routes,
                   dtype=dtype, device=device, mode=mode, seed=seed)

    # -- the one computation ---------------------------------------------------------------
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
        """Run ``module`` on ``args`` (canonical order, NumPy arrays already cast to
        ``dtype``; ``names`` are their canonical names) and pull ``cotangent`` back to the
        arguments named in ``wrt``. A module with several outputs (a recurrent layer's
        sequence and final state) returns a tuple, and ``cotangent`` is then a tuple too. ``attrs`` are the module's attributes (kernel, stride,
        slope, rate, ...); ``seed`` seeds any randomness the framework's op uses."""
        raise NotImplementedError


def form_reason(adapter, module: str, form: str, attrs: Mapping[str, Any]) -> str | None:
    """``adapter.form_reason`` for an adapter that duck-types the protocol (None: it offers
    only the size forms, which need nothing of it)."""
    hook = getattr(adapter, "form_reason", None)
    if hook is not None:
        return hook(module, form, attrs)
    from .forms import part_kind, parts

    bad = [p for p in parts(form) if part_kind(p) != "size"]
    return f"{getattr(adapter, 'name', 'adapter')}: no form {bad[0]!r}" if bad else None
