"""GRU reference in every documented convention, and 004's softmax + cross-entropy head.

Arguments (canonical, see ``recurrent_common``): x, h0, then per gate k in (r, z, n) — reset
(004: relevance Γ_r), update (004: Γ_u) and candidate (000: c_t, 003: h̃_t, 004: c̃) — the
recurrent matrices W_k (H, H), the input matrices U_k (H, I), the biases b_k (H,), and b_hn
(H,), the candidate's recurrent-side bias of the reset-after form. Every form takes all of
them; a form without (some) biases ignores them and their gradient is exactly zero.
004 writes W_*c (n_a, n_a) and W_*x (n_x, n_a) used transposed (z = W_ucᵀ c + W_uxᵀ x):
W_z here is W_ucᵀ, U_z is W_uxᵀ.

``form`` (the convention is the case's attrs, e.g. ``{"form": "seed003"}``):
  * ``seed000``: 000/001 'GRU': h_{t+1} = (1−z)∘h_t + z∘c_t, c_t = tanh(W_c (r∘h_t) + U_c x_t)
    (reset before the matmul), no biases;
  * ``seed003``: 003: h_t = z∘h_{t-1} + (1−z)∘h̃_t, h̃_t = tanh(W_h (r∘h_{t-1}) + W_x x_t), no
    biases (= keras GRU(reset_after=False, use_bias=False));
  * ``seed004``: 004 eqs. 1–7: biases b_u, b_r, b_c, reset before the matmul,
    c_t = Γ_u∘c̃_t + (1−Γ_u)∘c_{t-1} (000's update convention);
  * ``reset_after``: torch.nn.GRU / keras GRU(reset_after=True):
    n = tanh(U_n x + b_n + r∘(W_n h + b_hn)), h' = z∘h + (1−z)∘n, one input-side bias per gate
    and b_hn (torch's b_hr, b_hz add to b_ir, b_iz: the adapters split b_r, b_z).
"""

from __future__ import annotations

import numpy as np

from ._stored import stored
from .recurrent_common import (affine, check_form, check_params, check_sequence, cotangents,
                               f64, sigmoid, weight_grads)

__all__ = ["gru", "gru_softmax_ce"]

FORMS = ("seed000", "seed003", "seed004", "reset_after")
GATES = ("r", "z", "n")
NAMES = (("x", "h0") + tuple(f"W_{k}" for k in GATES) + tuple(f"U_{k}" for k in GATES)
         + tuple(f"b_{k}" for k in GATES) + ("b_hn",))


def _unpack(args, form):
    x, h0, *rest = f64(*args)
    p = dict(zip(NAMES[2:], rest))
    T, N, I, H = check_sequence(x, h0, "gru")
    check_params("gru", H, I, {k: v for k, v in p.items() if k != "b_hn"})
    if p["b_hn"].shape != (H,):
        raise ValueError(f"gru: b_hn must have shape {(H,)}, got {p['b_hn'].shape}")
    check_form("gru", form, FORMS)
    return x, h0, p


def _run(x, h0, p, form):
    T, N, _ = x.shape
    H = h0.shape[1]
    bias = form in ("seed004", "reset_after")
    b = {k: p[f"b_{k}"] if bias else None for k in GATES}
    hs = np.empty((T + 1, N, H))
    hs[0] = h0
    r, z, n, m = (np.empty((T, N, H)) for _ in range(4))  # m: W_n h + b_hn (reset-after)
    for t in range(T):
        h = hs[t]
        z[t] = stored(sigmoid(affine(h, x[t], p["W_z"], p["U_z"], b["z"])))
        r[t] = stored(sigmoid(affine(h, x[t], p["W_r"], p["U_r"], b["r"])))
        if form == "reset_after":
            m[t] = stored(stored(h @ p["W_n"].T) + p["b_hn"])
            n[t] = stored(np.tanh(stored(stored(stored(x[t] @ p["U_n"].T) + p["b_n"])
                                         + stored(r[t] * m[t]))))
        else:
            n[t] = stored(np.tanh(affine(stored(r[t] * h), x[t], p["W_n"], p["U_n"], b["n"])))
        if form in ("seed000", "seed004"):  # z weights the candidate
            hs[t + 1] = stored(stored((1.0 - z[t]) * h) + stored(z[t] * n[t]))
        else:  # z weights the old state
            hs[t + 1] = stored(stored(z[t] * h) + stored((1.0 - z[t]) * n[t]))
    return hs, r, z, n, m


def gru(*args, form="reset_after"):
    """(y, h_T) of the GRU in ``form`` (see the module docstring for the equations).

    Cites 000_0c41eef9689a3bf9.txt 'GRU' forward-pass (same in 001), 003_82e7ef9d31dc8d93.txt
    'Forward Propagation', 004_48320439d88c2957.txt section 2 eqs. 1–7.
    """
    x, h0, p = _unpack(args, form)
    hs = _run(x, h0, p, form)[0]
    return hs[1:], hs[-1].copy()


def gru_vjp(cotangent, *args, form="reset_after"):
    """BPTT, carrying dL/dh backwards (z_keep: z weights the old state):

      dL/dh_t += dL/dy_t;  dz = dL/dh_t ∘ (h_{t-1} − n) [z_keep] or ∘ (n − h_{t-1});
      dn = dL/dh_t ∘ (1 − z) [z_keep] or ∘ z;  dL/dh_{t-1} = dL/dh_t ∘ z [z_keep] or ∘ (1 − z)
      δn = dn ∘ (1 − n²); reset before: d(r∘h) = δn W_n, dr = d(r∘h) ∘ h_{t-1},
        dL/dh_{t-1} += d(r∘h) ∘ r, dL/dW_n = Σ δnᵀ (r∘h_{t-1});
      reset after: dr = δn ∘ (W_n h_{t-1} + b_hn), δm = δn ∘ r, dL/dh_{t-1} += δm W_n,
        dL/dW_n = Σ δmᵀ h_{t-1}, dL/db_hn = Σ δm;
      δz = dz ∘ z(1 − z), δr = dr ∘ r(1 − r);  dL/dh_{t-1} += δz W_z + δr W_r;
      dL/dx_t = δz U_z + δr U_r + δn U_n;  dL/dU_k = Σ δkᵀ x_t;  dL/db_k = Σ δk.

    Cites 000_0c41eef9689a3bf9.txt 'GRU' backward- and parameter-pass (same in 001; right up
    to the implicit Σ_t), 003_82e7ef9d31dc8d93.txt 'Backward Propagation' and
    004_48320439d88c2957.txt sections 2.1.3–2.1.8. Slips found (each checked against finite
    differences in tests/test_recurrent_references.py):
      003, "Eq. (19) gives Δ_{h̃_t}L = −Δ_{g12}L ∘ (1 − z_t)": sign slip, g12 = (1−z)∘h̃ so
        Δ_{h̃_t}L = +Δ_{g12}L ∘ (1 − z_t);
      003, "Eq. (18) gives Δ_{z_t}L += −Δ_{g11}L ∘ h_{t-1}": sign slip, g11 = z∘h_{t-1} so
        the increment is +Δ_{g11}L ∘ h_{t-1} (with 19's −Δ_{g12}∘h̃: dz = Δh∘(h_{t-1} − h̃));
      003, "Δ_{h_{t-1}}L = −Δ_{g12}L ∘ z_t": two slips, it is Δ_{g11}L ∘ z_t (g11, no minus);
      004 2.1.1, "∂J/∂ŷ = [y_1 … ; ŷ_1 …]" (y_k over ŷ_k): the cross-entropy derivative is
        −y_k/ŷ_k (minus sign lost); 2.1.2's product with diag(ŷ) − ŷŷᵀ then gives ŷΣy − y;
      004 2.1.6, "∂J/∂Γ_r = ∂J/∂c̃ W_ccᵀ diag(c^{t-1})": the tanh derivative is missing, it is
        (∂J/∂z_c W_ccᵀ) ∘ c^{t-1} with ∂J/∂z_c = ∂J/∂c̃ ∘ (1 − c̃²) (2.1.8 Comp-4 has it right);
      004 2.1.8 Comp-3 of ∂J/∂c^{t-1}, "= ∂J/∂z_r W_ucᵀ": must be ∂J/∂z_u W_ucᵀ;
      004 2.1.8 Comp-2 of ∂J/∂x^{t}, "= ∂J/∂z_x W_uxᵀ": must be ∂J/∂z_u W_uxᵀ; its heading
        "The derivative ∂J/∂c^{(t-1)} has three components" means ∂J/∂x^{(t)};
      004 2.1.4–2.1.7: one step's parameter gradient, the Σ_t is implicit; 2.1.5/2.1.7 write
        1_(n_c,1) for 1_(n_a,1); figure 2's caption says "LSTM-block".
    """
    x, h0, p = _unpack(args, form)
    hs, r, z, n, m = _run(x, h0, p, form)
    T = x.shape[0]
    gy, ghT = cotangents(cotangent, (hs[1:].shape, h0.shape), "gru")
    z_keep = form in ("seed003", "reset_after")
    d = {k: np.empty_like(r) for k in ("r", "z", "n", "m")}
    gx = np.empty_like(x)
    dh = ghT.copy()
    for t in range(T - 1, -1, -1):
        h = hs[t]
        dh = stored(dh + gy[t])
        if z_keep:
            dz, dn, dh_prev = (stored(dh * (h - n[t])), stored(dh * (1.0 - z[t])),
                               stored(dh * z[t]))
        else:
            dz, dn, dh_prev = (stored(dh * (n[t] - h)), stored(dh * z[t]),
                               stored(dh * (1.0 - z[t])))
        d["n"][t] = stored(dn * (1.0 - n[t] ** 2))
        if form == "reset_after":
            dr = stored(d["n"][t] * m[t])
            d["m"][t] = stored(d["n"][t] * r[t])
            dh_prev = stored(dh_prev + stored(d["m"][t] @ p["W_n"]))
        else:
            drh = stored(d["n"][t] @ p["W_n"])
            dr = stored(drh * h)
            dh_prev = stored(dh_prev + stored(drh * r[t]))
        d["z"][t] = stored(dz * z[t] * (1.0 - z[t]))
        d["r"][t] = stored(dr * r[t] * (1.0 - r[t]))
        dh = stored(dh_prev + stored(d["z"][t] @ p["W_z"]) + stored(d["r"][t] @ p["W_r"]))
        gx[t] = sum(d[k][t] @ p[f"U_{k}"] for k in GATES)
    after = form == "reset_after"
    gW = {"r": weight_grads(d["r"], hs[:-1]), "z": weight_grads(d["z"], hs[:-1]),
          "n": weight_grads(d["m"], hs[:-1]) if after else weight_grads(d["n"], r * hs[:-1])}
    gU = {k: weight_grads(d[k], x) for k in GATES}
    zero = np.zeros(h0.shape[1])
    bias = form in ("seed004", "reset_after")
    gb = {k: d[k].sum(axis=(0, 1)) if bias else zero for k in GATES}
    gb["hn"] = d["m"].sum(axis=(0, 1)) if after else zero
    return ((gx, dh) + tuple(gW[k] for k in GATES) + tuple(gU[k] for k in GATES)
            + tuple(gb[k] for k in ("r", "z", "n", "hn")))


def _softmax(c):
    e = stored(np.exp(c - c.max(axis=-1, keepdims=True)))
    return stored(e / stored(e.sum(axis=-1, keepdims=True)))


def _head_args(args):
    """x, h0, W_r, W_z, W_n, U_r, U_z, U_n, b_r, b_z, b_n, targets -> (gru args, targets)."""
    *gru_args, y = f64(*args)
    if len(gru_args) != len(NAMES) - 1:
        raise ValueError(f"gru_softmax_ce: expected {len(NAMES)} arguments, got {len(args)}")
    return gru_args + [np.zeros_like(gru_args[-1])], y


def gru_softmax_ce(*args):
    """J_t = −Σ_k y_k^{t} log ŷ_k^{t}, ŷ^{t} = softmax(c^{t}), per step and sample, shape (T, N).

    Cites 004_48320439d88c2957.txt eqs. 1–8 and section 2.1.1 (cross-entropy loss per time
    step). The GRU is the 'seed004' form (arguments x, h0, W_r, W_z, W_n, U_r, U_z, U_n, b_r,
    b_z, b_n: no b_hn); the last argument is the targets y^{t} (T, N, H),
    constant (probability rows). Eq. 8 applies softmax to c^{t} itself (no output matrix):
    the number of classes n_y equals n_a = H. Summing J_t over t (004's J) is a cotangent of
    ones; the suite draws a general cotangent dL/dJ_t.
    """
    gru_args, y = _head_args(args)
    hs = gru(*gru_args, form="seed004")[0]
    if y.shape != hs.shape:
        raise ValueError(f"gru_softmax_ce: targets must have shape {hs.shape}, got {y.shape}")
    c = stored(hs - hs.max(axis=-1, keepdims=True))
    log_softmax = stored(c - stored(np.log(stored(stored(np.exp(c)).sum(axis=-1, keepdims=True)))))
    return -np.sum(y * log_softmax, axis=-1)


def gru_softmax_ce_vjp(cotangent, *args):
    """dJ_t/dc^{t} = ŷ^{t} Σ_k y_k^{t} − y^{t} (004 2.1.1 and 2.1.2 composed, with 2.1.1's sign
    corrected: ∂J/∂ŷ = −y/ŷ, times diag(ŷ) − ŷŷᵀ), scaled by the cotangent and added to the
    BPTT carry at each step (004 2.1.2: 'Comp-2 flows-in as the derivative from ŷ^{t}');
    then the 'seed004' GRU backward. The targets are constant (None).
    """
    gru_args, y = _head_args(args)
    hs = gru(*gru_args, form="seed004")[0]
    g = np.asarray(cotangent, dtype=np.float64)
    if g.shape != hs.shape[:2]:
        raise ValueError(f"gru_softmax_ce: cotangent shape {g.shape} != output shape {hs.shape[:2]}")
    dc = stored(g[..., None] * stored(stored(_softmax(hs) * y.sum(axis=-1, keepdims=True)) - y))
    grads = gru_vjp((dc, np.zeros_like(hs[0])), *gru_args, form="seed004")
    return grads[:-1] + (None,)  # no b_hn in this module; the targets are constant
