"""000 (same text in 001): 'Reccurent modules' — SimpleRNN, LSTM, GRU, backward and
parameter passes, over T ≥ 2 time steps (full BPTT), in the document's indices:
h_{t+1} = cell(h_t, x_t), t = 0..τ−1; the outputs are o_t / h_t for t = 1..τ.
Vectors are rows of a batch; the parameter passes are in numerator layout (the transpose
of the matrix's shape) and compared transposed.
"""

from __future__ import annotations

import numpy as np

from conformance.documents.claims import SEEDS
from conformance.documents.claims import Claim
from conformance.documents.claims import Program
from conformance.documents.claims import Reading
from conformance.documents.claims import TextErratum
from conformance.documents.claims import uniform

S0, S1 = SEEDS["000"], SEEDS["001"]
U1 = uniform(-1, 1)
RNN_DIMS = {"T": (2, 3), "N": (2, 2), "H": (2, 3), "D": (2, 3), "K": (2, 3)}
STEP_SUM = (Reading("Σ_t implied", "one step's term, summed over the time steps (SimpleRNN's "
                                   "parameter-pass writes the Σ_t)"),
            Reading("one step", "the term as printed, for one step (the last, t = τ−1)"))


def _sig(a):
    return 1 / (1 + np.exp(-a))


def _keep(w, key, t, T):
    """Whether step t's term of parameter line ``key`` counts (the 'one step' reading keeps
    only the last)."""
    return w.get(key) != "one step" or t == T - 1


# ------------------------------------------------------------------------------ SimpleRNN
def _rnn_states(x, h0, W, U):
    hs = [h0]
    for t in range(x.shape[0]):
        hs.append(np.tanh(hs[-1] @ W.T + x[t] @ U.T))
    return hs


def _rnn_forward(x, h0, W, U, V):
    hs = _rnn_states(x, h0, W, U)
    return (np.stack([h @ V.T for h in hs[1:]]),)


def _rnn_backward(cts, a, w):
    x, W, U, V = a["x"], a["W"], a["U"], a["V"]
    T = x.shape[0]
    hs = _rnn_states(x, a["h0"], W, U)
    do = [np.zeros((x.shape[1], V.shape[0]))] + list(cts[0])      # dL/do_t, t = 0..τ (o_0: none)
    gh = [None] * (T + 1)
    gh[T] = do[T] @ V                                              # dL/dh_τ = dL/do_τ V
    for t in range(T - 1, -1, -1):                                 # dL/dh_t
        gh[t] = do[t] @ V + (gh[t + 1] * (1 - hs[t + 1] ** 2)) @ W
    if "dW" in w:   # Σ_t h_t dL/dh_t diag(I − h_t h_tᵀ), t = 1..τ
        dW = sum(hs[t].T @ (gh[t] * (1 - hs[t] ** 2)) for t in range(1, T + 1)).T
    else:
        dW = sum((gh[t + 1] * (1 - hs[t + 1] ** 2)).T @ hs[t] for t in range(T))
    if "dU" in w:   # Σ_t x_t dL/dh_t diag(I − h_t h_tᵀ), t = 0..τ−1 (where x_t exists)
        dU = sum(x[t].T @ (gh[t] * (1 - hs[t] ** 2)) for t in range(T)).T
    else:
        dU = sum((gh[t + 1] * (1 - hs[t + 1] ** 2)).T @ x[t] for t in range(T))
    r = w.get("dV")
    if r is not None:  # Σ_t x_t dL/do_t: x_t is D-dimensional where V needs H
        if x.shape[2] != V.shape[1]:
            raise ValueError(f"x_t dL/do_t is {x.shape[2]}×{V.shape[0]}, V is {V.shape}")
        pairs = ([(t, t) for t in range(1, T)] if r == "x_t, t = 1..τ−1"
                 else [(t - 1, t) for t in range(1, T + 1)])
        dV = sum(x[i].T @ do[t] for i, t in pairs).T
    else:
        dV = sum(do[t].T @ hs[t] for t in range(1, T + 1))
    return {"h0": gh[0], "W": dW, "U": dU, "V": dV}


RNN = Program("simple_rnn", _rnn_forward, _rnn_backward,
              {"x": (("T", "N", "D"), U1), "h0": (("N", "H"), U1), "W": (("H", "H"), U1),
               "U": (("H", "D"), U1), "V": (("K", "H"), U1)}, RNN_DIMS, ("h0", "W", "U", "V"))


# ------------------------------------------------------------------------------ LSTM
GATES = ("f", "i", "o", "g")


def _lstm_states(x, h0, c0, P):
    hs, cs, acts = [h0], [c0], []
    for t in range(x.shape[0]):
        a = {k: hs[-1] @ P["W" + k].T + x[t] @ P["U" + k].T for k in GATES}
        f, i, o, G = _sig(a["f"]), _sig(a["i"]), _sig(a["o"]), np.tanh(a["g"])
        cs.append(f * cs[-1] + i * G)
        hs.append(o * np.tanh(cs[-1]))
        acts.append({"f": f, "i": i, "o": o, "g": G})
    return hs, cs, acts


def _lstm_params(a):
    return {k: a[k] for k in a if k[0] in "WU"}


def _lstm_forward(**a):
    hs, cs, _ = _lstm_states(a["x"], a["h0"], a["c0"], _lstm_params(a))
    return (np.stack(hs[1:]), cs[-1])


def _lstm_backward(cts, a, w):
    x, P = a["x"], _lstm_params(a)
    T = x.shape[0]
    hs, cs, g = _lstm_states(x, a["h0"], a["c0"], P)
    th = [np.tanh(c) for c in cs]
    ct_h = [np.zeros_like(hs[0])] + list(cts[0])                   # dL_t/dh_t
    gh = [None] * (T + 1)
    gC = [None] * (T + 1)
    gh[T] = ct_h[T]
    # dL/dC_τ: the given cotangent and the h-path of h_τ = o_{τ−1} ⊙ tanh(C_τ) (the line's
    # formula has no instance at t = τ — f_τ, o_τ do not exist — so it is not applied there)
    gC[T] = cts[1] + gh[T] * g[T - 1]["o"] * (1 - th[T] ** 2)
    grads = {k: np.zeros_like(v) for k, v in P.items()}
    dx = np.zeros_like(x)
    for t in range(T - 1, -1, -1):
        f, i, o, G = (g[t][k] for k in GATES)
        d = {"o": gh[t + 1] * th[t + 1],            # dL/do_t = dL/dh_{t+1} ⊙ tanh(C_{t+1})
             "g": gC[t + 1] * i,                    # dL/dG_t = dL/dC_{t+1} ⊙ i_t
             "f": gC[t + 1] * cs[t],                # dL/df_t = dL/dC_{t+1} ⊙ C_t
             "i": gC[t + 1] * G}                    # dL/di_t = dL/dC_{t+1} ⊙ G_t
        if "do" in w:
            d["o"] = gh[t + 1] * th[t + 1]
        if "dG" in w:
            d["g"] = gC[t + 1] * i
        if "df" in w:
            d["f"] = gC[t + 1] * cs[t]
        if "di" in w:
            d["i"] = gC[t + 1] * G
        delta = {"g": d["g"] * (1 - G ** 2), "f": d["f"] * f * (1 - f),
                 "i": d["i"] * i * (1 - i), "o": d["o"] * o * (1 - o)}
        gh[t] = sum(delta[k] @ P["W" + k] for k in GATES) + ct_h[t]
        dx[t] = sum(delta[k] @ P["U" + k] for k in GATES)
        if "dC" in w:   # dL/dC_{t+1} ⊙ f_t + dL/dh_t ⊙ (o_t diag(I − tanh(C_{t+1}) tanh(C_{t+1})ᵀ))
            gC[t] = gC[t + 1] * f + gh[t] * o * (1 - th[t + 1] ** 2)
        else:           # the h-path of C_t is h_t = o_{t−1} ⊙ tanh(C_t)
            gC[t] = gC[t + 1] * f + (gh[t] * g[t - 1]["o"] * (1 - th[t] ** 2) if t else 0)
        for k in GATES:
            if _keep(w, "dW" + k, t, T):
                grads["W" + k] += delta[k].T @ hs[t]        # (h_t δ_k)ᵀ
            if _keep(w, "dU" + k, t, T):
                grads["U" + k] += delta[k].T @ x[t]
    return {"x": dx, "h0": gh[0], "c0": gC[0], **grads}


LSTM_ARGS = {"x": (("T", "N", "D"), U1), "h0": (("N", "H"), U1), "c0": (("N", "H"), U1),
             **{f"W{k}": (("H", "H"), U1) for k in GATES},
             **{f"U{k}": (("H", "D"), U1) for k in GATES}}
LSTM = Program("lstm", _lstm_forward, _lstm_backward, LSTM_ARGS,
               {"T": (2, 3), "N": (2, 2), "H": (2, 3), "D": (2, 3)}, tuple(LSTM_ARGS))


# ------------------------------------------------------------------------------ GRU
def _gru_states(x, h0, P, outside=False):
    """outside: the other reading of 'W_c r_t ⊙ h_t', (W_c r_t) ⊙ h_t."""
    hs, acts = [h0], []
    for t in range(x.shape[0]):
        h = hs[-1]
        z = _sig(h @ P["Wz"].T + x[t] @ P["Uz"].T)
        r = _sig(h @ P["Wr"].T + x[t] @ P["Ur"].T)
        c = np.tanh(((r @ P["Wc"].T) * h if outside else (r * h) @ P["Wc"].T) + x[t] @ P["Uc"].T)
        hs.append((1 - z) * h + z * c)
        acts.append((z, r, c))
    return hs, acts


def _gru_forward(**a):
    hs, _ = _gru_states(a["x"], a["h0"], _lstm_params(a))
    return (np.stack(hs[1:]),)


def _gru_forward_outside(**a):
    hs, _ = _gru_states(a["x"], a["h0"], _lstm_params(a), outside=True)
    return (np.stack(hs[1:]),)


def _gru_backward_outside(cts, a, w):
    """Under the forward (W_c r_t) ⊙ h_t: the printed backward ('doc' as written) or that
    forward's own derivative."""
    if "doc" in w:
        x, P = a["x"], _lstm_params(a)
        hs, acts = _gru_states(x, a["h0"], P, outside=True)
        return _gru_backward_from(cts, a, w, hs, acts)
    return _gru_backward_from(cts, a, w, *_gru_states(a["x"], a["h0"], _lstm_params(a), True),
                              outside=True)


def _gru_backward(cts, a, w):
    return _gru_backward_from(cts, a, w, *_gru_states(a["x"], a["h0"], _lstm_params(a)))


def _gru_backward_from(cts, a, w, hs, acts, outside=False):
    x, P = a["x"], _lstm_params(a)
    T = x.shape[0]
    ct_h = [np.zeros_like(hs[0])] + list(cts[0])
    gh = [None] * (T + 1)
    gh[T] = ct_h[T]
    grads = {k: np.zeros_like(v) for k, v in P.items()}
    dx = np.zeros_like(x)
    for t in range(T - 1, -1, -1):
        z, r, c = acts[t]
        h = hs[t]
        dz = gh[t + 1] * (c - h)                      # dL/dz_t = dL/dh_{t+1} ⊙ (c_t − h_t)
        dc = gh[t + 1] * z                            # dL/dc_t = dL/dh_{t+1} ⊙ z_t
        dc_pre = dc * (1 - c ** 2)
        if outside:   # c = tanh((W_c r) ⊙ h + U_c x)
            dr = (dc_pre * h) @ P["Wc"]
            via_c = dc_pre * (r @ P["Wc"].T)
        else:
            dr = (dc_pre @ P["Wc"]) * h               # dL/dr_t = dL/dc_t diag(I − c cᵀ) W_c ⊙ h_t
            via_c = (dc_pre @ P["Wc"]) * r
        dz_pre, dr_pre = dz * z * (1 - z), dr * r * (1 - r)
        gh[t] = (dz_pre @ P["Wz"] + dr_pre @ P["Wr"] + via_c
                 + gh[t + 1] * (1 - z) + ct_h[t])
        dx[t] = dz_pre @ P["Uz"] + dr_pre @ P["Ur"] + dc_pre @ P["Uc"]
        wc = (dc_pre * h, r) if outside else (dc_pre, r * h)
        for key, delta, inp in (("Wz", dz_pre, h), ("Wr", dr_pre, h), ("Wc", *wc),
                                ("Uz", dz_pre, x[t]), ("Ur", dr_pre, x[t]), ("Uc", dc_pre, x[t])):
            if _keep(w, "d" + key, t, T):
                grads[key] += delta.T @ inp
    return {"x": dx, "h0": gh[0], **grads}


GRU_ARGS = {"x": (("T", "N", "D"), U1), "h0": (("N", "H"), U1),
            **{f"W{k}": (("H", "H"), U1) for k in "zrc"},
            **{f"U{k}": (("H", "D"), U1) for k in "zrc"}}
GRU = Program("gru", _gru_forward, _gru_backward, GRU_ARGS,
              {"T": (2, 3), "N": (2, 2), "H": (2, 3), "D": (2, 3)}, tuple(GRU_ARGS),
              note="c_t = tanh(W_c (r_t ⊙ h_t) + U_c x_t): 'W_c r_t ⊙ h_t' read as W_c (r_t ⊙ h_t), "
                   "the reading the backward's W_c ⊙ r_tᵀ and parameter-pass (r_t ⊙ h_t) use")


GRU_OUTSIDE = Program("gru-outside", _gru_forward_outside, _gru_backward_outside, GRU_ARGS,
                      GRU.dims, GRU.wrt)


def _c(id, where, quote, as_written, corrected, program, line, readings=None, **kw):
    return Claim(id=id, seed=S0, also=(S1,), where=where, quote=quote, as_written=as_written,
                 corrected=corrected, program=program, line=line,
                 readings=readings or (Reading("as written"),), **kw)


R, L, G = "'SimpleRNN'", "'LSTM'", "'GRU'"
CLAIMS = (
    _c("000-rnn-dh", f"{R}, backward-pass",
       r"\frac{\partial{L}}{\partial{\vec{h}_t}}=\frac{\partial{L}}{\partial{\vec{o}_t}}V+\frac{\partial{L}}{\partial{\vec{h}_{t+1}}}diag(I-\vec{h}_{t+1}\vec{h}_{t+1}^T)W",
       "∂L/∂h_t = ∂L/∂o_t V + ∂L/∂h_{t+1} diag(I − h_{t+1}h_{t+1}ᵀ) W", "same", RNN, "dh"),
    _c("000-rnn-dh-tau", f"{R}, backward-pass, last step",
       r"\frac{\partial{L}}{\partial{\vec{h}_\tau}}=\frac{\partial{L}}{\partial{\vec{o}_\tau}}V",
       "∂L/∂h_τ = ∂L/∂o_τ V", "same", RNN, "dh_tau"),
    _c("000-rnn-dW", f"{R}, parameter-pass",
       r"\frac{\partial{L}}{\partial{W}}&=\sum\limits_t\vec{h}_t\frac{\partial{L}}{\partial{\vec{h}_t}}diag(I-\vec{h}_t\vec{h}_t^T)",
       "∂L/∂W = Σ_t h_t ∂L/∂h_t diag(I − h_t h_tᵀ)",
       "∂L/∂W = Σ_t h_t ∂L/∂h_{t+1} diag(I − h_{t+1}h_{t+1}ᵀ) (W h_t feeds h_{t+1})", RNN, "dW",
       module="simple_rnn", check="grad:W"),
    _c("000-rnn-dU", f"{R}, parameter-pass",
       r"\frac{\partial{L}}{\partial{U}}&=\sum\limits_t\vec{x}_t\frac{\partial{L}}{\partial{\vec{h}_t}}diag(I-\vec{h}_t\vec{h}_t^T)",
       "∂L/∂U = Σ_t x_t ∂L/∂h_t diag(I − h_t h_tᵀ)",
       "∂L/∂U = Σ_t x_t ∂L/∂h_{t+1} diag(I − h_{t+1}h_{t+1}ᵀ)", RNN, "dU",
       module="simple_rnn", check="grad:U"),
    _c("000-rnn-dV", f"{R}, parameter-pass",
       r"\frac{\partial{L}}{\partial{V}}&=\sum\limits_t\vec{x}_t\frac{\partial{L}}{\partial{\vec{o}_t}}",
       "∂L/∂V = Σ_t x_t ∂L/∂o_t", "∂L/∂V = Σ_t h_t ∂L/∂o_t (o_t = V h_t)", RNN, "dV",
       readings=(Reading("x_t, t = 1..τ−1", "x_t paired with o_t where both exist"),
                 Reading("x_{t−1}", "the input of the step that produced h_t")),
       note="evaluable only where the input and hidden sizes agree (x_t must stand in for h_t)"),
    _c("000-lstm-dh", f"{L}, backward-pass", r"W_o+\frac{\partial{L_t}}{\partial{\vec{h}_t}}\\",
       "∂L/∂h_t = ∂L/∂G_t diag(I − G_tG_tᵀ) W_g + ∂L/∂i_t diag(i_t(1−i_t)ᵀ) W_i + ∂L/∂f_t diag(f_t(1−f_t)ᵀ) W_f + ∂L/∂o_t diag(o_t(1−o_t)ᵀ) W_o + ∂L_t/∂h_t",
       "same", LSTM, "dh"),
    _c("000-lstm-dx", f"{L}, backward-pass", r"diag(\vec{o}_t(\vec{1}-\vec{o}_t)^T)U_o\\",
       "∂L/∂x_t = ∂L/∂G_t diag(I − G_tG_tᵀ) U_g + … + ∂L/∂o_t diag(o_t(1−o_t)ᵀ) U_o", "same",
       LSTM, "dx"),
    _c("000-lstm-dC", f"{L}, backward-pass",
       r"\frac{\partial{L}}{\partial{\vec{C}_t}}&=\frac{\partial{L}}{\partial{\vec{C}_{t+1}}}\odot\vec{f}_t^T+\frac{\partial{L}}{\partial{\vec{h}_t}}\odot(\vec{o}_t^Tdiag(I-tanh(\vec{C}_{t+1})tanh(\vec{C}_{t+1}^T)))",
       "∂L/∂C_t = ∂L/∂C_{t+1} ⊙ f_tᵀ + ∂L/∂h_t ⊙ (o_tᵀ diag(I − tanh(C_{t+1}) tanh(C_{t+1})ᵀ))",
       "∂L/∂C_t = ∂L/∂C_{t+1} ⊙ f_t + ∂L/∂h_t ⊙ o_{t−1} ⊙ (1 − tanh²(C_t)) (h_t = o_{t−1} ⊙ tanh(C_t))",
       LSTM, "dC", module="lstm", check="grad:c0", variants=("form=seed000",)),
    _c("000-lstm-dG", f"{L}, backward-pass", r"\frac{\partial{L}}{\partial{\vec{G}_t}}&=\frac{\partial{L}}{\partial{\vec{C}_{t+1}}}\odot\vec{i}_t",
       "∂L/∂G_t = ∂L/∂C_{t+1} ⊙ i_t", "same", LSTM, "dG"),
    _c("000-lstm-df", f"{L}, backward-pass", r"\frac{\partial{L}}{\partial{\vec{f}_t}}=\frac{\partial{L}}{\partial{\vec{C}_{t+1}}}\odot\vec{C}_t",
       "∂L/∂f_t = ∂L/∂C_{t+1} ⊙ C_t", "same", LSTM, "df"),
    _c("000-lstm-di", f"{L}, backward-pass", r"\frac{\partial{L}}{\partial{\vec{i}_t}}=\frac{\partial{L}}{\partial{\vec{C}_{t+1}}}\odot\vec{G}_t",
       "∂L/∂i_t = ∂L/∂C_{t+1} ⊙ G_t", "same", LSTM, "di"),
    _c("000-lstm-do", f"{L}, backward-pass", r"\frac{\partial{L}}{\partial{\vec{o}_t}}=\frac{\partial{L}}{\partial{\vec{h}_{t+1}}}\odot{tanh(\vec{C}_{t+1})}",
       "∂L/∂o_t = ∂L/∂h_{t+1} ⊙ tanh(C_{t+1})", "same", LSTM, "do"),
    *(_c(f"000-lstm-d{m}{k}", f"{L}, parameter-pass",
         (rf"\frac{{\partial{{L}}}}{{\partial{{{m}_{k}}}}}"),
         f"∂L/∂{m}_{k} = {'h_t' if m == 'W' else 'x_t'} ∂L/∂{ {'g': 'G', 'f': 'f', 'i': 'i', 'o': 'o'}[k]}_t diag(…)",
         "Σ_t of the per-step term", LSTM, f"d{m}{k}", readings=STEP_SUM)
      for k in GATES for m in "WU"),
    _c("000-gru-dh", f"{G}, backward-pass",
       r"+\frac{\partial{L}}{\partial{\vec{h}_{t+1}}}\odot(\vec{1}-\vec{z}_t)^T+\frac{\partial{L_t}}{\partial{\vec{h}}_t}",
       "∂L/∂h_t = ∂L/∂z_t diag(z_t(1−z_t)ᵀ) W_z + ∂L/∂r_t diag(r_t(1−r_t)ᵀ) W_r + ∂L/∂c_t diag(I − c_tc_tᵀ) W_c ⊙ r_tᵀ + ∂L/∂h_{t+1} ⊙ (1 − z_t)ᵀ + ∂L_t/∂h_t",
       "same", GRU, "dh"),
    _c("000-gru-forward-reading", f"{G}, forward-pass, cell state, with the backward and "
                                  "parameter passes as printed",
       r"\vec{c}_t=tanh(W_c\vec{r}_t\odot\vec{h}_t+U_c\vec{x}_t)",
       "c_t = tanh(W_c r_t ⊙ h_t + U_c x_t); the printed backward and parameter passes",
       "read W_c (r_t ⊙ h_t): the printed backward is the derivative of that reading only",
       GRU, "doc",
       readings=(Reading("W_c (r_t ⊙ h_t)", "the reset gate applied before the matrix"),
                 Reading("(W_c r_t) ⊙ h_t", "the matrix applied to r_t, then ⊙ h_t",
                         program=GRU_OUTSIDE))),
    _c("000-gru-dx", f"{G}, backward-pass", r"diag(I-\vec{c}_t\vec{c}_t^T)U_c\\",
       "∂L/∂x_t = ∂L/∂z_t diag(z_t(1−z_t)ᵀ) U_z + ∂L/∂r_t diag(r_t(1−r_t)ᵀ) U_r + ∂L/∂c_t diag(I − c_tc_tᵀ) U_c",
       "same", GRU, "dx"),
    _c("000-gru-dz", f"{G}, backward-pass", r"\odot{(\vec{c}_t-\vec{h}_t)^T",
       "∂L/∂z_t = ∂L/∂h_{t+1} ⊙ (c_t − h_t)ᵀ", "same", GRU, "dz"),
    _c("000-gru-dc", f"{G}, backward-pass", r"\frac{\partial{L}}{\partial{\vec{c}_t}}=\frac{\partial{L}}{\partial{\vec{h}_{t+1}}}\odot\vec{z}_t",
       "∂L/∂c_t = ∂L/∂h_{t+1} ⊙ z_t", "same", GRU, "dc"),
    _c("000-gru-dr", f"{G}, backward-pass", r"diag(I-\vec{c}_t\vec{c}_t^T)Wc\odot\vec{h}_t^T",
       "∂L/∂r_t = ∂L/∂c_t diag(I − c_tc_tᵀ) W_c ⊙ h_tᵀ", "same", GRU, "dr"),
    *(_c(f"000-gru-d{m}{k}", f"{G}, parameter-pass", rf"\frac{{\partial{{L}}}}{{\partial{{{m}_{k}}}}}",
         f"∂L/∂{m}_{k} = {('(r_t ⊙ h_t)' if k == 'c' else 'h_t') if m == 'W' else 'x_t'} ∂L/∂{k}_t diag(…)",
         "Σ_t of the per-step term", GRU, f"d{m}{k}", readings=STEP_SUM)
      for k in "zrc" for m in "WU"),
)

TEXT_ERRATA = (
    TextErratum("000-gru-staet", S0, f"{G}, forward-pass", r"\text{hidden staet: }",
                "'staet' for 'state' (same in 001)"),
    TextErratum("000-gru-Wc", S0, f"{G}, backward-pass, ∂L/∂r_t", r"Wc\odot\vec{h}_t^T",
                "'Wc' for W_c (subscript lost; same in 001)"),
    TextErratum("000-reccurent", S0, "heading 'Reccurent modules'", "#### Reccurent modules",
                "'Reccurent' for 'Recurrent' (same in 001)"),
)
