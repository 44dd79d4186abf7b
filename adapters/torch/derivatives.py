"""torch forward mode and second order, every route torch offers (``adapters.derivatives``).

* ``jvp``: ``func_jvp`` (``torch.func.jvp``) and ``forward_ad`` (dual tensors of
  ``torch.autograd.forward_ad``);
* ``hvp``: ``double_backward`` (``torch.autograd.grad(create_graph=True)``, then the
  gradient of ⟨g, v⟩) and ``func_jvp_of_grad`` (``torch.func.jvp(torch.func.grad(s))``,
  forward over reverse).

The op is the adapter's own (``*_ops.py``). Compiled mode applies each route to the
forward compiled by ``torch.compile(fullgraph=True)`` (one per module, attrs, names, wrt,
dtype and device, reused across examples, bounded; a recurrence's step: ``compiled.py``): whether torch's compiled functions support
forward mode and double backward is what it measures.
"""

from __future__ import annotations

import numpy as np

from ..common import as_list, freeze
from ..derivatives import attempt, split_args
from ..program_cache import programs
from .compiled import compiled

ROUTES = {"jvp": ("func_jvp", "forward_ad"), "hvp": ("double_backward", "func_jvp_of_grad")}


def _jvp_func(torch, f, diff, tangents):
    return torch.func.jvp(f, tuple(diff), tuple(tangents))[1]


def _jvp_forward_ad(torch, f, diff, tangents):
    fwad = torch.autograd.forward_ad
    with fwad.dual_level():
        outs, multiple = as_list(f(*[fwad.make_dual(p, t) for p, t in zip(diff, tangents)]))
        res = []
        for o in outs:
            t = fwad.unpack_dual(o).tangent
            res.append(torch.zeros_like(o) if t is None else t)
    return tuple(res) if multiple else res[0]


def _hvp_double_backward(torch, s, diff, vs):
    leaves = [p.detach().requires_grad_(True) for p in diff]
    value = s(*leaves)
    if not value.requires_grad:
        return [torch.zeros_like(p) for p in diff]
    g = torch.autograd.grad(value, leaves, create_graph=True, allow_unused=True,
                            materialize_grads=True)
    dot = sum((gi * vi).sum() for gi, vi in zip(g, vs))
    if not dot.requires_grad:  # the gradient does not depend on x: H = 0
        return [torch.zeros_like(p) for p in diff]
    return torch.autograd.grad(dot, leaves, allow_unused=True, materialize_grads=True)


def _hvp_jvp_of_grad(torch, s, diff, vs):
    grad = torch.func.grad(s, argnums=tuple(range(len(diff))))
    return torch.func.jvp(grad, tuple(diff), tuple(vs))[1]


JVP = {"func_jvp": _jvp_func, "forward_ad": _jvp_forward_ad}
HVP = {"double_backward": _hvp_double_backward, "func_jvp_of_grad": _hvp_jvp_of_grad}


def _forward(adapter, module, kw, names, wrt, dtype, device, mode):
    if mode == "eager":
        return adapter._forward(module, kw, names, wrt, dtype, device, mode)
    op = adapter.ops()[module]
    key = (module, freeze(kw), tuple(names), tuple(wrt), dtype, device)
    return programs(adapter, "_derivative_programs").get_or_make(
        key, lambda n: compiled(adapter.framework, op, kw, f"derivative_forward_{module}_{n}"))


def _numpy(value):
    if isinstance(value, (tuple, list)):
        return tuple(v.detach().cpu().numpy() for v in value)
    return value.detach().cpu().numpy()


def derivatives(adapter, module, args, names, wrt, tangents, cotangent, attrs, *, routes,
                dtype, device="cpu", mode="eager", seed=0):
    kw = adapter.prepare_derivatives_call(module, args, names, wrt, attrs, dtype, device, mode)
    torch = adapter.framework
    dev = torch.device("cuda" if device == "gpu" else "cpu")

    def tensor(a):
        return torch.tensor(np.asarray(a, dtype=dtype), device=dev)

    diff, diff_names, rebuild = split_args([tensor(a) for a in args], names, wrt)
    forward = _forward(adapter, module, kw, names, wrt, dtype, device, mode)

    def f(*d):
        return forward(*rebuild(d))

    us = [tensor(c) for c in as_list(cotangent)[0]]

    def s(*d):
        return sum((o * u).sum() for o, u in zip(as_list(f(*d))[0], us))

    vs = [tensor(tangents[n]) for n in diff_names]
    zeros = [torch.zeros_like(p) for p in diff]
    results = []
    for route in routes.get("jvp", ()):
        def run(route=route):
            out = {}
            for i, name in enumerate(diff_names):
                one = zeros[:i] + [vs[i]] + zeros[i + 1:]
                out[name] = _numpy(JVP[route](torch, f, diff, one))
            return out
        results.append(attempt("jvp", route, run))
    for route in routes.get("hvp", ()):
        def hvp(route=route):
            with _no_donated_buffers(torch, mode):
                return dict(zip(diff_names, _numpy(tuple(HVP[route](torch, s, diff, vs)))))
        results.append(attempt("hvp", route, hvp))
    return results


def _no_donated_buffers(torch, mode):
    """Compiled mode: AOTAutograd's donated buffers (a memory optimisation, on by default)
    refuse ``create_graph=True`` with a message that is about the optimisation, not about
    double backward ("compiled with non-empty donated buffers ..."); without them torch
    answers the question itself — whether a compiled function supports double backward."""
    import contextlib

    config = getattr(getattr(torch, "_functorch", None), "config", None)
    if mode == "eager" or config is None or not hasattr(config, "donated_buffer"):
        return contextlib.nullcontext()
    return config.patch(donated_buffer=False)
