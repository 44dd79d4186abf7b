"""JAX: the native op on device arrays; ``jax.vjp`` for the VJP. Eager rows dispatch op
by op; compiled rows are ``jax.jit(f).lower(*args).compile()`` — that compilation is
``compile_s`` — and then call the compiled executable. Dispatch is asynchronous, so
every call is followed by ``jax.block_until_ready`` (per call: the CPU client may run
independent dispatches concurrently, which a once-per-block sync would hide).

JAX has no thread API: the worker process is pinned (``os.sched_setaffinity``) to the
same CPUs as every other framework's, and the thread count recorded is the size of that
CPU set.
"""

from __future__ import annotations

import os
import time

from ..timing import Prepared, Timing


class JaxTiming(Timing):
    name = "jax"

    def setup_threads(self, n: int) -> dict:
        import jax  # noqa: F401  (imported after pinning, so XLA sizes its pools to it)

        cpus = sorted(os.sched_getaffinity(0))
        return {"requested": n, "actual": len(cpus),
                "detail": {"affinity": cpus, "XLA_FLAGS": os.environ.get("XLA_FLAGS", "")}}

    def _device(self, device):
        import jax

        return jax.devices("gpu")[0] if device == "gpu" else jax.devices("cpu")[0]

    def prepare(self, bc, work):
        import jax

        dev = self._device(bc.device)
        put = lambda a: jax.device_put(a, dev)  # noqa: E731
        arrays = [put(a) for a in work.args]
        diff = list(work.differentiable)
        op, kw = self.op(bc.module), dict(work.attrs)

        def forward(*args):
            out = op(*args, **kw)
            return tuple(out) if isinstance(out, list) else out

        if bc.pass_ == "forward":
            fn, args = forward, tuple(arrays)
        else:
            ct = tuple(put(c) for c in work.cotangents) if work.multiple else put(work.cotangents[0])

            def fn(d_args, c_args, cot):
                def f(*d):
                    it_d, it_c = iter(d), iter(c_args)
                    return forward(*[next(it_d) if flag else next(it_c) for flag in diff])
                y, pullback = jax.vjp(f, *d_args)
                return y, pullback(cot)
            args = (tuple(a for a, d in zip(arrays, diff) if d),
                    tuple(a for a, d in zip(arrays, diff) if not d), ct)
        compile_s = None
        if bc.mode == "compiled":
            t0 = time.perf_counter()
            fn = jax.jit(fn).lower(*args).compile()
            compile_s = time.perf_counter() - t0
        return Prepared(lambda: fn(*args), jax.block_until_ready, compile_s, per_call_sync=True)

    def gemm(self, bc, work):
        import jax

        dev = self._device(bc.device)
        a, b = (jax.device_put(x, dev) for x in work.args)
        mm = jax.jit(lambda x, y: x @ y).lower(a, b).compile()
        return Prepared(lambda: mm(a, b), jax.block_until_ready, per_call_sync=True)


TIMING = JaxTiming
