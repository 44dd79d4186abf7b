"""torch reproductions of known upstream discrepancies (see conformance/known/discrepancies.py)."""

from __future__ import annotations

import numpy as np


def softmax_neg_inf(torch):
    x = torch.tensor([[-float("inf"), 0.0, 1.0]], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(torch.softmax(x, -1), x, torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64))
    z = torch.full((1, 2), -float("inf"), dtype=torch.float64, requires_grad=True)
    (lse,) = torch.autograd.grad(torch.logsumexp(z, -1), z, torch.ones(1, dtype=torch.float64))
    bad = not bool(torch.isfinite(g).all()) or not bool(torch.isfinite(lse).all())
    return bad, f"softmax grad at [-inf, 0, 1]: {g.tolist()[0]}; logsumexp grad at [-inf, -inf]: {lse.tolist()[0]}"


def compiled_avg_pool_ceil(torch):
    F = torch.nn.functional
    x = torch.tensor(np.random.default_rng(0).uniform(-1, 1, (1, 1, 6, 6)), requires_grad=True)
    kw = dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)
    y = F.avg_pool2d(x, **kw)
    ct = torch.ones_like(y)
    (eager,) = torch.autograd.grad(y, x, ct)
    compiled = torch.compile(lambda t: F.avg_pool2d(t, **kw), fullgraph=True)
    (comp,) = torch.autograd.grad(compiled(x), x, ct)
    gap = float((eager - comp).abs().max())
    return gap > 1e-12, f"max |eager − compiled| input gradient: {gap:.3g} (6x6, k=3, s=2, p=1, ceil_mode)"


def avg_pool_channels_last_cuda(torch):
    F = torch.nn.functional
    x = torch.tensor(np.random.default_rng(0).uniform(-1, 1, (2, 3, 7, 7)))
    grads = []
    for device, fmt in (("cpu", torch.contiguous_format), ("cuda", torch.channels_last)):
        t = x.to(device).contiguous(memory_format=fmt).requires_grad_(True)
        y = F.avg_pool2d(t, 3, stride=2, padding=1)
        (g,) = torch.autograd.grad(y, t, torch.ones_like(y))
        grads.append(g.cpu())
    gap = float((grads[0] - grads[1]).abs().max())
    return gap > 1e-12, f"max |CPU − CUDA channels_last| input gradient: {gap:.3g}"


def compiled_forward_ad_tangent(torch):
    fwad = torch.autograd.forward_ad
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    compiled = torch.compile(lambda t: torch.sin(t) * 2, fullgraph=True)  # inductor (default)
    with fwad.dual_level():
        tangent = fwad.unpack_dual(compiled(fwad.make_dual(x, torch.ones_like(x)))).tangent
    expected = (2 * torch.cos(x)).tolist()
    got = None if tangent is None else tangent.tolist()
    return got != expected, f"compiled sin(x)*2 on a dual tensor: tangent {got}, eager {expected}"


CASES = {"pytorch#31829": softmax_neg_inf, "pytorch#198119": compiled_avg_pool_ceil,
         "pytorch#188344": avg_pool_channels_last_cuda,
         "pytorch#187284": compiled_forward_ad_tangent}

from .attention_known import CASES as _ATTENTION

CASES.update(_ATTENTION)
