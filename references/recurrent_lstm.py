"""LSTM reference in every documented form: forward over T steps and hand-written BPTT.

Arguments (canonical, see ``recurrent_common``): x, h0, c0, then per gate k in (i, f, g, o)
the recurrent matrices W_k (H, H), the input matrices U_k (H, I), the biases b_k (H,), and
the peephole matrices P_i, P_f, P_o (H, H). Every form takes all of them (the data model has
one argument list per module); a form without biases or peepholes ignores those arguments
and their gradient is exactly zero. Outputs: (y, h_T, c_T).

``form``:
  * ``seed000``  — 000/001 'LSTM' forward-pass: no biases, no peepholes;
  * ``standard`` — the frameworks' LSTM (torch.nn.LSTM, keras.layers.LSTM): 000's equations
    plus one bias per gate (torch's b_ih + b_hh is one bias: the adapters split it);
  * ``peephole`` — 002's LSTM as computed by its 31 unary/binary steps (and by the separated
    equations 1–6 just before them): f, i and o read C_{t-1} through full matrices
    W_fC, W_iC, W_oC (here P_f, P_i, P_o), biases on every gate, and the candidate
    C̃_t = σ(W_Ch h_{t-1} + W_Cx x_t + b_C) with a *sigmoid* (steps 15–19, backward step 13
    and deriv() all use σ);
  * ``peephole_compact`` — 002's first, compact listing of equations 1–6: the candidate uses
    tanh ("3 C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)") and the output gate reads the *new*
    cell state ("5 o_t = σ(W_o·[C_t, h_{t-1}, x_t] + b_o)", Gers & Schmidhuber's form).
  The two listings of 002 disagree on exactly these two points; each is tested as written.
"""

from __future__ import annotations

import numpy as np

from ._stored import stored
from .recurrent_common import (check_form, check_params, check_sequence, cotangents,
                               f64, sigmoid, weight_grads)

__all__ = ["lstm"]

FORMS = ("seed000", "standard", "peephole", "peephole_compact")
GATES = ("i", "f", "g", "o")
NAMES = (("x", "h0", "c0") + tuple(f"W_{k}" for k in GATES) + tuple(f"U_{k}" for k in GATES)
         + tuple(f"b_{k}" for k in GATES) + ("P_i", "P_f", "P_o"))


def _unpack(args, form):
    x, h0, c0, *rest = f64(*args)
    p = dict(zip(NAMES[3:], rest))
    T, N, I, H = check_sequence(x, h0, "lstm")
    if c0.shape != h0.shape:
        raise ValueError(f"lstm: c0 must have the shape of h0 {h0.shape}, got {c0.shape}")
    check_params("lstm", H, I, p)
    check_form("lstm", form, FORMS)
    return x, h0, c0, p


def stacked(p, kind):
    """[M_i; M_f; M_g; M_o]: the gates' matrices (or biases) stacked along the output axis."""
    return np.concatenate([p[f"{kind}_{k}"] for k in GATES])


def _run(x, h0, c0, p, form):
    """Forward, keeping what the backward needs: gate activations, C_t, tanh C_t, h_t."""
    T, N, _ = x.shape
    H = h0.shape[1]
    bias = form != "seed000"
    peep = form.startswith("peephole")
    g_act = sigmoid if form == "peephole" else np.tanh
    hs, cs = np.empty((T + 1, N, H)), np.empty((T + 1, N, H))
    hs[0], cs[0] = h0, c0
    acts = {k: np.empty((T, N, H)) for k in GATES}
    tanh_c = np.empty((T, N, H))
    # W_k h + U_k x + b_k of the four gates at once: the (4H, ·) stacks of their matrices.
    W_all, U_all = stacked(p, "W"), stacked(p, "U")
    xu = stored(x @ U_all.T + (stacked(p, "b") if bias else 0.0))
    for t in range(T):
        h, c = hs[t], cs[t]
        a = dict(zip(GATES, np.split(stored(xu[t] + stored(h @ W_all.T)), 4, axis=-1)))
        if peep:  # 002 eqs. 1, 2 (steps 1, 8): f and i read C_{t-1}
            a["f"] = stored(a["f"] + stored(c @ p["P_f"].T))
            a["i"] = stored(a["i"] + stored(c @ p["P_i"].T))
        f, i, g = stored(sigmoid(a["f"])), stored(sigmoid(a["i"])), stored(g_act(a["g"]))
        cs[t + 1] = stored(stored(f * c) + stored(i * g))
        if form == "peephole":  # separated eq. 5 / step 23: o reads C_{t-1}
            a["o"] = stored(a["o"] + stored(c @ p["P_o"].T))
        elif form == "peephole_compact":  # compact eq. 5: o reads C_t
            a["o"] = stored(a["o"] + stored(cs[t + 1] @ p["P_o"].T))
        o = stored(sigmoid(a["o"]))
        tanh_c[t] = stored(np.tanh(cs[t + 1]))
        hs[t + 1] = stored(o * tanh_c[t])
        for k, v in zip(GATES, (i, f, g, o)):
            acts[k][t] = v
    return hs, cs, acts, tanh_c


def lstm(*args, form="standard"):
    """(y, h_T, c_T) of the LSTM in ``form`` (see the module docstring).

    seed000/standard — 000_0c41eef9689a3bf9.txt 'LSTM' forward-pass (same in 001):
      C_{t+1} = f_t∘C_t + i_t∘G_t,  h_{t+1} = o_t∘tanh(C_{t+1}),
      f_t = σ(W_f h_t + U_f x_t) (+ b_f), likewise i_t, o_t, and G_t = tanh(W_g h_t + U_g x_t).
    peephole/peephole_compact — 002_01ee91e524aebdaf.txt, 'Example: LSTM', equations 1–6 and
      the 31 unary/binary steps (see the module docstring for which listing each form is).
    """
    x, h0, c0, p = _unpack(args, form)
    hs, cs, _, _ = _run(x, h0, c0, p, form)
    return hs[1:], hs[-1].copy(), cs[-1].copy()


def lstm_vjp(cotangent, *args, form="standard"):
    """BPTT, one step backwards at a time, carrying dL/dh and dL/dC:

      dL/dh_t += dL/dy_t;   do = dL/dh_t ∘ tanh C_t;   dL/dC_t += dL/dh_t ∘ o ∘ (1 − tanh² C_t)
      [compact: dL/dC_t += δo P_o];   df = dL/dC_t ∘ C_{t-1};  di = dL/dC_t ∘ G;  dG = dL/dC_t ∘ i
      δk = dk ∘ σ'(a_k) (δg = dG ∘ (1 − G²), or G(1 − G) for 002's sigmoid candidate)
      dL/dC_{t-1} = dL/dC_t ∘ f [+ δf P_f + δi P_i (+ δo P_o: 'peephole')]
      dL/dh_{t-1} = Σ_k δk W_k,  dL/dx_t = Σ_k δk U_k,
      dL/dW_k = Σ_t δk_tᵀ h_{t-1},  dL/dU_k = Σ_t δk_tᵀ x_t,  dL/db_k = Σ_t δk_t,
      dL/dP_k = Σ_t δk_tᵀ C_{t-1} (C_t for o in 'peephole_compact').

    Cites 000_0c41eef9689a3bf9.txt 'LSTM' backward-pass and parameter-pass (same in 001), and
    002_01ee91e524aebdaf.txt, 'Computing derivatives' and the deriv() routine. Slips found
    (each checked against finite differences in tests/test_recurrent_references.py):
      000/001 backward-pass, "dL/dC_t = dL/dC_{t+1} ∘ f_tᵀ + dL/dh_t ∘ (o_tᵀ diag(I −
        tanh(C_{t+1}) tanh(C_{t+1})ᵀ))": index slip — h_t = o_{t-1}∘tanh(C_t), so the h-path
        term is dL/dh_t ∘ o_{t-1} ∘ (1 − tanh²(C_t)); as written it uses o_t and C_{t+1};
      000/001 parameter-pass: one step's term, the Σ_t over time steps is left implicit;
      002 backward step "3. ∇_{C_t}L = ∇_{z25}L ∘ (1 − tanh²(C_t))ᵀ" uses "=": it overwrites
        the given dL/dC_t (the carry from step t+1); it must be "+=" (deriv() has "+=");
      002 deriv(), "# Derivative of eq. 29 o_t = σ(z_24): [dz25] += deriv(dot, z25,
        'sigmoid')": must be [dz24] += deriv(dot, z24, 'sigmoid') (z25 for z24, twice);
      002 deriv(), "# Derivative of eq. 11 z_10 = W_ix x_t: [dW_ix, dx_t] += deriv(dz_10,
        W_ix, x_t, '+')": the operator must be '*' (with '+', dW_ix = dx_t = dz_10);
      002 deriv(), "# Derivative of eq. 13 z_12 = z_11 + b_f": the bias is b_i (label only);
      002 backward steps "16./17." repeat steps 14./15. (∇b_C, ∇z15) verbatim, the steps
        ∇z13 = ∇z14 = ∇z15 are missing, and "20. ∇_{W_Ch}L = h_{t-1} ∇_{z14}L" must use
        ∇_{z13}L (index slip; step 21 has z13 right);
      002 forward: the candidate is tanh in the compact eq. 3 but σ in the separated eq. 3,
        step 19 and deriv(); o reads C_t in the compact eq. 5 but C_{t-1} in the separated
        eq. 5 and step 23 — the two forms 'peephole_compact' and 'peephole'.
    """
    x, h0, c0, p = _unpack(args, form)
    hs, cs, acts, tanh_c = _run(x, h0, c0, p, form)
    T = x.shape[0]
    gy, ghT, gcT = cotangents(cotangent, (hs[1:].shape, h0.shape, h0.shape), "lstm")
    i, f, g, o = (acts[k] for k in GATES)
    dg_da = g * (1.0 - g) if form == "peephole" else 1.0 - g ** 2
    delta = {k: np.empty_like(acts[k]) for k in GATES}
    W_all, U_all = stacked(p, "W"), stacked(p, "U")
    gx = np.empty_like(x)
    dh, dc = ghT.copy(), gcT.copy()
    for t in range(T - 1, -1, -1):
        dh = stored(dh + gy[t])
        delta["o"][t] = stored(stored(dh * tanh_c[t]) * o[t] * (1.0 - o[t]))
        dc = stored(dc + stored(dh * o[t] * (1.0 - tanh_c[t] ** 2)))
        if form == "peephole_compact":
            dc = stored(dc + stored(delta["o"][t] @ p["P_o"]))
        delta["f"][t] = stored(stored(dc * cs[t]) * f[t] * (1.0 - f[t]))
        delta["i"][t] = stored(stored(dc * g[t]) * i[t] * (1.0 - i[t]))
        delta["g"][t] = stored(stored(dc * i[t]) * dg_da[t])
        dc = stored(dc * f[t])
        if form.startswith("peephole"):
            dc = stored(dc + stored(delta["f"][t] @ p["P_f"]) + stored(delta["i"][t] @ p["P_i"]))
            if form == "peephole":
                dc = stored(dc + stored(delta["o"][t] @ p["P_o"]))
        d_t = np.concatenate([delta[k][t] for k in GATES], axis=-1)  # [δi δf δg δo]
        dh, gx[t] = stored(d_t @ W_all), d_t @ U_all  # Σ_k δk W_k, Σ_k δk U_k
    d_all = np.concatenate([delta[k] for k in GATES], axis=-1)
    grads = {"W": dict(zip(GATES, np.split(weight_grads(d_all, hs[:-1]), 4))),
             "U": dict(zip(GATES, np.split(weight_grads(d_all, x), 4)))}
    zero = np.zeros_like(p["b_i"])
    grads["b"] = {k: delta[k].sum(axis=(0, 1)) if form != "seed000" else zero for k in GATES}
    c_for = {"i": cs[:-1], "f": cs[:-1],
             "o": cs[1:] if form == "peephole_compact" else cs[:-1]}
    peep = form.startswith("peephole")
    grads["P"] = {k: weight_grads(delta[k], c_for[k]) if peep else np.zeros_like(p["P_i"])
                  for k in ("i", "f", "o")}
    params = tuple(grads[n[0]][n[2:]] for n in NAMES[3:])
    return (gx, dh, dc) + params
