"""torch ops for the attention modules (derived from Vaswani et al. 2017; see
references/attention.py).

``F.scaled_dot_product_attention`` with its kernel forced by
``torch.nn.attention.sdpa_kernel`` (one backend at a time, so the kernel that ran is the
case's ``kernel``: torch raises "No available kernel" rather than fall back):
``math`` = ``SDPBackend.MATH``, ``flash`` = ``SDPBackend.FLASH_ATTENTION`` (a CPU kernel as
well), ``efficient`` = ``SDPBackend.EFFICIENT_ATTENTION`` (CUDA only). The boolean mask is
passed as ``attn_mask`` (True = attend), the bias as a float ``attn_mask`` (differentiated),
bias and mask together as the bias with masked entries set to −inf (what users write).

``multi_head_attention``: ``nn.MultiheadAttention`` (batch_first, packed in-projection)
through ``torch.func.functional_call``, with ``in_proj_weight = [W_q; W_k; W_v]`` and
``in_proj_bias = [b_q; b_k; b_v]`` built from the canonical tensors so autograd reaches
them; ``key_padding_mask`` = not key_padding (torch: True = ignore); ``need_weights``
selects torch's path (True: the explicit softmax of ``F.multi_head_attention_forward``;
False: ``F.scaled_dot_product_attention`` with torch's default dispatch).
"""

from __future__ import annotations

import warnings
from typing import Any

KERNELS = {"math": "MATH", "flash": "FLASH_ATTENTION", "efficient": "EFFICIENT_ATTENTION"}


def unsupported(module: str, attrs) -> str | None:
    if module != "scaled_dot_product_attention":
        return None
    kernel = attrs.get("kernel")
    if kernel not in KERNELS:
        return (f"torch: kernel {kernel!r} is not forced here (dispatch would not say which "
                f"kernel ran); the kernels are forced one at a time: {', '.join(KERNELS)}")
    if kernel == "flash" and attrs.get("biased"):
        return ("torch: the CPU flash kernel has no gradient for a float attn_mask "
                "(sdpa_kernel(FLASH_ATTENTION) raises 'No available kernel')")
    return None


def build(torch) -> dict[str, Any]:
    F = torch.nn.functional
    from torch.nn.attention import SDPBackend, sdpa_kernel

    def device_check(kernel, q):
        if kernel == "efficient" and q.device.type == "cpu":
            from adapters.base import Unsupported

            raise Unsupported("torch: the memory-efficient SDPA kernel is CUDA-only")

    def scaled_dot_product_attention(q, k, v, bias, mask, *, kernel, causal=False,
                                     masked=False, biased=False, scale=None, sizes=None):
        device_check(kernel, q)
        attn_mask = None
        if biased and masked:
            attn_mask = bias.masked_fill(mask == 0, float("-inf"))
        elif biased:
            attn_mask = bias
        elif masked:
            attn_mask = mask != 0
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            try:
                with sdpa_kernel([getattr(SDPBackend, KERNELS[kernel])]):
                    return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask,
                                                          is_causal=causal, scale=scale)
            except RuntimeError as exc:
                if "No available kernel" not in str(exc):
                    raise
                no_kernel(kernel, exc, said)

    def no_kernel(kernel, exc, said):
        """The forced kernel refuses these inputs (torch 2.4's CPU flash kernel takes no
        attn_mask): a skip in torch's words, its warnings saying why."""
        from adapters.base import Unsupported

        why = "; ".join(dict.fromkeys(str(w.message).strip() for w in said))
        raise Unsupported(f"torch {torch.__version__}: sdpa_kernel({KERNELS[kernel]}) "
                          f"raises '{str(exc).strip().splitlines()[0]}'"
                          + (f" ({why})" if why else "")) from None

    layers: dict[tuple, Any] = {}

    def multi_head_attention(xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o,
                             key_padding=None, *, heads, padded=False, need_weights=False,
                             sizes=None):
        e = w_q.shape[0]
        key = (e, heads, xq.dtype, xq.device)
        if key not in layers:
            layers[key] = torch.nn.MultiheadAttention(e, heads, bias=True, batch_first=True,
                                                      dtype=xq.dtype, device=xq.device)
        params = {"in_proj_weight": torch.cat([w_q, w_k, w_v]),
                  "in_proj_bias": torch.cat([b_q, b_k, b_v]),
                  "out_proj.weight": w_o, "out_proj.bias": b_o}
        kw = {"need_weights": need_weights}
        if padded:
            kw["key_padding_mask"] = key_padding == 0
        out, _ = torch.func.functional_call(layers[key], params, (xq, xk, xv), kw)
        return out

    return {"scaled_dot_product_attention": scaled_dot_product_attention,
            "multi_head_attention": multi_head_attention}
