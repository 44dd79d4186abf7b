"""The recurrent references' BPTT against float64 finite differences, in every form, and
the documents' slips shown to disagree with finite differences.

The oracle is tests/finite_differences.py (no code shared with ``references``); a module
with several outputs is differentiated as the concatenation of its flattened outputs with
the concatenated cotangent. Dims are small (T ≤ 4, N ≤ 2, I, H ≤ 3) so that every element
of every gradient — x at every time step, h0 (c0), every parameter — is checked.
Tolerance as in test_references_fd.py: rtol 1e-6, atol 1e-7 (smooth functions of inputs
in [-1, 1]: FD error ≲ 1e-9 here, measured ≤ 6e-10); a slip is an O(1e-2)–O(1) error.
"""

from __future__ import annotations

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
SETTINGS = settings(max_examples=8, deadline=None, derandomize=True, database=None)
LSTM_GATES, GRU_GATES = "ifgo", "rzn"

# (module, form, absent args): the args a form does not use have an exactly-zero gradient.
CASES = [
    ("simple_rnn", None, ()),
    ("lstm", "seed000", tuple(f"b_{k}" for k in LSTM_GATES) + ("P_i", "P_f", "P_o")),
    ("lstm", "standard", ("P_i", "P_f", "P_o")),
    ("lstm", "peephole", ()),
    ("lstm", "peephole_compact", ()),
    ("gru", "seed000", ("b_r", "b_z", "b_n", "b_hn")),
    ("gru", "seed003", ("b_r", "b_z", "b_n", "b_hn")),
    ("gru", "seed004", ("b_hn",)),
    ("gru", "reset_after", ()),
    ("gru_softmax_ce", None, ()),
]


def arg_shapes(module, T, N, I, H):
    """Canonical (name, shape) list of a module's arguments."""
    x, state = [("x", (T, N, I)), ("h0", (N, H))], (N, H)
    per_gate = lambda gates, kinds: [(f"{k}_{g}", {"W": (H, H), "U": (H, I), "b": (H,)}[k])  # noqa: E731
                                      for k in kinds for g in gates]
    if module == "simple_rnn":
        return x + [("W", (H, H)), ("U", (H, I))]
    if module == "lstm":
        return x + [("c0", state)] + per_gate(LSTM_GATES, "WUb") + [(n, (H, H)) for n in ("P_i", "P_f", "P_o")]
    args = x + per_gate(GRU_GATES, "WUb")
    return args + ([("b_hn", (H,))] if module == "gru" else [("targets", (T, N, H))])


def draw(rng, module, dims):
    args = []
    for name, shape in arg_shapes(module, *dims):
        if name == "targets":
            args.append(rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]))
        else:
            args.append(rng.uniform(-1.0, 1.0, shape) * (0.8 if name[0] in "WUP" else 1.0))
    return args


def flat(out):
    return np.concatenate([np.ravel(o) for o in (out if isinstance(out, tuple) else (out,))])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0] + (f"[form={c[1]}]" if c[1] else ""))
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), T=st.integers(1, 4), N=st.integers(1, 2),
       I=st.integers(1, 3), H=st.integers(1, 3))
def test_bptt_matches_finite_differences(case, seed, T, N, I, H):
    module, form, absent = case
    if module == "gru_softmax_ce":
        H = max(H, 2)  # one class: J ≡ 0
    kw = {"form": form} if form else {}
    forward, vjp = REFERENCES[module]
    rng = np.random.default_rng(seed)
    names = [n for n, _ in arg_shapes(module, T, N, I, H)]
    args = draw(rng, module, (T, N, I, H))
    out = forward(*args, **kw)
    cts = tuple(rng.normal(size=o.shape) for o in (out if isinstance(out, tuple) else (out,)))
    grads = vjp(cts if isinstance(out, tuple) else cts[0], *args, **kw)

    assert len(grads) == len(args)
    wrt = [i for i, n in enumerate(names) if n != "targets"]
    assert all((grads[i] is None) == (n == "targets") for i, n in enumerate(names))
    expected = fd_vjp(lambda *a: flat(forward(*a, **kw)), args, flat(cts), wrt)
    for i, fd in zip(wrt, expected):
        assert grads[i].shape == args[i].shape and grads[i].dtype == np.float64
        if names[i] in absent:
            assert not np.any(grads[i]) and not np.any(fd), names[i]
        np.testing.assert_allclose(grads[i], fd, rtol=RTOL, atol=ATOL, err_msg=f"{module} {form}: {names[i]}")


def test_outputs_are_the_hidden_states_and_final_states():
    rng = np.random.default_rng(1)
    args = draw(rng, "lstm", (3, 2, 2, 3))
    y, hT, cT = REFERENCES["lstm"].forward(*args, form="standard")
    assert y.shape == (3, 2, 3) and np.array_equal(y[-1], hT) and cT.shape == hT.shape
    y1, _, _ = REFERENCES["lstm"].forward(args[0][:1], *args[1:], form="standard")
    np.testing.assert_array_equal(y1[0], y[0])  # causal: y_1 depends on x_1 only


@pytest.mark.parametrize("module, form", [("lstm", "bogus"), ("gru", "seed002")])
def test_unknown_form_is_rejected(module, form):
    args = draw(np.random.default_rng(0), module, (2, 1, 2, 2))
    with pytest.raises(ValueError, match="form"):
        REFERENCES[module].forward(*args, form=form)


# -- the documents' slips, each against finite differences ------------------------------------
def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def fd_grad(f, x, h=1e-6):
    """Gradient of a scalar function of one array by central differences."""
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_000_simple_rnn_dW_as_written_has_an_index_slip():
    """000 'SimpleRNN' parameter-pass: dL/dW = Σ_t h_t dL/dh_t diag(I − h_t h_tᵀ) (as written)
    against Σ_t h_t dL/dh_{t+1} diag(1 − h_{t+1}²) (the reference)."""
    rng = np.random.default_rng(2)
    x, h0, W, U = draw(rng, "simple_rnn", (4, 1, 2, 3))
    u = rng.normal(size=(4, 1, 3))
    loss = lambda W_: float(np.sum(u * REFERENCES["simple_rnn"].forward(x, h0, W_, U)[0]))  # noqa: E731
    fd = fd_grad(loss, W)
    ref = REFERENCES["simple_rnn"].vjp((u, np.zeros((1, 3))), x, h0, W, U)[2]
    np.testing.assert_allclose(ref, fd, rtol=RTOL, atol=ATOL)
    hs = np.concatenate([h0[None], REFERENCES["simple_rnn"].forward(x, h0, W, U)[0]])
    dh = np.zeros_like(hs)  # dL/dh_t by the (correct) backward-pass line
    dh[4] = u[3]
    for t in range(3, 0, -1):
        dh[t] = u[t - 1] + (dh[t + 1] * (1 - hs[t + 1] ** 2)) @ W
    as_written = sum(np.outer(dh[t][0] * (1 - hs[t][0] ** 2), hs[t][0]) for t in range(1, 5))
    assert np.abs(as_written - fd).max() > 1e-2


def _lstm_c0_grad(x, h0, c0, W, U, u, rule):
    """dL/dc0 of 000's LSTM (no biases; gates i, f, g, o) with L = Σ u∘y, by BPTT whose
    dL/dC recurrence follows ``rule``: 'correct', '000' (000's backward-pass line as
    written) or '002-step3' (002's backward step 3 with '=': the carried dL/dC_t dropped)."""
    T = x.shape[0]
    hs, cs, acts, tc = [h0], [c0], [], []
    for t in range(T):
        a = [hs[t] @ W[k].T + x[t] @ U[k].T for k in range(4)]
        i, f, g, o = sig(a[0]), sig(a[1]), np.tanh(a[2]), sig(a[3])
        cs.append(f * cs[t] + i * g)
        tc.append(np.tanh(cs[t + 1]))
        hs.append(o * tc[t])
        acts.append((i, f, g, o))
    dh, dC = u[T - 1], hs[T] * 0 + u[T - 1] * acts[T - 1][3] * (1 - tc[T - 1] ** 2)
    for t in range(T - 1, -1, -1):
        i, f, g, o = acts[t]
        d = [dC * g * i * (1 - i), dC * cs[t] * f * (1 - f), dC * i * (1 - g ** 2),
             dh * tc[t] * o * (1 - o)]
        dh_prev = sum(d[k] @ W[k] for k in range(4)) + (u[t - 1] if t else 0)
        if rule == "000":
            dC = dC * f + dh_prev * o * (1 - tc[t] ** 2)
        elif rule == "002-step3" and t:
            dC = dh_prev * acts[t - 1][3] * (1 - tc[t - 1] ** 2)
        elif rule == "002-step3":
            dC = dC * f
        else:
            dC = dC * f + (dh_prev * acts[t - 1][3] * (1 - tc[t - 1] ** 2) if t else 0)
        dh = dh_prev
    return dC


@pytest.mark.parametrize("rule", ["000", "002-step3"])
def test_lstm_dC_recurrence_slips(rule):
    """000: "dL/dC_t = dL/dC_{t+1}∘f_t + dL/dh_t∘(o_t diag(1 − tanh²(C_{t+1})))" (o_t, C_{t+1}
    for o_{t-1}, C_t); 002 step 3: "∇_{C_t}L = ∇_{z25}L∘(1 − tanh²(C_t))" with '=' for '+='."""
    rng = np.random.default_rng(3)
    T, N, I, H = 4, 1, 2, 3
    x, h0, c0 = rng.uniform(-1, 1, (T, N, I)), rng.uniform(-1, 1, (N, H)), rng.uniform(-1, 1, (N, H))
    W, U = rng.uniform(-0.8, 0.8, (4, H, H)), rng.uniform(-0.8, 0.8, (4, H, I))
    u = rng.normal(size=(T, N, H))
    args = lambda c: [x, h0, c, *W, *U] + [np.zeros(H)] * 4 + [np.zeros((H, H))] * 3  # noqa: E731
    loss = lambda c: float(np.sum(u * REFERENCES["lstm"].forward(*args(c), form="seed000")[0]))  # noqa: E731
    fd = fd_grad(loss, c0)
    np.testing.assert_allclose(_lstm_c0_grad(x, h0, c0, W, U, u, "correct"), fd, rtol=RTOL, atol=ATOL)
    assert np.abs(_lstm_c0_grad(x, h0, c0, W, U, u, rule) - fd).max() > 1e-3


def test_003_gru_backward_signs():
    """003 'Backward Propagation' for h_t = z∘h_{t-1} + (1−z)∘h̃: as written
    Δh̃ = −Δg12∘(1−z), Δz = −Δg12∘h̃ − Δg11∘h_{t-1}, Δh_{t-1} = −Δg12∘z."""
    rng = np.random.default_rng(4)
    z, hp, ht, dh = rng.uniform(0.1, 0.9, 3), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3), rng.normal(size=3)
    L = lambda z_, hp_, ht_: float(dh @ (z_ * hp_ + (1 - z_) * ht_))  # noqa: E731
    fd = {"ht": fd_grad(lambda v: L(z, hp, v), ht), "z": fd_grad(lambda v: L(v, hp, ht), z),
          "hp": fd_grad(lambda v: L(z, v, ht), hp)}
    written = {"ht": -dh * (1 - z), "z": -dh * ht - dh * hp, "hp": -dh * z}
    fixed = {"ht": dh * (1 - z), "z": dh * (hp - ht), "hp": dh * z}
    for k in fd:
        np.testing.assert_allclose(fixed[k], fd[k], rtol=RTOL, atol=ATOL)
        assert np.abs(written[k] - fd[k]).max() > 1e-2, k


def test_004_gru_backward_slips():
    """004 2.1.1 (∂J/∂ŷ written y/ŷ), 2.1.6 (∂J/∂Γ_r without tanh'), 2.1.8 Comp-3 (∂J/∂z_r for
    ∂J/∂z_u), on one step of the seed004 GRU with the canonical W (004's W_*ᵀ)."""
    rng = np.random.default_rng(5)
    H, I = 3, 2
    y, yh = rng.dirichlet(np.ones(H)), rng.dirichlet(np.ones(H))
    fd = fd_grad(lambda v: float(-y @ np.log(v)), yh)
    np.testing.assert_allclose(-y / yh, fd, rtol=RTOL, atol=ATOL)
    assert np.abs(y / yh - fd).max() > 1e-2  # 2.1.1's sign

    x, c = rng.uniform(-1, 1, (1, 1, I)), rng.uniform(-1, 1, (1, H))
    Ws = {k: rng.uniform(-0.8, 0.8, (H, H)) for k in "rzn"}
    Us = {k: rng.uniform(-0.8, 0.8, (H, I)) for k in "rzn"}
    bs = {k: rng.uniform(-0.5, 0.5, H) for k in "rzn"}
    gr = sig(c @ Ws["r"].T + x[0] @ Us["r"].T + bs["r"])
    ct_of = lambda g: np.tanh((g * c) @ Ws["n"].T + x[0] @ Us["n"].T + bs["n"])  # noqa: E731
    u = rng.normal(size=(1, H))
    fd_r = fd_grad(lambda g: float(np.sum(u * ct_of(g))), gr)
    written = (u @ Ws["n"]) * c  # ∂J/∂c̃ W_ccᵀ diag(c^{t-1}), with W_cc = W_nᵀ
    fixed = ((u * (1 - ct_of(gr) ** 2)) @ Ws["n"]) * c
    np.testing.assert_allclose(fixed, fd_r, rtol=RTOL, atol=ATOL)
    assert np.abs(written - fd_r).max() > 1e-3  # 2.1.6's missing tanh'

    args = [x, c, Ws["r"], Ws["z"], Ws["n"], Us["r"], Us["z"], Us["n"], bs["r"], bs["z"], bs["n"], np.zeros(H)]
    dc = rng.normal(size=(1, H))
    ref = REFERENCES["gru"].vjp((dc[None], np.zeros((1, H))), *args, form="seed004")[1]
    gu = sig(c @ Ws["z"].T + x[0] @ Us["z"].T + bs["z"])
    ctl = ct_of(gr)
    dzc = dc * gu * (1 - ctl ** 2)
    dzu = dc * (ctl - c) * gu * (1 - gu)
    dzr = ((dzc @ Ws["n"]) * c) * gr * (1 - gr)
    comps = [dc * (1 - gu), dzr @ Ws["r"], dzu @ Ws["z"], (dzc @ Ws["n"]) * gr]
    np.testing.assert_allclose(sum(comps), ref, rtol=RTOL, atol=ATOL)
    comps[2] = dzr @ Ws["z"]  # 2.1.8 Comp-3 as written: ∂J/∂z_r W_ucᵀ
    assert np.abs(sum(comps) - ref).max() > 1e-3


def test_002_deriv_of_eq_29_writes_the_wrong_variable():
    """002 deriv(): '[dz25] += deriv(dot, z25, "sigmoid")' for o_t = σ(z24) leaves dz24 (and
    so ∇b_o, ∇W_ox, ∇W_oh, ∇W_oc) at 0; the right line is [dz24] += deriv(dot, z24, ...)."""
    rng = np.random.default_rng(6)
    z24, C, dh = rng.uniform(-2, 2, 3), rng.uniform(-2, 2, 3), rng.normal(size=3)
    fd_bo = fd_grad(lambda b: float(dh @ (sig(z24 + b) * np.tanh(C))), np.zeros(3))
    dot = dh * np.tanh(C)  # eq. 31
    np.testing.assert_allclose(dot * sig(z24) * (1 - sig(z24)), fd_bo, rtol=RTOL, atol=ATOL)
    dz24_as_written = np.zeros(3)  # never assigned by the routine as written
    assert np.abs(dz24_as_written - fd_bo).max() > 1e-3
