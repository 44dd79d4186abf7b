"""Framework adapters and their registry.

``load_adapter("torch")`` or ``load_adapter("package.module:Class")`` returns an adapter
instance; third-party adapters may also register under the entry-point group
``gradient_conformance.adapters`` (name -> "module:Class"). Importing this package
imports no framework: each adapter imports its framework on first use.
"""

from __future__ import annotations

import importlib

from .base import Adapter, Unsupported, VjpResult

ENTRY_POINT_GROUP = "gradient_conformance.adapters"

BUILTIN: dict[str, str] = {
    "numpy": "adapters.numpy:NumpyAdapter",
    "torch": "adapters.torch:TorchAdapter",
    "tensorflow": "adapters.tensorflow:TensorFlowAdapter",
    "jax": "adapters.jax:JaxAdapter",
}

# Built-in adapters that run the references themselves: what they compute is not an
# independent witness of the references (verdicts and errata leave them out).
REFERENCE_IMPLEMENTATIONS: frozenset[str] = frozenset({"numpy"})


def frameworks() -> list[str]:
    """The built-in frameworks, in the registry's order (the default selection)."""
    return list(BUILTIN)


def independent_frameworks() -> list[str]:
    """The built-in frameworks with their own implementation (not the references)."""
    return [name for name in BUILTIN if name not in REFERENCE_IMPLEMENTATIONS]


def entry_point_adapters() -> dict[str, str]:
    """Adapters registered by installed distributions: name -> "module:Class"."""
    from importlib import metadata

    return {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def load_adapter(spec: str) -> Adapter:
    """An adapter instance from a builtin name, an entry-point name or "module:Class"."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"adapter spec must be a non-empty string, got {spec!r}")
    spec = spec.strip()
    target = BUILTIN.get(spec)
    if target is None and ":" not in spec:
        target = entry_point_adapters().get(spec)
    if target is None:
        target = spec
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr or ":" in attr:
        known = sorted(set(BUILTIN) | set(entry_point_adapters()))
        raise ValueError(
            f"unknown adapter {spec!r}: expected one of {known} or 'package.module:Class'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(
            f"adapter {spec!r}: cannot import module {module_name!r} ({exc})"
        ) from exc
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ImportError(f"adapter {spec!r}: module {module_name!r} has no {attr!r}") from None
    adapter = obj() if isinstance(obj, type) else obj
    missing = [m for m in ("name", "vjp") if not hasattr(adapter, m)]
    if missing:
        raise ValueError(f"adapter {spec!r} is not an adapter (missing {', '.join(missing)})")
    return adapter


__all__ = [
    "Adapter", "BUILTIN", "ENTRY_POINT_GROUP", "REFERENCE_IMPLEMENTATIONS", "Unsupported",
    "VjpResult", "entry_point_adapters", "frameworks", "independent_frameworks", "load_adapter",
]
