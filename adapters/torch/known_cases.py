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


def _second_order_routes(torch, f, x, v):
    """H v of s = f(x) (a scalar) along v: forward over reverse (torch.func.jvp of
    torch.func.grad) and reverse over forward (torch.func.grad of the directional
    derivative torch.func.jvp gives), with central differences of the gradient."""
    from torch.func import grad, jvp

    g = grad(f)
    fwd_rev = jvp(g, (x,), (v,))[1]
    rev_fwd = grad(lambda y: jvp(f, (y,), (v,))[1])(x)
    h = 1e-5
    fd = (g(x + h * v) - g(x - h * v)) / (2 * h)
    return float((fwd_rev - fd).abs().max()), float((rev_fwd - fd).abs().max()), float(fd.abs().max())


def _norm_forward_mode_second_order(torch, norm):
    rng = np.random.default_rng(0)
    x, u, v = (torch.tensor(rng.uniform(-1, 1, (2, 3, 4))) for _ in range(3))
    fwd_rev, rev_fwd, scale = _second_order_routes(torch, lambda y: (u * norm(y)).sum(), x, v)
    return rev_fwd > 1e-3 * scale, (f"H v of <u, f(x)>, float64, vs central differences: "
                                    f"forward over reverse off by {fwd_rev:.2g}, reverse over "
                                    f"forward off by {rev_fwd:.2g} (max|H v| {scale:.2g})")


def layer_norm_forward_mode_second_order(torch):
    """pytorch#196700: the forward-mode rule of layer_norm is not differentiable correctly."""
    w = torch.tensor([0.5, -1.0, 2.0, 1.5], dtype=torch.float64)
    return _norm_forward_mode_second_order(
        torch, lambda y: torch.nn.functional.layer_norm(y, (4,), w, None))


def batch_norm_forward_mode_second_order(torch):
    """pytorch#196699: the same for batch_norm in training mode (instance_norm calls it)."""
    return _norm_forward_mode_second_order(
        torch, lambda y: torch.nn.functional.batch_norm(y, None, None, training=True))


def func_hessian_norm_weight(torch):
    """jacfwd(jacrev) of a normalization with a weight: the (weight, x) block is wrong."""
    from torch.func import jacfwd, jacrev

    rng = np.random.default_rng(0)
    x, u = (torch.tensor(rng.uniform(-1, 1, (2, 4))) for _ in range(2))
    w = torch.tensor(rng.uniform(-1, 1, 4))
    gaps = {}
    for name, norm in (("layer_norm", lambda y, w: torch.nn.functional.layer_norm(y, (4,), w)),
                       ("batch_norm", lambda y, w: torch.nn.functional.batch_norm(
                           y, None, None, w, training=True))):
        s = lambda y, w, norm=norm: (u * norm(y, w)).sum()
        fwd_rev = jacfwd(jacrev(s, argnums=(0, 1)), argnums=(0, 1))(x, w)
        rev_rev = torch.autograd.functional.hessian(s, (x, w))
        gaps[name] = float((fwd_rev[1][0] - rev_rev[1][0]).abs().max())
    return max(gaps.values()) > 1e-6, ("max |torch.func.hessian − autograd.functional.hessian| "
                                       "in the weight-x block, float64: " + ", ".join(
                                           f"{k} {v:.2g}" for k, v in gaps.items()))


def safe_softmax_reverse_over_forward(torch):
    """The math SDPA kernel's _safe_softmax on a fully masked row: its value and forward over
    reverse are 0 there, reverse over forward is NaN."""
    from torch.func import grad, jvp

    m = torch.tensor([[-float("inf"), -float("inf")]], dtype=torch.float64)
    x = torch.tensor([[0.3, 0.6]], dtype=torch.float64)
    w = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    s = lambda y: (torch._safe_softmax(y + m, -1) * w).sum()
    one = torch.ones_like(x)
    rev_fwd = grad(lambda y: jvp(s, (y,), (one,))[1])(x)
    fwd_rev = jvp(grad(s), (x,), (one,))[1]
    return bool(torch.isnan(rev_fwd).any()), (f"fully masked row: reverse over forward "
                                              f"{rev_fwd.tolist()[0]}, forward over reverse "
                                              f"{fwd_rev.tolist()[0]}")


def prelu_kink_sides(torch):
    """F.prelu at x = 0, float64: the backward's slope, its derivative along the weight by
    double backward and by central differences of the backward, and forward mode's slope."""
    from torch.autograd.forward_ad import dual_level, make_dual, unpack_dual

    f64 = torch.float64
    x = torch.zeros(1, dtype=f64, requires_grad=True)
    w = torch.tensor([0.25], dtype=f64, requires_grad=True)
    g, = torch.autograd.grad(torch.nn.functional.prelu(x, w).sum(), x, create_graph=True)
    dg_dw = torch.autograd.grad(g.sum(), w)[0].item()
    h = 1e-6
    back = [torch.autograd.grad(torch.nn.functional.prelu(x, torch.tensor([0.25 + s], dtype=f64)).sum(),
                                x)[0].item() for s in (h, -h)]
    fd = (back[0] - back[1]) / (2 * h)
    with dual_level():
        fwd = unpack_dual(torch.nn.functional.prelu(make_dual(x.detach(), torch.ones(1, dtype=f64)),
                                                    w.detach())).tangent.item()
    return abs(dg_dw - fd) > 0.5 and fwd != g.item(), (
        f"x = 0, weight 0.25: backward slope {g.item():g}, forward-mode slope {fwd:g}; "
        f"d(slope)/dweight by double backward {dg_dw:g}, by differences of the backward {fd:.6g}")


CASES = {"torch-prelu-kink-sides": prelu_kink_sides, "pytorch#31829": softmax_neg_inf, "pytorch#198119": compiled_avg_pool_ceil,
         "pytorch#188344": avg_pool_channels_last_cuda,
         "pytorch#187284": compiled_forward_ad_tangent,
         "pytorch#196700": layer_norm_forward_mode_second_order,
         "pytorch#196699": batch_norm_forward_mode_second_order,
         "torch-func-hessian-norm-weight": func_hessian_norm_weight,
         "torch-safe-softmax-reverse-over-forward": safe_softmax_reverse_over_forward}

from .attention_known import CASES as _ATTENTION

CASES.update(_ATTENTION)
