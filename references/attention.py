"""Scaled dot-product and multi-head attention (derived: the documents give no formula).

Source: 001_9eba1572aa0cb554.txt names attention among the modules it covers (abstract,
line 11: "from the basic parameter-free operations such as pooling, activations, to linear,
attention and the more complex reccurent modules") and multi-head self-attention as the main
user of LN (section 'Normalization', 2nd paragraph: "the multi-head self-attention modules,
the counterpart of convolution filters in modern Transformer networks"), without formulas.
The formulas are Vaswani et al. 2017 ("Attention Is All You Need", eq. 1 and section 3.2.2),
derived here:

    S = s · Q Kᵀ + B          s = 1/√d by default (d = head dim of Q and K)
    P = softmax_allowed(S)    over the keys a row may attend to (mask ∧ causal)
    Y = P V

Backward (hand-derived): dV = Pᵀ dY; dP = dY Vᵀ; dS = P ⊙ (dP − rowsum(P ⊙ dP));
dQ = s·dS K; dK = s·dSᵀ Q; dB = dS. Masked-out entries have P = 0, hence dS = 0.

A *fully masked row* (no key allowed) has no softmax; frameworks differ. ``masked_row``
names what the reference does there: ``zeros`` (P row = 0: Y row = 0, no gradient flows
from it) or ``uniform`` (P row = 1/Tk, a constant: Y row = mean of V, dV += dY/Tk, no
gradient to Q, K or B). NaN is deliberately not a rule: a NaN there reaches dK, dV and
every shared parameter (a finding, never a convention).

Causal masks for Tq ≠ Tk: ``causal_align`` ``top_left`` (row i attends keys j ≤ i) or
``bottom_right`` (j ≤ i + Tk − Tq).

Layout (canonical, batch and heads first): q (N, H, Tq, d), k (N, H, Tk, d), v (N, H, Tk, dv),
bias (N, H, Tq, Tk), mask (N, 1, Tq, Tk) with 1 = attend (broadcast over heads).
"""

from __future__ import annotations

import numpy as np

from ._stored import stored

__all__ = ["scaled_dot_product_attention", "multi_head_attention"]

ROW_RULES = ("zeros", "uniform")


def _allowed(mask, tq, tk, *, masked, causal, causal_align):
    allowed = np.ones((1, 1, tq, tk), dtype=bool)
    if masked:
        allowed = allowed & (np.asarray(mask) != 0)
    if causal:
        shift = 0 if causal_align == "top_left" else tk - tq
        if causal_align not in ("top_left", "bottom_right"):
            raise ValueError(f"causal_align must be top_left or bottom_right, not {causal_align!r}")
        allowed = allowed & np.tri(tq, tk, shift, dtype=bool)
    return allowed


def _probabilities(s, allowed, masked_row):
    """P (rows of allowed entries normalised; fully masked rows per ``masked_row``) and the
    boolean (…, Tq) array of rows with at least one allowed key."""
    if masked_row not in ROW_RULES:
        raise ValueError(f"masked_row must be one of {ROW_RULES}, not {masked_row!r}")
    allowed = np.broadcast_to(allowed, s.shape)
    live = allowed.any(axis=-1)
    z = np.where(allowed, s, -np.inf)
    top = np.where(live, z.max(axis=-1), 0.0)[..., None]
    e = stored(np.where(allowed, np.exp(np.where(allowed, s - top, 0.0)), 0.0))
    total = stored(e.sum(axis=-1, keepdims=True))
    p = stored(e / np.where(total > 0, total, 1.0))
    if masked_row == "uniform":
        p = np.where(live[..., None], p, 1.0 / s.shape[-1])
    return p, live


def _scale(q, scale):
    return 1.0 / np.sqrt(q.shape[-1]) if scale is None else float(scale)


def _forward(q, k, v, bias, mask, *, causal, masked, biased, scale, masked_row, causal_align):
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"attention: q {q.shape}, k {k.shape}, v {v.shape} do not fit")
    s = _scale(q, scale)
    logits = stored(s * np.einsum("...qd,...kd->...qk", q, k))
    if biased:
        logits = stored(logits + np.asarray(bias, dtype=np.float64))
    allowed = _allowed(mask, q.shape[-2], k.shape[-2], masked=masked, causal=causal,
                       causal_align=causal_align)
    p, live = _probabilities(logits, allowed, masked_row)
    return np.einsum("...qk,...kd->...qd", p, v), (q, k, v, s, p, live)


def scaled_dot_product_attention(q, k, v, bias, mask, *, causal=False, masked=False,
                                 biased=False, scale=None, kernel=None, sizes=None,
                                 masked_row="zeros", causal_align="top_left"):
    """Y = softmax(s·Q Kᵀ + B) V over the allowed keys (module docstring; derived).

    ``masked``: apply the boolean ``mask``; ``biased``: add ``bias`` (otherwise both are
    ignored and the bias gradient is exactly 0); ``kernel`` (the framework kernel a case
    forces) and ``sizes`` (which shapes a case draws) have no effect on the mathematics.
    """
    del kernel, sizes
    y, _ = _forward(q, k, v, bias, mask, causal=causal, masked=masked, biased=biased,
                    scale=scale, masked_row=masked_row, causal_align=causal_align)
    return y


def scaled_dot_product_attention_vjp(cotangent, q, k, v, bias, mask, *, causal=False,
                                     masked=False, biased=False, scale=None, kernel=None,
                                     sizes=None, masked_row="zeros", causal_align="top_left"):
    """(dQ, dK, dV, dB, None): the hand-derived backward of the module docstring."""
    del kernel, sizes
    _, (q, k, v, s, p, live) = _forward(q, k, v, bias, mask, causal=causal, masked=masked,
                                        biased=biased, scale=scale, masked_row=masked_row,
                                        causal_align=causal_align)
    dy = np.asarray(cotangent, dtype=np.float64)
    dv = np.einsum("...qk,...qd->...kd", p, dy)
    dp = stored(np.einsum("...qd,...kd->...qk", dy, v))
    ds = stored(p * stored(dp - stored(np.sum(stored(p * dp), axis=-1, keepdims=True))))
    ds = np.where(live[..., None], ds, 0.0)  # a fully masked row's P is a constant
    dq = s * np.einsum("...qk,...kd->...qd", ds, k)
    dk = s * np.einsum("...qk,...qd->...kd", ds, q)
    db = ds if biased else np.zeros(np.shape(bias))
    return dq, dk, dv, np.broadcast_to(db, np.shape(bias)).copy(), None


# -- multi-head attention ----------------------------------------------------------------------
def _heads(x, h):
    n, t, e = x.shape
    return x.reshape(n, t, h, e // h).transpose(0, 2, 1, 3)


def _merge(x):
    n, h, t, d = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n, t, h * d)


def _mha_forward(xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o, mask, heads, masked_row):
    arrays = [np.asarray(a, dtype=np.float64)
              for a in (xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o)]
    xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o = arrays
    e = w_q.shape[0]
    if e % heads:
        raise ValueError(f"multi_head_attention: embed dim {e} is not divisible by {heads} heads")
    q, k, v = (_heads(stored(stored(x @ w.T) + b), heads) for x, w, b in
               ((xq, w_q, b_q), (xk, w_k, b_k), (xv, w_v, b_v)))
    key_mask = None if mask is None else np.asarray(mask)[:, None, None, :]
    o, saved = _forward(q, k, v, None, key_mask, causal=False, masked=mask is not None,
                        biased=False, scale=None, masked_row=masked_row, causal_align="top_left")
    merged = stored(_merge(o))
    return stored(merged @ w_o.T) + b_o, (arrays, q, k, v, merged, key_mask)


def multi_head_attention(xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o, key_padding,
                         *, heads, padded=False, need_weights=False, sizes=None, masked_row="zeros"):
    """y = concat_h(attention(xq W_qᵀ + b_q, xk W_kᵀ + b_k, xv W_vᵀ + b_v)) W_oᵀ + b_o
    (Vaswani et al. 2017, section 3.2.2; derived). Weights are (out, in), torch's layout;
    x* are (N, T, E); ``key_padding`` (N, Tk) with 1 = attend, applied when ``padded``.
    ``need_weights`` selects a framework path (whether the layer also returns the
    attention weights) and ``sizes`` (which shapes a case draws) have no effect on the
    mathematics."""
    del need_weights, sizes
    y, _ = _mha_forward(xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o,
                        key_padding if padded else None, heads, masked_row)
    return y


def multi_head_attention_vjp(cotangent, xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o,
                             key_padding, *, heads, padded=False, need_weights=False,
                             sizes=None, masked_row="zeros"):
    """Gradients of every input and parameter (and None for the mask): the projections'
    backward around the attention backward above."""
    del need_weights, sizes
    mask = key_padding if padded else None
    _, (arrays, q, k, v, merged, key_mask) = _mha_forward(
        xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o, mask, heads, masked_row)
    xq, xk, xv, w_q, w_k, w_v, b_q, b_k, b_v, w_o, b_o = arrays
    dy = np.asarray(cotangent, dtype=np.float64)
    d_wo = np.einsum("nto,nti->oi", dy, merged)
    d_bo = dy.sum(axis=(0, 1))
    d_o = _heads(stored(dy @ w_o), heads)
    dq, dk, dv, _, _ = scaled_dot_product_attention_vjp(
        d_o, q, k, v, np.zeros(()), key_mask, masked=mask is not None, masked_row=masked_row)
    out = []
    for x, w, d in ((xq, w_q, dq), (xk, w_k, dk), (xv, w_v, dv)):
        dz = stored(_merge(d))
        out.append((dz @ w, np.einsum("nto,nti->oi", dz, x), dz.sum(axis=(0, 1))))
    (dxq, dwq, dbq), (dxk, dwk, dbk), (dxv, dwv, dbv) = out
    return dxq, dxk, dxv, dwq, dwk, dwv, dbq, dbk, dbv, d_wo, d_bo, None
