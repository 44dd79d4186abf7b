"""jax ops for the attention modules (derived from Vaswani et al. 2017; see
references/attention.py).

``jax.nn.dot_product_attention`` in JAX's (B, T, heads, d) layout (transposed from the
canonical (N, H, T, d) here and back): kernel ``math`` = ``implementation='xla'``,
``default`` = ``implementation=None`` (JAX's own choice; XLA on a CPU), ``flash`` =
``'cudnn'`` (NVIDIA GPUs only: a skip elsewhere). The boolean mask is ``mask`` (True =
attend), the bias ``bias`` (differentiated), causal ``is_causal``.

``multi_head_attention``: ``flax.linen.MultiHeadDotProductAttention`` (qkv_features =
out_features = E) with params built from the canonical (out, in) weights — query/key/value
kernel (E, h, E/h) = Wᵀ reshaped, bias (h, E/h), out kernel (h, E/h, E) = W_oᵀ reshaped —
and ``mask`` = key_padding broadcast to (N, 1, Tq, Tk). ``need_weights`` is a skip: flax
returns weights only by sowing them (the same computation; measured 40–70 s a case through
``mutable=['intermediates']``). Without the flax extra the module is skipped (JAX has no
multi-head layer).
"""

from __future__ import annotations

from typing import Any
from .optional import has_flax, no_flax

IMPLEMENTATION = {"math": "xla", "default": None, "flash": "cudnn"}
NO_FLAX = "JAX has no multi-head attention layer of its own"
# New in jax 0.4.31: older releases skip the module in their own words (adapters/requires.py).
REQUIRES = {"scaled_dot_product_attention": ("nn.dot_product_attention",)}



def unsupported(module: str, attrs) -> str | None:
    if module == "multi_head_attention" and not has_flax():
        return no_flax(NO_FLAX)
    if module == "multi_head_attention" and attrs.get("need_weights"):
        return ("flax: MultiHeadDotProductAttention has no weights-returning path (it only sows "
                "them into 'intermediates', the same computation as need_weights=False)")
    if module != "scaled_dot_product_attention":
        return None
    kernel = attrs.get("kernel")
    if kernel not in IMPLEMENTATION:
        return f"jax: no {kernel!r} kernel (jax.nn.dot_product_attention has xla and cudnn)"
    if kernel == "flash":
        import jax

        if not any(d.platform == "gpu" for d in jax.devices()):
            return ("jax: implementation='cudnn' (the flash kernel) runs on NVIDIA GPUs only "
                    "(cuDNN); this jax sees no GPU")
    return None


def build(jax) -> dict[str, Any]:
    jnp = jax.numpy

    def bthd(x):
        return jnp.transpose(x, (0, 2, 1, 3))

    def scaled_dot_product_attention(q, k, v, bias, mask, *, kernel, causal=False,
                                     masked=False, biased=False, scale=None, sizes=None):
        y = jax.nn.dot_product_attention(
            bthd(q), bthd(k), bthd(v), bias=bias if biased else None,
            mask=(mask != 0) if masked else None, scale=scale, is_causal=causal,
            implementation=IMPLEMENTATION[kernel])
        return bthd(y)

    def multi_head_attention(xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o,
                             key_padding=None, *, heads, padded=False, need_weights=False,
                             sizes=None):
        import flax.linen as nn  # present: unsupported() checked it

        e = w_q.shape[0]
        proj = lambda w, b: {"kernel": w.T.reshape(e, heads, e // heads),  # noqa: E731
                             "bias": b.reshape(heads, e // heads)}
        params = {"query": proj(w_q, b_q), "key": proj(w_k, b_k), "value": proj(w_v, b_v),
                  "out": {"kernel": w_o.T.reshape(heads, e // heads, e), "bias": b_o}}
        layer = nn.MultiHeadDotProductAttention(num_heads=heads, qkv_features=e, out_features=e,
                                                dtype=xq.dtype, param_dtype=xq.dtype,
                                                deterministic=True)
        mask = None
        if padded:
            mask = jnp.broadcast_to((key_padding != 0)[:, None, None, :],
                                    (xq.shape[0], 1, xq.shape[1], xk.shape[1]))
        return layer.apply({"params": params}, xq, xk, xv, mask=mask)

    return {"scaled_dot_product_attention": scaled_dot_product_attention,
            "multi_head_attention": multi_head_attention}
