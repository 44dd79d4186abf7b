"""Specs of the recurrent modules: SimpleRNN, LSTM and GRU with full BPTT, in every
documented convention (000/001 'Reccurent modules', 002's peephole LSTM, 003/004's GRUs).

Layout (see references/recurrent_common.py): x (T, N, I) time-major, h0/c0 (N, H),
per-gate W_k (H, H), U_k (H, I), b_k (H,); outputs y = h_1..h_T (T, N, H), h_T[, c_T], each
with its own cotangent, so both BPTT paths (through y and through the final state) run.
The convention is the variant's ``form`` attribute; a form without biases / peepholes gets
those arguments as ``Absent`` (zeros) and their gradient must be exactly zero (one argument
list per module is all the data model allows).

Value domains: x, h0, c0 uniform in [-1, 1]; matrices uniform in ±1/√fan_in (torch's
initialisation), biases in [-0.5, 0.5]. This keeps the step Jacobian's norm near 1, so the
problem stays well conditioned up to T = 64 and the tolerance measures the framework's
arithmetic, not an exploding recurrence.

Tolerance model (error growth over T). Each step rounds a matmul of length H + I (+ H for
peepholes) and a few elementwise ops: a fresh error of about (H + I + d)·u relative to the
step's magnitudes, carried forward (and backward) through the step Jacobian J_t. With
‖J_t‖ ≲ ρ the accumulated error after T steps is e(T) ≈ c·u·Σ_{k<T} ρ^k ≤ c·u·T for ρ ≤ 1.
The outputs stay O(1) (tanh, gates), so the forward ratio stays flat in T. A parameter
gradient is a sum of T·N per-step terms of either sign: its rounding error scales with
Σ|terms| while the tolerance scales with |Σ terms| (``Tolerance`` only sees the result), so
cancellation can inflate the ratio by up to ~√(T·N), and a recurrence that amplifies
(ρ > 1 locally: 002's sigmoid-candidate peephole form lets C_t drift and feed back through
P_f C_t) adds its own factor.
Measured (float32 framework vs float64 reference on the same float32 inputs, N=3, I=5, H=8,
T ∈ {1, 2, 4, 8, 16, 32, 48, 64}, 6 examples per T per form, every module and form; worst
err_i / (u·(|e_i| + max|e|)) over all elements and checks):
    forward   torch ≤ 1.5, tensorflow ≤ 2.5, jax ≤ 1.7 — flat in T;
    gradients typical worst 3–6 at every T (slow growth), outliers only at T = 64 in
              lstm[form=peephole]: torch 14.7 (grad:P_f), tensorflow 31.6 (grad:b_g), where
              the float64 reference itself moves by 4.4 such units when its inputs are
              perturbed by half an ulp (an ill-conditioned example, not a framework error);
    float64   (T ∈ {1, 16, 64}, 4 examples): forward ≤ 1.9, gradients ≤ 17.5 (the same
              peephole T = 64 examples) in units of float64's u.
Smallest shapes: N, H >= 2, so every output has at least 4 elements at T = 1. With
N = H = 1 an output is one element, max|e| = |e|, and a pre-activation that cancels
(W h + U x ≈ 0 while |W h|, |U x| ~ 0.5) leaves a correctly rounded float32 result with a
relative error the |e|-based tolerance cannot bound: seen in 2 of 20 seeds (torch
simple_rnn float32 forward:y, got -3.415048e-4 vs -3.414940e-4, abs err 1.1e-8 ≈ u·|U x|,
ratio 8.3; torch lstm[form=peephole_compact] float64, ratio 1.26). The error model needs
the magnitude of the summands (Σ|terms|), which ``Tolerance`` cannot see; with >= 4
elements the max|e| term covers it (H = 1 for the softmax head also makes J ≡ 0).
Tolerance = the worst measurement rounded up, ×4 for the tail: forward 16, gradients 128,
fixed at the range's worst case T = 64 because ``Tolerance`` takes fixed ulps. A tolerance
tracking the model (e.g. grad ulps = a + b·√(T·N), or scaled by Σ|terms| which the reference
could return) needs ``Tolerance`` to accept a callable of the drawn dims (or an error-scale
array from the reference).
"""

from __future__ import annotations

from conformance.model.domains import Absent, FanIn, Simplex, Uniform
from conformance.model.spec import CONST, MATMUL, PARAM, Arg, Citation, ModuleSpec, Tolerance, Variant
from conformance.specs.common import LONG, SHORT

P002, P003, P004 = "002_01ee91e524aebdaf.txt", "003_82e7ef9d31dc8d93.txt", "004_48320439d88c2957.txt"
SEQ, STATE = ("T", "N", "I"), ("N", "H")
REC, INP, VEC = ("H", "H"), ("H", "I"), ("H",)
UNIT, MATRIX, BIAS = Uniform(-1.0, 1.0), FanIn(1.0), Uniform(-0.5, 0.5)
T_MAX = 64

# Fixed at T = T_MAX (see the module docstring): measured worst forward 2.5, gradient 31.6.
RECURRENT_TOL = Tolerance(forward=16, grad=128)


def sequences(_attrs):
    """N, H >= 2 (see the module docstring, 'Smallest shapes'); the quick pool draws
    T = 1, 64 and 33 (with N = 2, 4, 3; I = 1, 5, 3; H = 2, 8, 5)."""
    return {"T": (1, T_MAX), "N": (2, 4), "I": (1, 5), "H": (2, 8)}


def _cite(seed, where):
    return Citation(seed, where)


def _rows(section):
    return (_cite(SHORT, f"'Reccurent modules', '{section}'"),
            _cite(LONG, f"'Reccurent modules', '{section}'"))


def _params(gates, kinds, extra=()):
    domains = {"W": MATRIX, "U": MATRIX, "b": BIAS, "P": MATRIX}
    shapes = {"W": REC, "U": INP, "b": VEC, "P": REC}
    out = [Arg(f"{kind}_{k}", shapes[kind], domains[kind], PARAM) for kind in kinds for k in gates]
    return tuple(out) + tuple(extra)


def _absent(names):
    return {n: Absent() for n in names}


LSTM_GATES, GRU_GATES = ("i", "f", "g", "o"), ("r", "z", "n")
LSTM_BIASES = tuple(f"b_{k}" for k in LSTM_GATES)
PEEPHOLES = ("P_i", "P_f", "P_o")
GRU_BIASES = tuple(f"b_{k}" for k in GRU_GATES) + ("b_hn",)

LSTM_ARGS = ((Arg("x", SEQ, UNIT), Arg("h0", STATE, UNIT), Arg("c0", STATE, UNIT))
             + _params(LSTM_GATES, "WUb")
             + tuple(Arg(n, REC, MATRIX, PARAM) for n in PEEPHOLES))
GRU_ARGS = ((Arg("x", SEQ, UNIT), Arg("h0", STATE, UNIT))
            + _params(GRU_GATES, "WUb", (Arg("b_hn", VEC, BIAS, PARAM),)))

SPECS: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "simple_rnn", "recurrent",
        (Arg("x", SEQ, UNIT), Arg("h0", STATE, UNIT), Arg("W", REC, MATRIX, PARAM),
         Arg("U", INP, MATRIX, PARAM)),
        sequences, _rows("SimpleRNN"),
        "h_{t+1} = tanh(W h_t + U x_t); outputs y = (h_1..h_T), h_T (o_t = V h_t is a separate FC)",
        outputs=("y", "h_T"), tolerance=RECURRENT_TOL, arithmetic=MATMUL),
    ModuleSpec(
        "lstm", "recurrent", LSTM_ARGS, sequences,
        _rows("LSTM") + (_cite(P002, "'Example: LSTM' eqs. 1–6, the 31 steps, deriv()"),),
        "C_t = f∘C_{t-1} + i∘G, h_t = o∘tanh(C_t), gates σ(W_k h_{t-1} + U_k x_t [+ b_k] "
        "[+ P_k C]); outputs y, h_T, c_T",
        variants=(
            Variant("form=seed000", {"form": "seed000"}, _absent(LSTM_BIASES + PEEPHOLES),
                    note="000/001: no biases, no peepholes"),
            Variant("form=standard", {"form": "standard"}, _absent(PEEPHOLES),
                    note="the frameworks' LSTM: one bias per gate (torch: b_ih = b_hh = b/2)"),
            Variant("form=peephole", {"form": "peephole"},
                    note="002 separated eqs. 1–6 / 31 steps: f, i, o read C_{t-1}; σ candidate"),
            Variant("form=peephole_compact", {"form": "peephole_compact"},
                    note="002 compact eqs. 1–6: o reads C_t; tanh candidate"),
        ),
        outputs=("y", "h_T", "c_T"), tolerance=RECURRENT_TOL, arithmetic=MATMUL),
    ModuleSpec(
        "gru", "recurrent", GRU_ARGS, sequences,
        _rows("GRU") + (_cite(P003, "'Forward Propagation', 'Backward Propagation'"),
                        _cite(P004, "eqs. 1–7, sections 2.1.3–2.1.8")),
        "z, r = σ(W h + U x [+ b]); n = tanh(W_n(r∘h) + U_n x [+ b_n]) or tanh(U_n x + b_n + "
        "r∘(W_n h + b_hn)); h' = (1−z)∘h + z∘n or z∘h + (1−z)∘n; outputs y, h_T",
        variants=(
            Variant("form=seed000", {"form": "seed000"}, _absent(GRU_BIASES),
                    note="000/001: h' = (1−z)∘h + z∘c, reset before the matmul, no biases"),
            Variant("form=seed003", {"form": "seed003"}, _absent(GRU_BIASES),
                    note="003: h' = z∘h + (1−z)∘h̃, reset before the matmul, no biases"),
            Variant("form=seed004", {"form": "seed004"}, _absent(("b_hn",)),
                    note="004: biases, c' = Γu∘c̃ + (1−Γu)∘c, reset before the matmul"),
            Variant("form=reset_after", {"form": "reset_after"},
                    note="torch / keras reset_after=True: n = tanh(U_n x + b_n + r∘(W_n h + b_hn))"),
        ),
        outputs=("y", "h_T"), tolerance=RECURRENT_TOL, arithmetic=MATMUL),
    ModuleSpec(
        "gru_softmax_ce", "recurrent",
        GRU_ARGS[:-1] + (Arg("targets", ("T", "N", "H"), Simplex(), CONST),),
        sequences, (_cite(P004, "eqs. 1–8, sections 2.1.1–2.1.2"),),
        "J_t = −Σ_k y_k log softmax(c_t)_k per step, c_t from 004's GRU (eqs. 1–7); output (T, N)",
        tolerance=RECURRENT_TOL, arithmetic=MATMUL),
)
