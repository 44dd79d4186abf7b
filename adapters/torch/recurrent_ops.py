"""torch ops for the recurrent modules (000/001 'Reccurent modules', 002 LSTM, 003/004 GRU).

Native: the ATen ops behind ``torch.nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` (``torch.rnn_tanh``,
``torch.lstm``, ``torch.gru`` — what the modules' forward calls through ``_VF``) with packed
weights built from the canonical per-gate tensors, so autograd flows back to them; seq-first
input = the canonical (T, N, I) layout. (``torch.func.functional_call`` on an nn.LSTM works
eagerly, but building the module inside torch.compile's region does not.)
Every gate reorder and bias split for torch lives in this file:

* LSTM: weight_ih = [U_i; U_f; U_g; U_o] (4H, I), weight_hh = [W_i; ...] — torch's order
  i, f, g, o is the canonical order;
* GRU: torch order r, z, n; weight_ih = [U_r; U_z; U_n], weight_hh = [W_r; W_z; W_n];
* biases: torch adds b_ih + b_hh. The canonical single bias b_k is split exactly as
  b_ih = b_hh = b_k / 2 (halving is exact in binary floating point), so the canonical
  gradient is ½(∂/∂b_ih + ∂/∂b_hh) and a wrong gradient of either torch bias shows in
  grad:b_k. GRU's candidate has two distinct biases: bias_ih[n] = b_n, bias_hh[n] = b_hn.

Composed (no native torch layer): the 002 peephole LSTM forms (torch's LSTM has no
peepholes) and the reset-before GRU forms seed000/seed003/seed004 (torch's GRU is
reset-after only), and 004's softmax + cross-entropy head on its seed004 GRU: a Python
time loop over torch primitives, marked by ``composed()``.
"""

from __future__ import annotations

from typing import Any

from ..common import named_recurrent_params as _named

LSTM_GATES, GRU_GATES = ("i", "f", "g", "o"), ("r", "z", "n")
LSTM_NATIVE = ("seed000", "standard")


def composed(module: str, attrs) -> bool | None:
    form = attrs.get("form")
    if module == "lstm":
        return form not in LSTM_NATIVE
    if module == "gru":
        return form != "reset_after"
    if module == "gru_softmax_ce":
        return True
    return None


def build(torch) -> dict[str, Any]:
    F = torch.nn.functional

    def run(op, x, state, weights, bias):
        """The ATen recurrent op that nn.RNN / nn.LSTM / nn.GRU call (``_VF.<op>``), with
        flat weights [w_ih, w_hh(, b_ih, b_hh)]: one layer, no dropout, unidirectional,
        seq-first. Called directly (no module) so torch.compile can trace it too."""
        flat = list(weights) + (list(bias) if bias is not None else [])
        return getattr(torch, op)(x, state, flat, bias is not None, 1, 0.0, True, False, False)

    def simple_rnn(x, h0, W, U):
        y, hT = run("rnn_tanh", x, h0[None], (U, W), None)
        return y, hT[0]

    def lstm(x, h0, c0, *params, form="standard"):
        p = _named(params, LSTM_GATES, peep=True)
        if form not in LSTM_NATIVE:
            return _lstm_composed(torch, x, h0, c0, p, form)
        cat = lambda kind: torch.cat([p[f"{kind}_{k}"] for k in LSTM_GATES])  # noqa: E731
        bias = None
        if form == "standard":
            half = cat("b") / 2
            bias = (half, half)
        y, hT, cT = run("lstm", x, [h0[None], c0[None]], (cat("U"), cat("W")), bias)
        return y, hT[0], cT[0]

    def gru(x, h0, *params, form="reset_after"):
        p = _named(params, GRU_GATES, peep=False)
        if form != "reset_after":
            return _gru_composed(torch, x, h0, p, form)
        cat = lambda kind: torch.cat([p[f"{kind}_{k}"] for k in GRU_GATES])  # noqa: E731
        b_ih = torch.cat([p["b_r"] / 2, p["b_z"] / 2, p["b_n"]])
        b_hh = torch.cat([p["b_r"] / 2, p["b_z"] / 2, p["b_hn"]])
        y, hT = run("gru", x, h0[None], (cat("U"), cat("W")), (b_ih, b_hh))
        return y, hT[0]

    def gru_softmax_ce(x, h0, *params):
        *weights, targets = params
        p = _named(tuple(weights) + (None,), GRU_GATES, peep=False)
        y, _ = _gru_composed(torch, x, h0, p, "seed004")
        T, N, H = y.shape
        return F.cross_entropy(y.reshape(T * N, H), targets.reshape(T * N, H),
                               reduction="none").reshape(T, N)

    return {"simple_rnn": simple_rnn, "lstm": lstm, "gru": gru, "gru_softmax_ce": gru_softmax_ce}


def _lstm_composed(torch, x, h0, c0, p, form):
    """002 eqs. 1–6: f, i (and o in 'peephole') read C_{t-1}; o reads C_t in
    'peephole_compact'; the candidate is σ in 'peephole' (the 31 steps), tanh otherwise.
    The gates' matrices are stacked (canonical order i, f, g, o): a step is one matmul on h
    and one on C; the input projection of every step is one matmul up front."""
    g_act = torch.sigmoid if form == "peephole" else torch.tanh
    stack = lambda kind, gates: torch.cat([p[f"{kind}_{k}"] for k in gates])  # noqa: E731
    xu = x @ stack("U", "ifgo").T + stack("b", "ifgo")
    W, P = stack("W", "ifgo"), stack("P", "if")
    h, c, ys = h0, c0, []
    for t in range(x.shape[0]):
        i, f, g, o = (xu[t] + h @ W.T).chunk(4, dim=-1)
        pi, pf = (c @ P.T).chunk(2, dim=-1)
        c_new = torch.sigmoid(f + pf) * c + torch.sigmoid(i + pi) * g_act(g)
        o = torch.sigmoid(o + (c if form == "peephole" else c_new) @ p["P_o"].T)
        c = c_new
        h = o * torch.tanh(c)
        ys.append(h)
    return torch.stack(ys), h, c


def _gru_composed(torch, x, h0, p, form):
    """Reset before the matmul (000/003/004); z weights the candidate in seed000/seed004 and
    the old state in seed003; biases in seed004 only. Input projections up front."""
    stack = lambda kind: torch.cat([p[f"{kind}_{k}"] for k in "rzn"])  # noqa: E731
    xu = x @ stack("U").T
    if form == "seed004":
        xu = xu + stack("b")
    W_rz = torch.cat([p["W_r"], p["W_z"]])
    h, ys = h0, []
    for t in range(x.shape[0]):
        xr, xz, xn = xu[t].chunk(3, dim=-1)
        hr, hz = (h @ W_rz.T).chunk(2, dim=-1)
        r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
        n = torch.tanh(xn + (r * h) @ p["W_n"].T)
        h = z * h + (1 - z) * n if form == "seed003" else (1 - z) * h + z * n
        ys.append(h)
    return torch.stack(ys), h
