"""Compiled mode's functions: ``torch.compile(fullgraph=True)`` of the forward, or, for an op
that loops over time (``common.stepwise``), of its step with the loop outside.

One function per key (module, attrs, argument names, wrt, dtype, device) in the adapter's
bounded ``ProgramCache``, shared by first order and the derivative routes; AOTAutograd
compiles the backward of each. Each function gets its own code object (``own_code``), so
Dynamo's per-code caches and recompile counts are per function and go when it is dropped.
"""

from __future__ import annotations

from ..common import is_stepwise, own_code

# Dynamo specialises every dimension of size 0 or 1 even with dynamic shapes, so the full
# profile's freely drawn shapes (N, C, H, W each 1 or more) legitimately need up to 2⁴
# graphs of one function per dtype: more than the default limit of 8 (which then raised
# FailOnRecompileLimitHit). A limit per function that the draws cannot reach;
# ``accumulated`` bounds the whole process as before.
RECOMPILE_LIMIT = 64


def configure(torch) -> None:
    cfg = torch._dynamo.config
    # Never fall back to eager silently: a limit hit must show up as an error.
    if hasattr(cfg, "fail_on_recompile_limit_hit"):
        cfg.fail_on_recompile_limit_hit = True
    for name in ("recompile_limit", "cache_size_limit"):
        if hasattr(cfg, name) and getattr(cfg, name) < RECOMPILE_LIMIT:
            setattr(cfg, name, RECOMPILE_LIMIT)


def compiled(torch, op, kw, name: str):
    """``op(*tensors, **kw)`` compiled: as a whole, or step by step for a stepwise op (its
    steps compiled on first use, each once, kept with the returned function)."""
    configure(torch)
    if not is_stepwise(op):
        def forward(*tensors):
            return op(*tensors, **kw)

        return torch.compile(own_code(forward, name), fullgraph=True)
    steps: dict = {}

    def compile_step(step):
        fn = steps.get(step)
        if fn is None:
            fn = steps[step] = torch.compile(own_code(step, f"{name}_{step.__name__}"),
                                             fullgraph=True)
        return fn

    def stepped(*tensors):
        return op(*tensors, compile_step=compile_step, **kw)

    stepped.steps = steps
    return stepped
