"""PyTorch adapter: native ``torch`` / ``torch.nn.functional`` ops, ``torch.autograd.grad``.

Eager mode runs the op and ``torch.autograd.grad(..., grad_outputs=cotangent)``; compiled
mode runs the forward through ``torch.compile`` (one compiled function per module, attrs,
argument names, wrt, dtype and device) so AOTAutograd compiles the backward as well.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..base import DRAWS_RANDOMNESS, Adapter, VjpResult
from ..common import as_float32, as_list, freeze, numpy_dtype, own_code


class TorchAdapter(Adapter):
    name = "torch"
    package = "torch"
    import_name = "torch"
    ops_package = "adapters.torch"
    # How torch says it has no kernel for a dtype (a low-precision skip, in its words).
    no_kernel_markers = ("not implemented for 'BFloat16'", "not implemented for 'Half'")

    def __init__(self) -> None:
        super().__init__()
        self._compiled: dict[tuple, Any] = {}

    def _load(self) -> Any:
        from .cache import use_compile_cache

        use_compile_cache()  # torch.compile's caches in the suite's directory, unless --no-cache
        import torch

        return torch

    # -- devices ------------------------------------------------------------------------
    def device_reason(self, device: str) -> str | None:
        if device == "cpu":
            return None
        if device != "gpu":
            return f"torch: unknown device {device!r}"
        torch = self.framework
        if torch.cuda.is_available():
            return None
        cuda = torch.version.cuda
        build = "CPU-only build" if cuda is None else f"CUDA {cuda} build"
        return f"torch: no CUDA device ({build}, torch {torch.__version__})"

    # -- the computation ----------------------------------------------------------------------
    def vjp(self, module: str, args: Sequence[np.ndarray], names: Sequence[str],
            wrt: Sequence[str], cotangent, attrs: Mapping[str, Any], *, dtype: str,
            device: str = "cpu", mode: str = "eager", seed: int = 0) -> VjpResult:
        kw = self.prepare_call(module, args, names, wrt, attrs, dtype, device, mode)
        torch = self.framework
        dev = torch.device("cuda" if device == "gpu" else "cpu")

        tensors = [self._tensor(a, dtype, dev).requires_grad_(n in wrt)
                   for a, n in zip(args, names)]
        fn = self._forward(module, kw, names, wrt, dtype, device, mode)
        if self.autocast_mode:  # mixed precision as users run it: torch.autocast(bfloat16)
            fn = _autocast(torch, dev, fn)
        if kw.get(DRAWS_RANDOMNESS):
            with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
                torch.manual_seed(seed)
                out = fn(*tensors)
        else:
            out = fn(*tensors)
        outs, multiple = as_list(out)
        cts = [self._tensor(c, dtype, dev) for c in (cotangent if multiple else [cotangent])]
        if self.autocast_mode:  # the cotangent of a bfloat16 output is bfloat16
            cts = [c.to(o.dtype) for c, o in zip(cts, outs)]

        sources = [t for t, n in zip(tensors, names) if n in wrt]
        pairs = [(o, c) for o, c in zip(outs, cts) if o.requires_grad]
        if sources and pairs:
            grads = torch.autograd.grad([o for o, _ in pairs], sources,
                                        grad_outputs=[c for _, c in pairs],
                                        allow_unused=True, materialize_grads=True)
        else:
            grads = [torch.zeros_like(t) for t in sources]
        arrays = [_numpy(o) for o in outs]
        return VjpResult(output=tuple(arrays) if multiple else arrays[0],
                         grads={n: _numpy(g)
                                for n, g in zip([n for n in names if n in wrt], grads)})

    def _tensor(self, array, dtype, dev):
        """A tensor of ``dtype``; bfloat16 goes through float32 (exact), since torch does
        not read ``ml_dtypes`` arrays."""
        torch = self.framework
        if not np.asarray(array).flags.c_contiguous:  # a layout form: keep the view's strides
            from .forms import in_layout

            return in_layout(torch, lambda a: self._tensor(a, dtype, dev), array)
        if dtype == "bfloat16":
            return torch.tensor(as_float32(array), device=dev).to(torch.bfloat16)
        return torch.tensor(np.asarray(array, dtype=dtype), device=dev)

    def _forward(self, module, kw, names, wrt, dtype, device, mode):
        op = self.ops()[module]

        def forward(*tensors):
            return op(*tensors, **kw)

        if mode == "eager":
            return forward
        key = (module, freeze(kw), tuple(names), tuple(wrt), dtype, device)
        fn = self._compiled.get(key)
        if fn is None:
            torch = self.framework
            cfg = torch._dynamo.config
            # Never fall back to eager silently: a limit hit must show up as an error.
            if hasattr(cfg, "fail_on_recompile_limit_hit"):
                cfg.fail_on_recompile_limit_hit = True
            # Dynamo specialises every dimension of size 0 or 1 even with dynamic shapes, so
            # the full profile's freely drawn shapes (N, C, H, W each 1 or more) legitimately
            # need up to 2⁴ graphs of one function per dtype: more than the default limit
            # of 8 (which then raised FailOnRecompileLimitHit). A limit per function that
            # the draws cannot reach; ``accumulated`` bounds the whole process as before.
            for name in ("recompile_limit", "cache_size_limit"):
                if hasattr(cfg, name) and getattr(cfg, name) < RECOMPILE_LIMIT:
                    setattr(cfg, name, RECOMPILE_LIMIT)
            name = f"forward_{module}_{len(self._compiled)}"
            fn = self._compiled[key] = torch.compile(own_code(forward, name), fullgraph=True)
        return fn


RECOMPILE_LIMIT = 64


def _numpy(tensor) -> np.ndarray:
    """A tensor as a NumPy array of its dtype (bfloat16 as ``ml_dtypes.bfloat16``)."""
    t = tensor.detach().cpu()
    if str(t.dtype) == "torch.bfloat16":
        return t.float().numpy().astype(numpy_dtype("bfloat16"))
    return t.numpy()


def _autocast(torch, dev, fn):
    """``fn`` under ``torch.autocast(device, bfloat16)``: float32 arguments, the matmul and
    convolution ops computed in bfloat16 (float32 accumulation in oneDNN and cuBLAS)."""
    def run(*tensors):
        with torch.autocast(device_type=dev.type, dtype=torch.bfloat16):
            return fn(*tensors)
    return run
