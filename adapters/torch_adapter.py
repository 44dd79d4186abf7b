"""PyTorch adapter: native ``torch`` / ``torch.nn.functional`` ops, ``torch.autograd.grad``.

Eager mode runs the op and ``torch.autograd.grad(..., grad_outputs=cotangent)``; compiled
mode runs the forward through ``torch.compile`` (one compiled function per module, attrs,
argument names, wrt, dtype and device) so AOTAutograd compiles the backward as well.
"""

from __future__ import annotations

import types
from typing import Any, Mapping, Sequence

import numpy as np

from .base import DTYPES, MODES, Adapter, Unsupported, VjpResult

# Attributes that select a variant or a reference rule; never passed to a torch op.
_NOT_OP_ATTRS = frozenset({"tie_rule", "grad_at_zero"})


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _op_kwargs(module: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    kw = {k: v for k, v in attrs.items() if k not in _NOT_OP_ATTRS}
    if module != "dropout":
        kw.pop("native", None)
    return kw


def _own_code(fn, name: str):
    """A copy of ``fn`` with its own, distinctly named code object (``name``). Dynamo keeps its
    cache and recompile limits per code object, so each cached compiled function gets its own."""
    code = fn.__code__.replace(co_name=name, co_qualname=name)
    return types.FunctionType(code, fn.__globals__, name, fn.__defaults__, fn.__closure__)


class TorchAdapter(Adapter):
    name = "torch"
    package = "torch"
    composed = frozenset({"switch", "cross_entropy", "dropout"})
    modules = frozenset({
        "add", "multiply", "sum", "max", "switch", "relu", "leaky_relu", "elu", "selu",
        "sigmoid", "softmax", "softplus", "tanh", "cross_entropy", "squared_error",
        "softmax_cross_entropy", "max_pool2d", "avg_pool2d", "dropout",
    })

    def __init__(self) -> None:
        super().__init__()
        self._ops: dict[str, Any] | None = None
        self._compiled: dict[tuple, Any] = {}

    def _load(self) -> Any:
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

    def device_names(self) -> list[str]:
        torch = self.framework
        names = ["cpu"]
        if torch.cuda.is_available():
            names += [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        return names

    # -- ops ----------------------------------------------------------------------------
    def ops(self) -> Mapping[str, Any]:
        if self._ops is None:
            self._ops = _build_ops(self.framework)
        return self._ops

    def vjp(
        self,
        module: str,
        args: Sequence[np.ndarray],
        names: Sequence[str],
        wrt: Sequence[str],
        cotangent: np.ndarray,
        attrs: Mapping[str, Any],
        *,
        dtype: str,
        device: str = "cpu",
        mode: str = "eager",
        seed: int = 0,
    ) -> VjpResult:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype!r}; expected one of {DTYPES}")
        if len(args) != len(names) or not set(wrt) <= set(names):
            raise ValueError(f"wrt {list(wrt)} must name some of the args {list(names)}")
        torch = self.framework
        reason = self.device_reason(device)
        if reason is not None:
            raise Unsupported(reason)
        table = self.ops()
        if module not in table:
            raise Unsupported(f"torch adapter has no op for {module!r}")
        kw = _op_kwargs(module, attrs)
        dev = torch.device("cuda" if device == "gpu" else "cpu")

        tensors = [
            torch.tensor(np.asarray(a, dtype=dtype), device=dev, requires_grad=n in wrt)
            for a, n in zip(args, names)
        ]
        ct = torch.tensor(np.asarray(cotangent, dtype=dtype), device=dev)
        fn = self._forward(module, kw, names, wrt, dtype, device, mode)

        native_dropout = module == "dropout" and kw.get("native")
        if native_dropout:
            with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
                torch.manual_seed(seed)
                y = fn(*tensors)
        else:
            y = fn(*tensors)

        sources = [t for t, n in zip(tensors, names) if n in wrt]
        if sources and y.requires_grad:
            grads = torch.autograd.grad(
                y, sources, grad_outputs=ct, allow_unused=True, materialize_grads=True
            )
        else:
            grads = [torch.zeros_like(t) for t in sources]
        return VjpResult(
            output=y.detach().cpu().numpy(),
            grads={
                n: g.detach().cpu().numpy()
                for n, g in zip([n for n in names if n in wrt], grads)
            },
        )

    def _forward(self, module, kw, names, wrt, dtype, device, mode):
        op = self.ops()[module]

        def forward(*tensors):
            return op(*tensors, **kw)

        if mode == "eager":
            return forward
        key = (module, _freeze(tuple(sorted(kw.items()))), tuple(names), tuple(wrt), dtype, device)
        fn = self._compiled.get(key)
        if fn is None:
            torch = self.framework
            cfg = torch._dynamo.config
            # Never fall back to eager silently: a limit hit must show up as an error.
            if hasattr(cfg, "fail_on_recompile_limit_hit"):
                cfg.fail_on_recompile_limit_hit = True
            name = f"forward_{module}_{len(self._compiled)}"
            fn = self._compiled[key] = torch.compile(_own_code(forward, name), fullgraph=True)
        return fn


def _build_ops(torch) -> dict[str, Any]:
    F = torch.nn.functional

    def pool_args(kernel, stride):
        return {"kernel_size": kernel, "stride": kernel if stride is None else stride}

    def dropout(x, mask=None, *, rate=0.5, native=False, seed=None):
        if native:
            if mask is not None:
                raise ValueError("native dropout takes x only; the mask is drawn by torch")
            if seed is None:
                return F.dropout(x, p=rate, training=True)
            with torch.random.fork_rng(devices=[x.device] if x.is_cuda else []):
                torch.manual_seed(seed)
                return F.dropout(x, p=rate, training=True)
        return mask * x / (1 - rate)

    return {
        "add": torch.add,
        "multiply": torch.mul,
        "sum": lambda x: torch.sum(x, dim=-1),
        "max": lambda x: torch.amax(x, dim=-1),  # amax splits ties; max(dim) picks one
        "switch": lambda x, s: s * x,  # composed
        "relu": F.relu,
        "leaky_relu": lambda x, negative_slope=0.01: F.leaky_relu(x, negative_slope),
        "elu": lambda x, alpha=1.0: F.elu(x, alpha),
        "selu": F.selu,
        "sigmoid": torch.sigmoid,
        "softmax": lambda x: F.softmax(x, dim=-1),
        "softplus": F.softplus,
        "tanh": torch.tanh,
        "cross_entropy": lambda x, p: -torch.sum(p * torch.log(x), dim=-1),  # composed
        "squared_error": lambda x, t: F.mse_loss(x, t, reduction="none").sum(-1),
        "softmax_cross_entropy": lambda z, p: F.cross_entropy(z, p, reduction="none"),
        "max_pool2d": lambda x, kernel=2, stride=None: F.max_pool2d(x, **pool_args(kernel, stride)),
        "avg_pool2d": lambda x, kernel=2, stride=None: F.avg_pool2d(x, **pool_args(kernel, stride)),
        "dropout": dropout,  # the injected-mask form is composed; native=True is F.dropout
    }
