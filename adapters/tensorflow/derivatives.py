"""TensorFlow forward mode and second order, every route it offers (``adapters.derivatives``).

* ``jvp``: ``forward_accumulator`` (``tf.autodiff.ForwardAccumulator``);
* ``hvp``, every composition of the two modes: ``nested_tapes`` (a ``GradientTape``
  inside another: reverse over reverse), ``fwd_over_rev`` (a ``ForwardAccumulator`` around
  a ``GradientTape``, TensorFlow's documented Hessian-vector product), ``rev_over_fwd`` (a
  ``GradientTape`` around a ``ForwardAccumulator``: the gradient of ⟨u, J v⟩) and
  ``fwd_over_fwd`` (a ``ForwardAccumulator`` inside another: ⟨u, D²f[e, v]⟩, one program
  run per basis tangent e, H v assembled from them; an accumulator carries one tangent, so
  the passes are not batched: above ``BASIS_LIMIT`` elements, one pass per argument along
  its own tangent, ``adapters.derivatives.forward_over_forward_plan``);
* ``jacobian``: ``tape_jacobian`` (``GradientTape.jacobian``) and ``tape_batch_jacobian``
  (``GradientTape.batch_jacobian``, for every output and argument that share the first
  axis; elsewhere a skip in TensorFlow's words); ``hessian``: the tape's Jacobian of its
  gradient.

Each route is one function of (tensors, cotangents, tangents); compiled mode wraps it in
``tf.function(jit_compile=True)`` (XLA), cached per route, module, attrs, names and wrt and
reused across examples and arguments. Channels-last ops transpose inside the op, so every
route differentiates through the transposition too.
"""

from __future__ import annotations

import numpy as np

from ..common import as_list, freeze, own_code
from ..derivatives import (attempt, batch_diagonal, forward_over_forward, hessian_rows,
                           jacobian_matrix)
from ..program_cache import programs

ROUTES = {"jvp": ("forward_accumulator",),
          "hvp": ("nested_tapes", "fwd_over_rev", "rev_over_fwd", "fwd_over_fwd"),
          "jacobian": ("tape_jacobian", "tape_batch_jacobian"),
          "hessian": ("tape_jacobian_of_gradient",)}
BASIS_ROUTES = ("fwd_over_fwd",)
# One eager pass of nested accumulators costs 20-100 ms at the smallest shapes (attention,
# recurrences): 24 passes keep the route's cost near the other routes' per case.
BASIS_LIMIT = 24


def _program(tf, op, kw, names, wrt, kind, route):
    zero = tf.UnconnectedGradients.ZERO

    def sources_of(tensors):
        return [t for t, n in zip(tensors, names) if n in wrt]

    if (kind, route) == ("jvp", "forward_accumulator"):
        def prog(tensors, tangents):
            with tf.autodiff.ForwardAccumulator(sources_of(tensors), tangents) as acc:
                outs, _ = as_list(op(*tensors, **kw))
            return [acc.jvp(o, unconnected_gradients=zero) for o in outs]
    elif (kind, route) == ("hvp", "nested_tapes"):
        def prog(tensors, us, vs):
            sources = sources_of(tensors)
            with tf.GradientTape() as outer:
                outer.watch(sources)
                with tf.GradientTape() as inner:
                    inner.watch(sources)
                    outs, _ = as_list(op(*tensors, **kw))
                g = inner.gradient(outs, sources, output_gradients=us, unconnected_gradients=zero)
                dot = tf.add_n([tf.reduce_sum(gi * vi) for gi, vi in zip(g, vs)])
            return outer.gradient(dot, sources, unconnected_gradients=zero)
    elif (kind, route) == ("hvp", "fwd_over_rev"):
        def prog(tensors, us, vs):
            sources = sources_of(tensors)
            with tf.autodiff.ForwardAccumulator(sources, vs) as acc:
                with tf.GradientTape() as tape:
                    tape.watch(sources)
                    outs, _ = as_list(op(*tensors, **kw))
                g = tape.gradient(outs, sources, output_gradients=us, unconnected_gradients=zero)
            return [acc.jvp(gi, unconnected_gradients=zero) for gi in g]
    elif (kind, route) == ("hvp", "rev_over_fwd"):
        def prog(tensors, us, vs):
            sources = sources_of(tensors)
            with tf.GradientTape() as tape:
                tape.watch(sources)
                with tf.autodiff.ForwardAccumulator(sources, vs) as acc:
                    outs, _ = as_list(op(*tensors, **kw))
                jv = [acc.jvp(o, unconnected_gradients=zero) for o in outs]
                dot = tf.add_n([tf.reduce_sum(u * t) for u, t in zip(us, jv)])
            return tape.gradient(dot, sources, unconnected_gradients=zero)
    elif (kind, route) == ("hvp", "fwd_over_fwd"):
        def prog(tensors, us, vs, es):
            sources = sources_of(tensors)
            with tf.autodiff.ForwardAccumulator(sources, es) as outer:
                with tf.autodiff.ForwardAccumulator(sources, vs) as inner:
                    outs, _ = as_list(op(*tensors, **kw))
                jv = [inner.jvp(o, unconnected_gradients=zero) for o in outs]
            d2 = [outer.jvp(t, unconnected_gradients=zero) for t in jv]
            return tf.add_n([tf.reduce_sum(u * t) for u, t in zip(us, d2)])
    elif (kind, route) == ("jacobian", "tape_jacobian"):
        def prog(tensors):  # [output][argument]
            sources = sources_of(tensors)
            with tf.GradientTape(persistent=True) as tape:
                tape.watch(sources)
                outs, _ = as_list(op(*tensors, **kw))
            return [tape.jacobian(o, sources, unconnected_gradients=zero) for o in outs]
    elif (kind, route) == ("jacobian", "tape_batch_jacobian"):
        def prog(tensors, which):  # [output][argument in which]: (batch,) + out[1:] + arg[1:]
            sources = sources_of(tensors)
            with tf.GradientTape(persistent=True) as tape:
                tape.watch(sources)
                outs, _ = as_list(op(*tensors, **kw))
            return [[tape.batch_jacobian(o, sources[i], unconnected_gradients=zero) for i in which]
                    for o in outs]
    elif (kind, route) == ("hessian", "tape_jacobian_of_gradient"):
        def prog(tensors, us):  # [row argument][column argument]
            sources = sources_of(tensors)
            with tf.GradientTape(persistent=True) as outer:
                outer.watch(sources)
                with tf.GradientTape() as inner:
                    inner.watch(sources)
                    outs, _ = as_list(op(*tensors, **kw))
                g = inner.gradient(outs, sources, output_gradients=us, unconnected_gradients=zero)
            return [outer.jacobian(gi, sources, unconnected_gradients=zero) for gi in g]
    else:
        raise KeyError(f"tensorflow: no {kind} route {route!r}")
    return prog


def _function(adapter, module, kw, names, wrt, kind, route, mode):
    tf = adapter.framework
    prog = _program(tf, adapter.ops()[module], kw, names, wrt, kind, route)
    if mode == "eager":
        return prog
    key = (kind, route, module, freeze(kw), tuple(names), tuple(wrt))
    # Static shapes, one trace per shape (no reduce_retracing: its unknown dimensions break
    # ops that need integers, see compiled_cache.py).
    return programs(adapter, "_derivative_programs").get_or_make(
        key, lambda n: tf.function(own_code(prog, f"{kind}_{route}_{module}_{n}"),
                                   jit_compile=True))


def derivatives(adapter, module, args, names, wrt, tangents, cotangent, attrs, *, routes,
                dtype, device="cpu", mode="eager", seed=0):
    kw = adapter.prepare_derivatives_call(module, args, names, wrt, attrs, dtype, device, mode)
    tf = adapter.framework
    multiple = isinstance(cotangent, (tuple, list))
    diff_names = [n for n in names if n in wrt]
    results = []
    with tf.device("/GPU:0" if device == "gpu" else "/CPU:0"):
        tensors = [tf.constant(np.asarray(a, dtype=dtype)) for a in args]
        us = [tf.constant(np.asarray(c, dtype=dtype)) for c in (cotangent if multiple else [cotangent])]
        vs = [tf.constant(np.asarray(tangents[n], dtype=dtype)) for n in diff_names]
        zeros = [tf.zeros_like(v) for v in vs]

        def arrays(outs):
            got = [o.numpy() for o in outs]
            return tuple(got) if multiple else got[0]

        for route in routes.get("jvp", ()):
            def run(route=route):
                fn = _function(adapter, module, kw, names, wrt, "jvp", route, mode)
                return {n: arrays(fn(tensors, zeros[:i] + [vs[i]] + zeros[i + 1:]))
                        for i, n in enumerate(diff_names)}
            results.append(attempt("jvp", route, run))
        shapes = [tuple(v.shape) for v in vs]
        for route in routes.get("hvp", ()):
            if route in BASIS_ROUTES:
                def column(plan, route=route):
                    fn = _function(adapter, module, kw, names, wrt, "hvp", route, mode)
                    return [float(fn(tensors, us, vs, [tf.constant(x) for x in e])) for e in plan]
                results.append(forward_over_forward(route, diff_names, shapes,
                                                    [tangents[n] for n in diff_names], dtype, column,
                                                    BASIS_LIMIT))
                continue

            def run(route=route):
                fn = _function(adapter, module, kw, names, wrt, "hvp", route, mode)
                return {n: g.numpy() for n, g in zip(diff_names, fn(tensors, us, vs))}
            results.append(attempt("hvp", route, run))
        sizes = [int(np.prod(sh, dtype=np.int64)) for sh in shapes]
        for route in routes.get("jacobian", ()):
            if route == "tape_batch_jacobian":
                results.append(_batch_jacobian(adapter, module, kw, names, wrt, mode, tensors,
                                               diff_names, sizes))
                continue

            def run(route=route):
                full = _function(adapter, module, kw, names, wrt, "jacobian", route, mode)(tensors)
                return {n: jacobian_matrix([o[i].numpy() for o in full], sizes[i])
                        for i, n in enumerate(diff_names)}
            results.append(attempt("jacobian", route, run))
        for route in routes.get("hessian", ()):
            def run(route=route):
                full = _function(adapter, module, kw, names, wrt, "hessian", route, mode)(tensors, us)
                return {n: hessian_rows([b.numpy() for b in full[i]], sizes[i])
                        for i, n in enumerate(diff_names)}
            results.append(attempt("hessian", route, run))
    return results


def _batch_jacobian(adapter, module, kw, names, wrt, mode, tensors, diff_names, sizes):
    """``GradientTape.batch_jacobian`` for each argument on its own: an argument it refuses
    (no batch axis shared with the outputs) is a skip in TensorFlow's words, the others are
    judged (``DerivativeResult.batch_summed``)."""
    fn = _function(adapter, module, kw, names, wrt, "jacobian", "tape_batch_jacobian", mode)
    values, refused = {}, {}

    def run():
        for i, n in enumerate(diff_names):
            try:
                full = fn(tensors, (i,))
            except (ValueError, IndexError) as exc:  # TF's shape check, eager or traced
                lines = [x.strip() for x in str(exc).strip().splitlines() if x.strip()]
                last = lines[-1] if lines else str(exc)
                name = type(exc).__name__
                refused[n] = f"tape.batch_jacobian: {last if last.startswith(name) else f'{name}: {last}'}"
                continue
            values[n] = batch_diagonal([o[0].numpy() for o in full], sizes[i])
        return values

    result = attempt("jacobian", "tape_batch_jacobian", run)
    result.batch_summed = True
    if result.error is None and result.unsupported is None and not result.values:
        result.unsupported = "; ".join(dict.fromkeys(refused.values()))  # no argument taken
    else:
        result.unsupported_args = refused
    return result
