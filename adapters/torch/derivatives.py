"""torch forward mode and second order, every route torch offers (``adapters.derivatives``).

* ``jvp``: ``func_jvp`` (``torch.func.jvp``) and ``forward_ad`` (dual tensors of
  ``torch.autograd.forward_ad``);
* ``hvp``, every composition of the two modes: ``double_backward``
  (``torch.autograd.grad(create_graph=True)``, then the gradient of ⟨g, v⟩: reverse over
  reverse), ``func_jvp_of_grad`` (``torch.func.jvp(torch.func.grad(s))``: forward over
  reverse), ``func_vjp_of_jvp`` (``torch.func.vjp`` of ``torch.func.jvp``: reverse over
  forward), ``backward_of_forward_ad`` (``torch.autograd.grad`` of ⟨u, tangent⟩ computed on
  ``forward_ad`` dual tensors: reverse over forward by the autograd engine) and
  ``func_jvp_of_jvp`` (``torch.func.jvp`` of ``torch.func.jvp``, forward over forward, H v
  assembled from one pass per basis tangent, batched by ``torch.func.vmap``; above
  ``BASIS_LIMIT`` elements one pass per argument along its own tangent:
  ``adapters.derivatives.forward_over_forward_plan``).

The op is the adapter's own (``*_ops.py``). Compiled mode applies each route to the
forward compiled by ``torch.compile(fullgraph=True)`` (one per module, attrs, names, wrt,
dtype and device, reused across examples, bounded; a recurrence's step: ``compiled.py``): whether torch's compiled functions support
forward mode and double backward is what it measures.
"""

from __future__ import annotations

import numpy as np

from ..common import as_list, freeze
from ..derivatives import attempt, forward_over_forward, hessian_rows, jacobian_matrix, split_args
from ..program_cache import programs
from .compiled import compiled

ROUTES = {"jvp": ("func_jvp", "forward_ad"),
          "hvp": ("double_backward", "func_jvp_of_grad", "func_vjp_of_jvp",
                  "backward_of_forward_ad", "func_jvp_of_jvp", "functional_hvp", "functional_vhp"),
          "jacobian": ("func_jacrev", "func_jacfwd", "functional_jacobian"),
          "hessian": ("func_hessian", "functional_hessian")}


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


def _dot(torch, outs, us):
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    return sum((o * u).sum() for o, u in zip(outs, us))


def _hvp_double_backward(torch, f, s, diff, vs, us):
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


def _hvp_jvp_of_grad(torch, f, s, diff, vs, us):
    grad = torch.func.grad(s, argnums=tuple(range(len(diff))))
    return torch.func.jvp(grad, tuple(diff), tuple(vs))[1]


def _hvp_vjp_of_jvp(torch, f, s, diff, vs, us):
    def jv(*d):
        return torch.func.jvp(f, d, tuple(vs))[1]

    out, pullback = torch.func.vjp(jv, *diff)
    return pullback(tuple(us) if isinstance(out, (tuple, list)) else us[0])


def _hvp_backward_of_forward_ad(torch, f, s, diff, vs, us):
    fwad = torch.autograd.forward_ad
    leaves = [p.detach().requires_grad_(True) for p in diff]
    with fwad.dual_level():
        outs, _ = as_list(f(*[fwad.make_dual(p, v) for p, v in zip(leaves, vs)]))
        tangents = [fwad.unpack_dual(o).tangent for o in outs]
        dot = sum((t * u).sum() for t, u in zip(tangents, us) if t is not None)
    if not torch.is_tensor(dot) or not dot.requires_grad:  # J v constant in x: H v = 0
        return [torch.zeros_like(p) for p in diff]
    return torch.autograd.grad(dot, leaves, allow_unused=True, materialize_grads=True)


def _jvp_of_jvp_column(torch, f, diff, vs, us, plan):
    """⟨u, D²f[e, v]⟩ for each outer tangent e of the plan (``forward_over_forward``)."""
    def jv(*d):
        return torch.func.jvp(f, d, tuple(vs))[1]

    def element(*e):
        return _dot(torch, torch.func.jvp(jv, tuple(diff), e)[1], us)

    es = tuple(torch.tensor(np.stack(c), dtype=p.dtype, device=p.device) for c, p in zip(zip(*plan), diff))
    try:  # one batched pass over the tangents
        return _numpy(torch.func.vmap(element)(*es))
    except (RuntimeError, NotImplementedError):  # no batching rule: one pass per tangent
        return np.array([float(element(*(t[i] for t in es))) for i in range(len(plan))])


def _hvp_functional(torch, f, s, diff, vs, us):
    return torch.autograd.functional.hvp(s, tuple(diff), tuple(vs))[1]


def _hvp_functional_vhp(torch, f, s, diff, vs, us):  # vᵀH = (H v)ᵀ: H is symmetric
    return torch.autograd.functional.vhp(s, tuple(diff), tuple(vs))[1]


def _outputs(value):
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _jacobians(torch, route, f, diff):
    """{argument index: [one block per output]}."""
    k = len(diff)
    if route == "functional_jacobian":
        full = torch.autograd.functional.jacobian(f, tuple(diff))
        probe = f(*diff)
        if isinstance(probe, (tuple, list)):  # [output][argument]
            return {i: [full[o][i] for o in range(len(full))] for i in range(k)}
        return {i: [full[i]] for i in range(k)}
    api = torch.func.jacrev if route == "func_jacrev" else torch.func.jacfwd
    return {i: _outputs(api(f, argnums=i)(*diff)) for i in range(k)}


def _hessians(torch, route, s, diff):
    """[row argument][column argument] blocks."""
    k = len(diff)
    if route == "functional_hessian":
        full = torch.autograd.functional.hessian(s, tuple(diff))
    else:
        full = torch.func.hessian(s, argnums=tuple(range(k)))(*diff)
    return [[_numpy(full[i][j]) for j in range(k)] for i in range(k)]


JVP = {"func_jvp": _jvp_func, "forward_ad": _jvp_forward_ad}
HVP = {"double_backward": _hvp_double_backward, "func_jvp_of_grad": _hvp_jvp_of_grad,
       "func_vjp_of_jvp": _hvp_vjp_of_jvp, "backward_of_forward_ad": _hvp_backward_of_forward_ad,
       "functional_hvp": _hvp_functional,
       "functional_vhp": _hvp_functional_vhp}
BASIS_ROUTES = ("func_jvp_of_jvp",)  # forward over forward: ``_jvp_of_jvp_column``


def _forward(adapter, module, kw, names, wrt, dtype, device, mode):
    if mode == "eager":
        return adapter._forward(module, kw, names, wrt, dtype, device, mode)
    op = adapter.ops()[module]
    key = (module, freeze(kw), tuple(names), tuple(wrt), dtype, device)
    return programs(adapter, "_derivative_programs").get_or_make(
        key, lambda n: compiled(adapter.framework, op, kw, f"derivative_forward_{module}_{n}"))


def _numpy(value):
    if isinstance(value, (tuple, list)):
        return tuple(_numpy(v) for v in value)
    # force: torch.func returns a ZeroTensor where a derivative is identically zero (H of a
    # function linear in x), which .numpy() refuses without it.
    return value.detach().cpu().numpy(force=True)


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
        if route in BASIS_ROUTES:
            def column(plan):
                with _no_donated_buffers(torch, mode):
                    return _jvp_of_jvp_column(torch, f, diff, vs, us, plan)
            results.append(forward_over_forward(route, diff_names, [tuple(p.shape) for p in diff],
                                                [tangents[n] for n in diff_names], np.float64, column))
            continue

        def hvp(route=route):
            with _no_donated_buffers(torch, mode):
                return dict(zip(diff_names, _numpy(tuple(HVP[route](torch, f, s, diff, vs, us)))))
        results.append(attempt("hvp", route, hvp))
    for route in routes.get("jacobian", ()):
        def jac(route=route):
            blocks = _jacobians(torch, route, f, diff)
            return {n: jacobian_matrix([_numpy(b) for b in blocks[i]], diff[i].numel())
                    for i, n in enumerate(diff_names)}
        results.append(attempt("jacobian", route, jac))
    for route in routes.get("hessian", ()):
        def hess(route=route):
            with _no_donated_buffers(torch, mode):
                blocks = _hessians(torch, route, s, diff)
            return {n: hessian_rows(blocks[i], diff[i].numel()) for i, n in enumerate(diff_names)}
        results.append(attempt("hessian", route, hess))
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
