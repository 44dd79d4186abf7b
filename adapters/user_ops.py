"""Auditing one's own kernels without writing an adapter: replace entries of a built-in
adapter's op table with the user's functions.

``--ops torch=mypkg.kernels`` (repeatable), or the entry-point group
``gradient_conformance.ops`` (name: the framework, value: the module), names a module that
defines ``build(framework) -> {module: callable}`` — the convention of the adapters' own
``*_ops.py`` files — or a dict ``OPS``. Each callable takes the same canonical arguments and
attributes as the op it replaces (a custom ``torch.autograd.Function``'s ``apply``, a Triton
kernel wrapped in one, a ``jax.custom_vjp`` function), and the adapter's own conversion,
autodiff and compilation run around it. Every record of such a module says where its op
came from (``op_source``), and its repro command carries the same ``--ops``.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping

ENTRY_POINT_GROUP = "gradient_conformance.ops"


def parse_ops_option(values) -> dict[str, list[str]]:
    """``["torch=mypkg.kernels", ...]`` -> {framework: [module, ...]}; ValueError on a bad entry."""
    out: dict[str, list[str]] = {}
    for value in values or ():
        framework, sep, module = str(value).partition("=")
        if not sep or not framework.strip() or not module.strip():
            raise ValueError(f"--ops {value!r}: expected FRAMEWORK=package.module")
        out.setdefault(framework.strip(), []).append(module.strip())
    return out


def entry_point_ops() -> dict[str, list[str]]:
    """Op overrides registered by installed distributions: {framework: [module, ...]}."""
    from importlib import metadata

    out: dict[str, list[str]] = {}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        out.setdefault(ep.name, []).append(ep.value)
    return out


def load_user_ops(source: str, framework: Any) -> dict[str, Callable]:
    """The {module: callable} table of module ``source`` (``build(framework)`` or ``OPS``)."""
    try:
        mod = importlib.import_module(source)
    except ImportError as exc:
        raise ImportError(f"--ops: cannot import {source!r} ({exc})") from exc
    if hasattr(mod, "build"):
        ops = mod.build(framework)
    elif hasattr(mod, "OPS"):
        ops = mod.OPS
    else:
        raise ValueError(f"--ops {source!r}: defines neither build(framework) nor OPS")
    if not isinstance(ops, Mapping) or not ops or not all(callable(f) for f in ops.values()):
        raise ValueError(f"--ops {source!r}: expected a non-empty {{module: callable}} table")
    return dict(ops)
