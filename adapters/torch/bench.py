"""PyTorch: the native op on device tensors; ``torch.autograd.grad`` for the VJP;
``torch.compile(fullgraph=True)`` for the compiled rows (AOTAutograd compiles the
backward too). The first compiled call — tracing and compilation of forward and, for
``forward+vjp``, backward — is timed as ``compile_s``; after warm-up,
``error_on_recompile`` makes any recompilation during timing an error.
"""

from __future__ import annotations

import time

from ..common import own_code

from ..timing import Prepared, Timing


class TorchTiming(Timing):
    name = "torch"

    def setup_threads(self, n: int) -> dict:
        import torch

        torch.set_num_threads(n)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:  # already started: recorded below as it is
            pass
        return {"requested": n, "actual": torch.get_num_threads(),
                "detail": {"intra_op": torch.get_num_threads(), "inter_op": torch.get_num_interop_threads()}}

    def _device(self, device):
        import torch

        return torch.device("cuda" if device == "gpu" else "cpu")

    def _sync(self, device):
        import torch

        if device == "gpu":
            return lambda _r: torch.cuda.synchronize()
        return lambda _r: None

    def prepare(self, bc, work):
        import torch

        dev, vjp = self._device(bc.device), bc.pass_ == "forward+vjp"
        ts = [torch.tensor(a, device=dev, requires_grad=vjp and d)
              for a, d in zip(work.args, work.differentiable)]
        sources = [t for t, d in zip(ts, work.differentiable) if d]
        cts = [torch.tensor(c, device=dev) for c in work.cotangents]
        op, kw = self.op(bc.module), dict(work.attrs)

        def forward(*tensors):
            return op(*tensors, **kw)

        fn = forward
        if bc.mode == "compiled":
            fn = torch.compile(own_code(forward, f"bench_{bc.module}"), fullgraph=True)

        if vjp:
            def call():
                out = fn(*ts)
                outs = list(out) if isinstance(out, (tuple, list)) else [out]
                return torch.autograd.grad(outs, sources, grad_outputs=cts[:len(outs)],
                                           allow_unused=True, materialize_grads=True)
        else:
            def call():
                with torch.no_grad():
                    return fn(*ts)
        return self._finish(bc, call)

    def _finish(self, bc, call):
        import torch

        sync = self._sync(bc.device)
        compile_s = None
        if bc.mode == "compiled":
            cfg = torch._dynamo.config
            if hasattr(cfg, "error_on_recompile"):
                cfg.error_on_recompile = False  # a new function's first compile is allowed
            t0 = time.perf_counter()
            sync(call())
            compile_s = time.perf_counter() - t0
            for _ in range(2):
                sync(call())
            if hasattr(cfg, "error_on_recompile"):
                cfg.error_on_recompile = True
        return Prepared(call, sync, compile_s)

    def gemm(self, bc, work):
        import torch

        dev = self._device(bc.device)
        a, b = (torch.tensor(x, device=dev) for x in work.args)
        return Prepared(lambda: torch.matmul(a, b), self._sync(bc.device))


TIMING = TorchTiming
