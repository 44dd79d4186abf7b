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

Compiled mode compiles one time step, not the sequence (``adapters.common.stepwise``): the
ops take ``compile_step`` and run their loop over T outside the compiled step. Compiling
the whole sequence unrolls the loop (torch's own decomposition of ``aten.lstm`` unrolls it
too), so every drawn T was a new program: with T drawn from 1–64 the full profile
recompiled per example (over 5 minutes an example at T = 40 under load). A step — the
ATen op on one time step for the native forms, the composed cell's equations for the
others, the input projection included — is the same program for every T, forward and
backward (AOTAutograd), which is what a user who compiles a cell runs. Eager mode is
unchanged: the native op over the whole sequence, the composed loop over the plain step.
"""

from __future__ import annotations

from typing import Any

from ..common import named_recurrent_params as _named
from ..common import stepwise

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

    def native(op, x, state, flat):
        """The ATen recurrent op that nn.RNN / nn.LSTM / nn.GRU call (``_VF.<op>``), with
        flat weights [w_ih, w_hh(, b_ih, b_hh)]: one layer, no dropout, unidirectional,
        seq-first. Called directly (no module) so torch.compile can trace it too."""
        return getattr(torch, op)(x, state, list(flat), len(flat) == 4, 1, 0.0, True, False, False)

    def run(op, x, state, weights, bias, compile_step):
        """The native op over the sequence: in one call (eager), or one compiled call per
        time step, the state carried from step to step (compiled)."""
        flat = tuple(weights) + (tuple(bias) if bias is not None else ())
        if compile_step is None:
            return native(op, x, state, flat)
        step, ys = compile_step(native), []
        for t in range(x.shape[0]):
            y, *last = step(op, x[t:t + 1], state, flat)
            state = last if op == "lstm" else last[0]
            ys.append(y)
        return (torch.cat(ys), *last)

    @stepwise
    def simple_rnn(x, h0, W, U, compile_step=None):
        y, hT = run("rnn_tanh", x, h0[None], (U, W), None, compile_step)
        return y, hT[0]

    @stepwise
    def lstm(x, h0, c0, *params, form="standard", compile_step=None):
        p = _named(params, LSTM_GATES, peep=True)
        if form not in LSTM_NATIVE:
            return _lstm_composed(torch, x, h0, c0, p, form, compile_step)
        cat = lambda kind: torch.cat([p[f"{kind}_{k}"] for k in LSTM_GATES])  # noqa: E731
        bias = None
        if form == "standard":
            half = cat("b") / 2
            bias = (half, half)
        y, hT, cT = run("lstm", x, [h0[None], c0[None]], (cat("U"), cat("W")), bias, compile_step)
        return y, hT[0], cT[0]

    @stepwise
    def gru(x, h0, *params, form="reset_after", compile_step=None):
        p = _named(params, GRU_GATES, peep=False)
        if form != "reset_after":
            return _gru_composed(torch, x, h0, p, form, compile_step)
        cat = lambda kind: torch.cat([p[f"{kind}_{k}"] for k in GRU_GATES])  # noqa: E731
        b_ih = torch.cat([p["b_r"] / 2, p["b_z"] / 2, p["b_n"]])
        b_hh = torch.cat([p["b_r"] / 2, p["b_z"] / 2, p["b_hn"]])
        y, hT = run("gru", x, h0[None], (cat("U"), cat("W")), (b_ih, b_hh), compile_step)
        return y, hT[0]

    def head(y, targets):
        T, N, H = y.shape
        return F.cross_entropy(y.reshape(T * N, H), targets.reshape(T * N, H),
                               reduction="none").reshape(T, N)

    @stepwise
    def gru_softmax_ce(x, h0, *params, compile_step=None):
        *weights, targets = params
        p = _named(tuple(weights) + (None,), GRU_GATES, peep=False)
        y, _ = _gru_composed(torch, x, h0, p, "seed004", compile_step)
        return (head if compile_step is None else compile_step(head))(y, targets)

    return {"simple_rnn": simple_rnn, "lstm": lstm, "gru": gru, "gru_softmax_ce": gru_softmax_ce}


def _over_time(torch, step, compile_step, x, state, *weights):
    """``step(x_t, *state, *weights) -> state`` over t = 0 … T-1 (compiled when asked);
    the outputs are the first state entry of every step, stacked, and the last state."""
    step = step if compile_step is None else compile_step(step)
    ys = []
    for t in range(x.shape[0]):
        state = step(x[t], *state, *weights)
        ys.append(state[0])
    return (torch.stack(ys), *state)


def _lstm_step(x_t, h, c, U, b, W, P, P_o, form):
    """One step of 002 eqs. 1–6: f, i (and o in 'peephole') read C_{t-1}; o reads C_t in
    'peephole_compact'; the candidate is σ in 'peephole' (the 31 steps), tanh otherwise.
    The gates' matrices are stacked (canonical order i, f, g, o): one matmul on x_t, one on
    h and one on C. Tensor methods only: the step is the same function for eager and
    compiled mode."""
    i, f, g, o = (x_t @ U.T + b + h @ W.T).chunk(4, dim=-1)
    pi, pf = (c @ P.T).chunk(2, dim=-1)
    g = g.sigmoid() if form == "peephole" else g.tanh()
    c_new = (f + pf).sigmoid() * c + (i + pi).sigmoid() * g
    o = (o + (c if form == "peephole" else c_new) @ P_o.T).sigmoid()
    return o * c_new.tanh(), c_new


def _lstm_composed(torch, x, h0, c0, p, form, compile_step=None):
    stack = lambda kind, gates: torch.cat([p[f"{kind}_{k}"] for k in gates])  # noqa: E731
    return _over_time(torch, _lstm_step, compile_step, x, (h0, c0), stack("U", "ifgo"),
                      stack("b", "ifgo"), stack("W", "ifgo"), stack("P", "if"), p["P_o"], form)


def _gru_step(x_t, h, U, b, W_rz, W_n, form):
    """One step, reset before the matmul (000/003/004); z weights the candidate in
    seed000/seed004 and the old state in seed003; biases in seed004 only (b is None
    otherwise)."""
    xu = x_t @ U.T if b is None else x_t @ U.T + b
    xr, xz, xn = xu.chunk(3, dim=-1)
    hr, hz = (h @ W_rz.T).chunk(2, dim=-1)
    r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
    n = (xn + (r * h) @ W_n.T).tanh()
    return (z * h + (1 - z) * n if form == "seed003" else (1 - z) * h + z * n,)


def _gru_composed(torch, x, h0, p, form, compile_step=None):
    stack = lambda kind: torch.cat([p[f"{kind}_{k}"] for k in "rzn"])  # noqa: E731
    b = stack("b") if form == "seed004" else None
    return _over_time(torch, _gru_step, compile_step, x, (h0,), stack("U"), b,
                      torch.cat([p["W_r"], p["W_z"]]), p["W_n"], form)
