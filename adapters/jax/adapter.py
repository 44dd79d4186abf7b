"""JAX adapter: ``jax.numpy`` / ``jax.nn`` / ``jax.lax`` ops, ``jax.vjp``.

Eager mode calls ``jax.vjp`` op by op; compiled mode is ``jax.jit`` of the whole
forward-and-pullback function, cached per module, attrs, argument names and wrt (JAX then
compiles once per new shape and dtype). float64 needs ``jax_enable_x64``, switched on at
load; inputs are passed as NumPy arrays of an explicit dtype so float32 stays float32.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..base import DRAWS_RANDOMNESS, Adapter, VjpResult
from ..common import freeze, numpy_dtype
from ..program_cache import programs


class JaxAdapter(Adapter):
    name = "jax"
    package = "jax"
    import_name = "jax"
    companions = ('jaxlib', 'flax')
    # What bisect installs beside jax {version}: the newest jaxlib not newer than it (jaxlib is
    # released with jax, but not every jax release has its own: jax 0.5.2 runs on jaxlib 0.5.1).
    released_with = ("jaxlib<={version}",)
    ops_package = "adapters.jax"
    # How XLA says it has no kernel for a dtype (a low-precision skip, in its words).
    # "is not supported by dot_general on CPU": jax.nn.dot_product_attention asks XLA for
    # float16 x float16 -> float32 products, which XLA's CPU backend does not have.
    no_kernel_markers = ("UNIMPLEMENTED", "Unimplemented", "not supported for dtype",
                         "is not supported by dot_general on CPU")
    # Eager dispatch compiles each primitive on its own for every new shape and dtype, so a
    # jitted function costs less on its first call (one program) and far less from the
    # persistent cache (one lookup instead of one per primitive): measured over six modules
    # in float32, 44 s eager vs 28 s compiled cold, 15.5 s vs 5.4 s warm.
    quick_mode = "compiled"

    def _load(self) -> Any:
        import jax

        jax.config.update("jax_enable_x64", True)
        from .cache import use_persistent_cache

        use_persistent_cache(jax)  # the suite's cache directory, unless --no-cache
        return jax

    def _release_framework(self, jax: Any) -> None:
        # Eager dispatch keeps one executable per primitive, shape and dtype, jit one per
        # function and shape: with free shapes a worker's memory grows with every example.
        jax.clear_caches()

    # -- devices ------------------------------------------------------------------------
    def _gpus(self) -> list:
        jax = self.framework
        try:
            return list(jax.devices("gpu"))
        except RuntimeError:
            return []

    def device_reason(self, device: str) -> str | None:
        if device == "cpu":
            return None
        if device != "gpu":
            return f"jax: unknown device {device!r}"
        if self._gpus():
            return None
        jax = self.framework
        return f"jax: no GPU backend (jax {jax.__version__}; backends: {jax.default_backend()})"

    # -- the computation ----------------------------------------------------------------------
    def vjp(self, module: str, args: Sequence[np.ndarray], names: Sequence[str],
            wrt: Sequence[str], cotangent, attrs: Mapping[str, Any], *, dtype: str,
            device: str = "cpu", mode: str = "eager", seed: int = 0) -> VjpResult:
        kw = self.prepare_call(module, args, names, wrt, attrs, dtype, device, mode)
        jax = self.framework
        dev = self._gpus()[0] if device == "gpu" else jax.devices("cpu")[0]
        arrays = [jax.device_put(np.asarray(a, dtype=numpy_dtype(dtype)), dev) for a in args]
        diff = tuple(a for a, n in zip(arrays, names) if n in wrt)
        const = tuple(a for a, n in zip(arrays, names) if n not in wrt)
        multiple = isinstance(cotangent, (tuple, list))
        ct = (tuple(jax.device_put(np.asarray(c, dtype=numpy_dtype(dtype)), dev) for c in cotangent)
              if multiple else jax.device_put(np.asarray(cotangent, dtype=numpy_dtype(dtype)), dev))
        key = jax.device_put(np.asarray(seed, dtype=np.uint32), dev)

        fn = self._function(module, kw, tuple(names), tuple(wrt), mode)
        y, grads = fn(diff, const, ct, key)
        output = tuple(np.asarray(o) for o in y) if multiple else np.asarray(y)
        return VjpResult(output=output,
                         grads={n: np.asarray(g) for n, g in zip([n for n in names if n in wrt], grads)})

    def _function(self, module, kw, names, wrt, mode):
        jax = self.framework
        op = self.ops()[module]
        is_diff = [n in wrt for n in names]
        native = bool(kw.get(DRAWS_RANDOMNESS))
        autocast = self.autocast_mode

        def run(diff, const, ct, seed):
            call_kw = dict(kw, seed=seed) if native else kw

            def f(*d):
                it_d, it_c = iter(d), iter(const)
                args = [next(it_d) if flag else next(it_c) for flag in is_diff]
                if autocast:  # a bfloat16 compute dtype over float32 arguments
                    args = [a.astype(jax.numpy.bfloat16) if a.dtype == np.float32 else a for a in args]
                out = op(*args, **call_kw)
                return tuple(out) if isinstance(out, list) else out

            if not diff:
                return f(), ()
            y, pullback = jax.vjp(f, *diff)
            if autocast:  # the cotangent of a bfloat16 output is bfloat16
                ct = jax.tree_util.tree_map(lambda c, o: c.astype(o.dtype), ct, y)
            return y, pullback(ct)

        if mode == "eager":
            return run
        cache_key = (module, freeze(kw), names, wrt, autocast)
        return programs(self, "_compiled").get_or_make(cache_key, lambda _n: jax.jit(run))
