"""PyTorch adapter: native ``torch`` / ``torch.nn.functional`` ops, ``torch.autograd.grad``.

Eager mode runs the op and ``torch.autograd.grad(..., grad_outputs=cotangent)``; compiled
mode runs the forward through ``torch.compile`` (one compiled function per module, attrs,
argument names, wrt, dtype and device, in a bounded cache; the step of a recurrence, not its
unrolled loop: ``compiled.py``) so AOTAutograd compiles the backward as well.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..base import DRAWS_RANDOMNESS, Adapter, VjpResult
from ..common import as_float32, as_list, freeze, numpy_dtype
from ..program_cache import programs
from .compiled import RECOMPILE_LIMIT, compiled  # noqa: F401  (RECOMPILE_LIMIT: re-exported)


class TorchAdapter(Adapter):
    name = "torch"
    package = "torch"
    import_name = "torch"
    ops_package = "adapters.torch"
    # How torch says it has no kernel for a dtype (a low-precision skip, in its words).
    no_kernel_markers = ("not implemented for 'BFloat16'", "not implemented for 'Half'")

    def _load(self) -> Any:
        from .cache import use_compile_cache

        use_compile_cache()  # torch.compile's caches in the suite's directory, unless --no-cache
        import torch

        return torch

    def _release_framework(self, torch: Any) -> None:
        import sys

        dynamo = sys.modules.get("torch._dynamo")  # only where compiled mode ran
        if dynamo is not None:
            dynamo.reset()  # the guards and graphs torch.compile keeps per code object

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
        if mode == "eager":
            def forward(*tensors):
                return op(*tensors, **kw)

            return forward
        key = (module, freeze(kw), tuple(names), tuple(wrt), dtype, device)
        return programs(self, "_compiled").get_or_make(
            key, lambda n: compiled(self.framework, op, kw, f"forward_{module}_{n}"))


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
