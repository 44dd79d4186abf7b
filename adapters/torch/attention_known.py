"""torch reproductions of the known upstream attention discrepancies (conformance/known/discrepancies.py).

Each returns ``(reproduces, detail)``. The CPU ones run everywhere; the CUDA ones are only
called where a GPU is present (``needs_gpu``) and force the kernel the issue is about.
"""

from __future__ import annotations

import numpy as np


def _mha_fully_padded(torch, need_weights):
    rng = np.random.default_rng(0)
    e, heads = 4, 2
    layer = torch.nn.MultiheadAttention(e, heads, batch_first=True, dtype=torch.float64)
    x = torch.tensor(rng.uniform(-1, 1, (2, 3, e)), requires_grad=True)
    pad = torch.tensor([[True, True, True], [False, False, True]])  # batch 0: every key padded
    out, _ = layer(x, x, x, key_padding_mask=pad, need_weights=need_weights)
    (out[1].sum()).backward()  # a loss on the unpadded batch element only
    return layer.in_proj_weight.grad, out


def mha_fully_padded_nan(torch):
    """pytorch#41508: one fully padded batch element gives NaN, and NaN reaches the shared
    in-projection's gradient even through a loss on the other elements."""
    g_true, out_true = _mha_fully_padded(torch, True)
    g_false, out_false = _mha_fully_padded(torch, False)
    bad = not bool(torch.isfinite(g_true).all())
    return bad, (f"need_weights=True: output of the padded element finite: "
                 f"{bool(torch.isfinite(out_true[0]).all())}, in_proj_weight.grad finite: "
                 f"{not bad}; need_weights=False: output finite "
                 f"{bool(torch.isfinite(out_false[0]).all())}, grad finite "
                 f"{bool(torch.isfinite(g_false).all())}")


def sdpa_masked_nan_leaks(torch):
    """pytorch#101967: a NaN in a value row that every query masks out still reaches the
    output (0 · NaN in P V), per CPU kernel."""
    F = torch.nn.functional
    from torch.nn.attention import SDPBackend, sdpa_kernel

    rng = np.random.default_rng(0)
    q, k, v = (torch.tensor(rng.uniform(-1, 1, (1, 1, 3, 4))) for _ in range(3))
    v[0, 0, 2] = float("nan")
    mask = torch.tensor([[True, True, False]] * 3)[None, None]
    found = {}
    for name, backend in (("math", SDPBackend.MATH), ("flash", SDPBackend.FLASH_ATTENTION)):
        with sdpa_kernel([backend]):
            found[name] = bool(torch.isnan(F.scaled_dot_product_attention(q, k, v, attn_mask=mask)).any())
    return any(found.values()), "NaN in the output with the NaN key masked out: " + ", ".join(
        f"{k} {v}" for k, v in found.items())


def _cuda_sdpa_grads(torch, backend, batch, seq, mask_kind):
    F = torch.nn.functional
    from torch.nn.attention import SDPBackend, sdpa_kernel

    g = torch.Generator(device="cuda").manual_seed(0)
    shape = (batch, 8, seq, 64)
    q, k, v = (torch.randn(shape, device="cuda", dtype=torch.float16, generator=g).requires_grad_()
               for _ in range(3))
    mask = None
    if mask_kind == "padding":
        mask = torch.ones(batch, 1, seq, seq, dtype=torch.bool, device="cuda")
        mask[..., seq // 2:] = False
    elif mask_kind == "rows":
        mask = torch.rand(batch, 1, seq, seq, device="cuda", generator=g) < 0.5
        mask[..., 0] = True
    with sdpa_kernel([getattr(SDPBackend, backend)]):
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    out.float().sum().backward()
    finite = all(bool(torch.isfinite(t.grad).all()) for t in (q, k, v))
    return not finite, f"{backend}, batch {batch}, seq {seq}, mask {mask_kind}: gradients finite {finite}"


def efficient_nan_large_batch(torch):
    """pytorch#119320: memory-efficient kernel, NaN gradients in blocks of 64 at large batch."""
    return _cuda_sdpa_grads(torch, "EFFICIENT_ATTENTION", 512, 128, None)


def nan_mask_patterns(torch):
    """pytorch#109517: NaN for certain (random) boolean mask patterns on CUDA."""
    return _cuda_sdpa_grads(torch, "EFFICIENT_ATTENTION", 4, 256, "rows")


def efficient_masked_backward_nan(torch):
    """pytorch#178251: NaN in the memory-efficient kernel's backward with a padding mask."""
    return _cuda_sdpa_grads(torch, "EFFICIENT_ATTENTION", 8, 512, "padding")


CASES = {"pytorch#41508": mha_fully_padded_nan, "pytorch#101967": sdpa_masked_nan_leaks,
         "pytorch#119320": efficient_nan_large_batch, "pytorch#109517": nan_mask_patterns,
         "pytorch#178251": efficient_masked_backward_nan}
