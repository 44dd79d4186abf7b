"""The attention references against float64 finite differences and a loop-by-loop forward.

Backward: tests/finite_differences.py (no code shared with ``references``) on every
differentiated argument — q, k, v, the additive bias, and all eight parameters of
multi-head attention — in every form: causal (both alignments, unequal lengths), boolean
masks with partially and fully masked rows under both masked-row rules, bias, explicit
scale. Softmax is smooth, so the tolerance of test_references_fd.py applies (rtol 1e-6,
atol 1e-7; values in [-1, 1], measured FD error ≲ 1e-9); a wrong formula (a missing
scale, a transposed index, a gradient through a masked entry) is an O(1e-2)–O(1) error.

Forward: an independent per-row loop with ``math.exp`` (no NumPy vectorisation, no
shared helper), so the forward the FD test differentiates is itself checked.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from references import REFERENCES

try:
    from .finite_differences import fd_vjp
except ImportError:
    from finite_differences import fd_vjp

RTOL, ATOL = 1e-6, 1e-7
SETTINGS = settings(max_examples=6, deadline=None, derandomize=True, database=None)
SDPA, MHA = REFERENCES["scaled_dot_product_attention"], REFERENCES["multi_head_attention"]

FORMS = [
    {},
    {"causal": True},
    {"causal": True, "causal_align": "bottom_right"},
    {"causal": True, "causal_align": "bottom_right", "masked_row": "uniform"},
    {"masked": True},
    {"masked": True, "masked_row": "uniform"},
    {"biased": True},
    {"biased": True, "masked": True, "causal": True, "scale": 0.7},
]


def form_id(form):
    return ",".join(f"{k}={v}" for k, v in form.items()) or "plain"


def draw_sdpa(rng, n, h, tq, tk, d, full_rows=True):
    q, k, v = (rng.uniform(-1, 1, (n, h, t, d)) for t in (tq, tk, tk))
    bias = rng.uniform(-1, 1, (n, h, tq, tk))
    mask = (rng.random((n, 1, tq, tk)) < 0.6).astype(float)
    if full_rows:
        mask[0, 0, 0, :] = 0.0  # a fully masked row in every example
    return [q, k, v, bias, mask]


def loop_attention(q, k, v, bias, mask, causal=False, masked=False, biased=False, scale=None,
                   masked_row="zeros", causal_align="top_left"):
    n, h, tq, d = q.shape
    tk = k.shape[2]
    s = 1.0 / math.sqrt(d) if scale is None else scale
    y = np.zeros((n, h, tq, v.shape[-1]))
    for a in range(n):
        for b in range(h):
            for i in range(tq):
                keys = [j for j in range(tk)
                        if (not masked or mask[a, 0, i, j])
                        and (not causal or j <= i + (0 if causal_align == "top_left" else tk - tq))]
                if not keys:
                    if masked_row == "uniform":
                        y[a, b, i] = sum(v[a, b, j] for j in range(tk)) / tk
                    continue
                logit = {j: s * sum(q[a, b, i, c] * k[a, b, j, c] for c in range(d))
                         + (bias[a, b, i, j] if biased else 0.0) for j in keys}
                top = max(logit.values())
                w = {j: math.exp(logit[j] - top) for j in keys}
                total = sum(w.values())
                y[a, b, i] = sum(w[j] / total * v[a, b, j] for j in keys)
    return y


@pytest.mark.parametrize("form", FORMS, ids=form_id)
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 2), h=st.integers(1, 2),
       tq=st.integers(1, 4), tk=st.integers(1, 4), d=st.integers(1, 3))
def test_sdpa_backward_matches_finite_differences(form, seed, n, h, tq, tk, d):
    args = draw_sdpa(np.random.default_rng(seed), n, h, tq, tk, d)
    y = SDPA.forward(*args, **form)
    u = np.random.default_rng(seed + 1).uniform(-1, 1, y.shape)
    got = SDPA.vjp(u, *args, **form)
    assert got[4] is None
    want = fd_vjp(lambda *a: SDPA.forward(*a, **form), args, u, wrt=[0, 1, 2, 3])
    for name, g, w in zip("qkvb", got, want):
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL, err_msg=f"d{name} {form_id(form)}")
    if not form.get("biased"):
        assert not np.any(got[3]), "an absent bias has an exactly-zero gradient"


@pytest.mark.parametrize("form", FORMS, ids=form_id)
@settings(max_examples=10, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 2**32 - 1), tq=st.integers(1, 4), tk=st.integers(1, 4),
       d=st.integers(1, 3))
def test_sdpa_forward_matches_a_loop(form, seed, tq, tk, d):
    args = draw_sdpa(np.random.default_rng(seed), 2, 2, tq, tk, d)
    np.testing.assert_allclose(SDPA.forward(*args, **form), loop_attention(*args, **form),
                               rtol=1e-12, atol=1e-13)


def test_fully_masked_row_rules():
    args = draw_sdpa(np.random.default_rng(0), 1, 1, 3, 4, 2)
    args[4][:] = 1.0
    args[4][0, 0, 1, :] = 0.0
    zeros = SDPA.forward(*args, masked=True)
    uniform = SDPA.forward(*args, masked=True, masked_row="uniform")
    assert not np.any(zeros[0, 0, 1])
    np.testing.assert_allclose(uniform[0, 0, 1], args[2][0, 0].mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(zeros[0, 0, [0, 2]], uniform[0, 0, [0, 2]], rtol=1e-14)


MHA_FORMS = [{}, {"padded": True}, {"padded": True, "masked_row": "uniform"}]


def draw_mha(rng, n, tq, tk, heads, dh, full_pad):
    e = heads * dh
    xs = [rng.uniform(-1, 1, (n, t, e)) for t in (tq, tk, tk)]
    ws = [rng.uniform(-0.8, 0.8, (e, e)) for _ in range(3)]
    bs = [rng.uniform(-0.5, 0.5, (e,)) for _ in range(3)]
    pad = (rng.random((n, tk)) < 0.7).astype(float)
    pad[:, 0] = 1.0
    if full_pad:
        pad[0, :] = 0.0  # one batch element whose keys are all padding
    return xs + ws + bs + [rng.uniform(-0.8, 0.8, (e, e)), rng.uniform(-0.5, 0.5, (e,)), pad]


@pytest.mark.parametrize("form", MHA_FORMS, ids=form_id)
@settings(max_examples=4, deadline=None, derandomize=True, database=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 2), tq=st.integers(1, 3),
       tk=st.integers(1, 3), heads=st.integers(1, 2), dh=st.integers(1, 2),
       full_pad=st.booleans())
def test_mha_backward_matches_finite_differences(form, seed, n, tq, tk, heads, dh, full_pad):
    args = draw_mha(np.random.default_rng(seed), n, tq, tk, heads, dh, full_pad)
    kw = dict(form, heads=heads)
    y = MHA.forward(*args, **kw)
    u = np.random.default_rng(seed + 1).uniform(-1, 1, y.shape)
    got = MHA.vjp(u, *args, **kw)
    assert got[-1] is None
    want = fd_vjp(lambda *a: MHA.forward(*a, **kw), args, u, wrt=list(range(11)))
    names = ["xq", "xk", "xv", "w_q", "w_k", "w_v", "b_q", "b_k", "b_v", "w_o", "b_o"]
    for name, g, w in zip(names, got, want):
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL, err_msg=f"d{name} {form_id(form)}")


def test_mha_forward_is_per_head_attention_of_the_projections():
    rng = np.random.default_rng(3)
    xq, xk, xv, wq, wk, wv, bq, bk, bv, wo, bo, pad = draw_mha(rng, 2, 3, 4, 2, 2, True)
    y = MHA.forward(xq, xk, xv, wq, wk, wv, bq, bk, bv, wo, bo, pad, heads=2, padded=True)
    heads = []
    for hd in range(2):
        sl = slice(2 * hd, 2 * hd + 2)
        q, k, v = (x @ w[sl].T + b[sl] for x, w, b in ((xq, wq, bq), (xk, wk, bk), (xv, wv, bv)))
        mask = np.broadcast_to(pad[:, None, None, :], (2, 1, 3, 4))
        heads.append(loop_attention(q[:, None], k[:, None], v[:, None], None, mask,
                                    masked=True)[:, 0])
    np.testing.assert_allclose(y, np.concatenate(heads, axis=-1) @ wo.T + bo, rtol=1e-12,
                               atol=1e-13)
    assert np.allclose(y[0], bo), "a fully padded batch element outputs b_o under 'zeros'"
