"""JAX forward mode and second order, every route JAX offers (``adapters.derivatives``).

* ``jvp``: ``jvp`` (``jax.jvp``) and ``linearize`` (``jax.linearize``, then the linear map);
* ``hvp``, every composition of the two modes: ``fwd_over_rev`` (``jax.jvp(jax.grad(s))``),
  ``rev_over_rev`` (``jax.grad`` of ⟨``jax.grad(s)``, v⟩), ``rev_over_fwd`` (``jax.vjp`` of
  ``jax.jvp``: the pullback of u through x ↦ J(x) v) and ``fwd_over_fwd`` (``jax.jvp`` of
  ``jax.jvp``, ⟨u, D²f[e, v]⟩ for every basis tangent e at once under ``jax.vmap``: H v
  assembled in one program; above ``BASIS_LIMIT`` elements, e is each argument's own
  tangent: ``adapters.derivatives.forward_over_forward_plan``);
* ``jacobian``: ``jax.jacrev``, ``jax.jacfwd`` and ``linear_transpose`` (the rows of J by
  ``jax.linear_transpose`` of ``jax.linearize``'s linear map: the VJP by transposition,
  beside ``jax.vjp``'s); ``hessian``: ``jax.hessian``.

Each route is one function of (differentiated arrays, constants, cotangents, tangents);
compiled mode is ``jax.jit`` of it, cached per route, module, attrs, names and wrt, so JAX
compiles one program per route and shape and reuses it across examples and arguments (the
per-argument tangents of ``jvp`` are zeros elsewhere: the same program).
"""

from __future__ import annotations

import numpy as np

from ..common import freeze
from ..derivatives import attempt, forward_over_forward, hessian_rows, jacobian_matrix
from ..program_cache import programs

ROUTES = {"jvp": ("jvp", "linearize"),
          "hvp": ("fwd_over_rev", "rev_over_rev", "rev_over_fwd", "fwd_over_fwd"),
          "jacobian": ("jacrev", "jacfwd", "linear_transpose"), "hessian": ("hessian",)}
BASIS_ROUTES = ("fwd_over_fwd",)


def _program(jax, op, kw, is_diff, kind, route):
    jnp = jax.numpy

    def f_of(const):
        def f(*d):
            it_d, it_c = iter(d), iter(const)
            out = op(*[next(it_d) if flag else next(it_c) for flag in is_diff], **kw)
            return tuple(out) if isinstance(out, list) else out
        return f

    def s_of(const, us):
        f = f_of(const)

        def s(*d):
            out = f(*d)
            return sum(jnp.vdot(u, o) for u, o in zip(us, out if isinstance(out, tuple) else (out,)))
        return s

    if (kind, route) == ("jvp", "jvp"):
        def prog(diff, const, tangents):
            return jax.jvp(f_of(const), tuple(diff), tuple(tangents))[1]
    elif (kind, route) == ("jvp", "linearize"):
        def prog(diff, const, tangents):
            _, linear = jax.linearize(f_of(const), *diff)
            return linear(*tangents)
    elif (kind, route) == ("hvp", "fwd_over_rev"):
        def prog(diff, const, us, vs):
            grad = jax.grad(s_of(const, us), argnums=tuple(range(len(diff))))
            return jax.jvp(grad, tuple(diff), tuple(vs))[1]
    elif (kind, route) == ("hvp", "rev_over_rev"):
        def prog(diff, const, us, vs):
            argnums = tuple(range(len(diff)))
            grad = jax.grad(s_of(const, us), argnums=argnums)

            def dot(*d):
                return sum(jnp.vdot(g, v) for g, v in zip(grad(*d), vs))
            return jax.grad(dot, argnums=argnums)(*diff)
    elif (kind, route) == ("hvp", "rev_over_fwd"):
        def prog(diff, const, us, vs):
            def jv(*d):
                return jax.jvp(f_of(const), d, tuple(vs))[1]
            out, pullback = jax.vjp(jv, *diff)
            return pullback(tuple(us) if isinstance(out, tuple) else us[0])
    elif (kind, route) == ("hvp", "fwd_over_fwd"):
        def prog(diff, const, us, vs, es):
            def jv(*d):
                return jax.jvp(f_of(const), d, tuple(vs))[1]

            def element(*e):  # ⟨u, D²f[e, v]⟩
                out = jax.jvp(jv, tuple(diff), e)[1]
                return sum(jnp.vdot(u, o) for u, o in zip(us, out if isinstance(out, tuple) else (out,)))
            return jax.vmap(element)(*es)
    elif kind == "jacobian":
        api = jax.jacrev if route == "jacrev" else jax.jacfwd

        def prog(diff, const):
            return api(f_of(const), argnums=tuple(range(len(diff))))(*diff)  # [output][argument]
    elif (kind, route) == ("jacobian", "linear_transpose"):
        # The VJP by transposition: jax.linear_transpose of jax.linearize's linear map, pulled
        # back along every basis cotangent of each output (jax.vmap): the rows of J.
        def prog(diff, const):
            out, linear = jax.linearize(f_of(const), *diff)
            transpose = jax.linear_transpose(linear, *diff)
            outs = out if isinstance(out, tuple) else (out,)
            rows = []
            for k, o in enumerate(outs):
                def pull(e, k=k):
                    ct = tuple(e if j == k else jnp.zeros_like(p) for j, p in enumerate(outs))
                    return transpose(ct if isinstance(out, tuple) else ct[0])
                eye = jnp.eye(o.size, dtype=o.dtype).reshape((o.size,) + o.shape)
                rows.append(tuple(g.reshape(o.shape + d.shape) for g, d in zip(jax.vmap(pull)(eye), diff)))
            return tuple(rows) if isinstance(out, tuple) else rows[0]
    elif (kind, route) == ("hessian", "hessian"):
        def prog(diff, const, us):
            return jax.hessian(s_of(const, us), argnums=tuple(range(len(diff))))(*diff)
    else:
        raise KeyError(f"jax: no {kind} route {route!r}")
    return prog


def _function(adapter, module, kw, names, wrt, kind, route, mode):
    jax = adapter.framework
    is_diff = [n in wrt for n in names]
    prog = _program(jax, adapter.ops()[module], kw, is_diff, kind, route)
    if mode == "eager":
        return prog
    key = (kind, route, module, freeze(kw), tuple(names), tuple(wrt))
    return programs(adapter, "_derivative_programs").get_or_make(key, lambda _n: jax.jit(prog))


def _numpy(value):
    if isinstance(value, (tuple, list)):
        return tuple(np.asarray(v) for v in value)
    return np.asarray(value)


def derivatives(adapter, module, args, names, wrt, tangents, cotangent, attrs, *, routes,
                dtype, device="cpu", mode="eager", seed=0):
    kw = adapter.prepare_derivatives_call(module, args, names, wrt, attrs, dtype, device, mode)
    jax = adapter.framework
    dev = adapter._gpus()[0] if device == "gpu" else jax.devices("cpu")[0]

    def put(a):
        return jax.device_put(np.asarray(a, dtype=dtype), dev)

    diff = tuple(put(a) for a, n in zip(args, names) if n in wrt)
    const = tuple(put(a) for a, n in zip(args, names) if n not in wrt)
    diff_names = [n for n in names if n in wrt]
    us = tuple(put(c) for c in (cotangent if isinstance(cotangent, (tuple, list)) else [cotangent]))
    vs = tuple(put(tangents[n]) for n in diff_names)
    zeros = tuple(jax.numpy.zeros_like(d) for d in diff)
    results = []
    for route in routes.get("jvp", ()):
        def run(route=route):
            fn = _function(adapter, module, kw, names, wrt, "jvp", route, mode)
            return {n: _numpy(fn(diff, const, zeros[:i] + (vs[i],) + zeros[i + 1:]))
                    for i, n in enumerate(diff_names)}
        results.append(attempt("jvp", route, run))
    shapes = [tuple(d.shape) for d in diff]
    for route in routes.get("hvp", ()):
        if route in BASIS_ROUTES:
            def column(plan, route=route):
                fn = _function(adapter, module, kw, names, wrt, "hvp", route, mode)
                return np.asarray(fn(diff, const, us, vs, tuple(put(np.stack(c)) for c in zip(*plan))))
            results.append(forward_over_forward(route, diff_names, shapes,
                                                [tangents[n] for n in diff_names], dtype, column))
            continue

        def run(route=route):
            fn = _function(adapter, module, kw, names, wrt, "hvp", route, mode)
            return dict(zip(diff_names, _numpy(tuple(fn(diff, const, us, vs)))))
        results.append(attempt("hvp", route, run))
    sizes = [int(np.prod(sh, dtype=np.int64)) for sh in shapes]
    for route in routes.get("jacobian", ()):
        def run(route=route):
            fn = _function(adapter, module, kw, names, wrt, "jacobian", route, mode)
            full = fn(diff, const)
            per_out = full if isinstance(full, tuple) and isinstance(full[0], tuple) else (full,)
            return {n: jacobian_matrix([o[i] for o in per_out], sizes[i])
                    for i, n in enumerate(diff_names)}
        results.append(attempt("jacobian", route, run))
    for route in routes.get("hessian", ()):
        def run(route=route):
            fn = _function(adapter, module, kw, names, wrt, "hessian", route, mode)
            full = fn(diff, const, us)
            return {n: hessian_rows(full[i], sizes[i]) for i, n in enumerate(diff_names)}
        results.append(attempt("hessian", route, run))
    return results
