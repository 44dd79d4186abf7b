"""002: the LSTM with peephole connections, its 31 unary/binary steps, the numbered backward
steps of the slides 'Computing derivatives' ff., and the LSTM_derivative listing built
from deriv() calls — transcribed as a program, line by line, with the operands, operator
strings and "+=" exactly as printed.

The forward is the separated listing (equations 1–6 and steps 1–31): f, i and o read
C_{t−1}; the candidate is σ (steps 15–19, backward step 13 and deriv() use σ). Run over
T ≥ 2 time steps: the routine is called once per step with dL/dh_t (the step's own output
cotangent plus the carry) and dL/dC_t; the parameter derivatives it returns are summed
over the steps. Vectors are rows of a batch; ∇_W L is in the slides' M × N layout.
"""

from __future__ import annotations

import numpy as np

from conformance.documents.claims import SEEDS
from conformance.documents.claims import Claim
from conformance.documents.claims import Program
from conformance.documents.claims import Reading
from conformance.documents.claims import TextErratum
from conformance.documents.claims import Untranscribed
from conformance.documents.claims import uniform
from conformance.documents.claims.seed_002_rules import deriv_vector

S2 = SEEDS["002"]
U1 = uniform(-1, 1)
MATS = {"Wfc": "H", "Wfh": "H", "Wfx": "D", "Wic": "H", "Wih": "H", "Wix": "D",
        "WCh": "H", "WCx": "D", "Woc": "H", "Woh": "H", "Wox": "D"}
BIASES = ("bf", "bi", "bC", "bo")


def _sig(a):
    return 1 / (1 + np.exp(-a))


def cell(C, h, x, p):
    """Steps 1–31, one by one; returns every intermediate value by its name."""
    e = {"Ct-1": C, "ht-1": h, "xt": x, **p}
    e["z1"] = C @ p["Wfc"].T
    e["z2"] = h @ p["Wfh"].T
    e["z3"] = e["z1"] + e["z2"]
    e["z4"] = x @ p["Wfx"].T
    e["z5"] = e["z3"] + e["z4"]
    e["z6"] = e["z5"] + p["bf"]
    e["ft"] = _sig(e["z6"])
    e["z7"] = C @ p["Wic"].T
    e["z8"] = h @ p["Wih"].T
    e["z9"] = e["z7"] + e["z8"]
    e["z10"] = x @ p["Wix"].T
    e["z11"] = e["z9"] + e["z10"]
    e["z12"] = e["z11"] + p["bi"]
    e["it"] = _sig(e["z12"])
    e["z13"] = h @ p["WCh"].T
    e["z14"] = x @ p["WCx"].T
    e["z15"] = e["z13"] + e["z14"]
    e["z16"] = e["z15"] + p["bC"]
    e["C~t"] = _sig(e["z16"])
    e["z17"] = e["ft"] * C
    e["z18"] = e["it"] * e["C~t"]
    e["Ct"] = e["z17"] + e["z18"]
    e["z19"] = C @ p["Woc"].T
    e["z20"] = h @ p["Woh"].T
    e["z21"] = e["z19"] + e["z20"]
    e["z22"] = x @ p["Wox"].T
    e["z23"] = e["z21"] + e["z22"]
    e["z24"] = e["z23"] + p["bo"]
    e["ot"] = _sig(e["z24"])
    e["z25"] = np.tanh(e["Ct"])
    e["ht"] = e["ot"] * e["z25"]
    return e


def cell_compact(C, h, x, p):
    """The compact equations 1–6 of 'Example: LSTM': C̃_t = tanh(…), o_t reads C_t; the same
    intermediate names as the steps (z16 the candidate's argument, z19 = W_oC C_t)."""
    e = cell(C, h, x, p)
    e["C~t"] = np.tanh(e["z16"])
    e["z18"] = e["it"] * e["C~t"]
    e["Ct"] = e["z17"] + e["z18"]
    e["z19"] = e["Ct"] @ p["Woc"].T
    e["z21"] = e["z19"] + e["z20"]
    e["z23"] = e["z21"] + e["z22"]
    e["z24"] = e["z23"] + p["bo"]
    e["ot"] = _sig(e["z24"])
    e["z25"] = np.tanh(e["Ct"])
    e["ht"] = e["ot"] * e["z25"]
    return e


def _params(a):
    return {k: a[k] for k in (*MATS, *BIASES)}


def _run(a, step=cell):
    p = _params(a)
    C, h, envs = a["c0"], a["h0"], []
    for t in range(a["x"].shape[0]):
        envs.append(step(C, h, a["x"][t], p))
        C, h = envs[-1]["Ct"], envs[-1]["ht"]
    return envs


def _forward(**a):
    envs = _run(a)
    return (np.stack([e["ht"] for e in envs]), envs[-1]["Ct"])


def _forward_compact(**a):
    envs = _run(a, cell_compact)
    return (np.stack([e["ht"] for e in envs]), envs[-1]["Ct"])


def _bptt(cell_backward, step=cell):
    """Backward over the steps: the per-step routine gets dL/dh_t and dL/dC_t and returns
    (dC_{t−1}, dh_{t−1}, dx_t, {param: derivative in the slides' layout})."""
    def backward(cts, a, w):
        envs = _run(a, step)
        T = len(envs)
        dh, dC = np.zeros_like(a["h0"]), cts[1]
        dx = np.zeros_like(a["x"])
        grads = {k: np.zeros_like(a[k]) for k in (*MATS, *BIASES)}
        for t in range(T - 1, -1, -1):
            dC, dh, dx[t], g = cell_backward(dh + cts[0][t], dC, envs[t], w)
            for k, v in g.items():
                grads[k] += v.T if k in MATS else v
        return {"x": dx, "h0": dh, "c0": dC, **grads}
    return backward


# ------------------------------------------------------------------------------ the listing
# (eq., the line as printed, lhs, dz, x, y, operator); unary calls have y = None
LISTING = (
    (31, "[dot, dz25] += deriv(dht, ot, z25, 'o')", ("ot", "z25"), "ht", "ot", "z25", "o"),
    (30, "[dCt] += deriv(dz25, Ct, 'tanh')", ("Ct",), "z25", "Ct", None, "tanh"),
    (29, "[dz25] += deriv(dot, z25, 'sigmoid')", ("z25",), "ot", "z25", None, "sigmoid"),
    (28, "[dz23, dbo] += deriv(dz24, z23, bo, '+')", ("z23", "bo"), "z24", "z23", "bo", "+"),
    (27, "[dz21, dz22] += deriv(dz23, z21, z22, '+')", ("z21", "z22"), "z23", "z21", "z22", "+"),
    (26, "[dWox, dxt] += deriv(dz22, Wox, xt, '*')", ("Wox", "xt"), "z22", "Wox", "xt", "*"),
    (25, "[dz19, dz20] += deriv(dz21, z19, z20, '+')", ("z19", "z20"), "z21", "z19", "z20", "+"),
    (24, "[dWoh, dht-1] += deriv(dz20, Woh, ht-1, '*')", ("Woh", "ht-1"), "z20", "Woh", "ht-1", "*"),
    (23, "[dWoc, dCt-1] += deriv(dz19, Woc, Ct-1, '*')", ("Woc", "Ct-1"), "z19", "Woc", "Ct-1", "*"),
    (22, r"**$[dz_{17}, dz_{18}] += \text{deriv}(dC_t, z_{17}, z_{18}, '+')$**", ("z17", "z18"),
     "Ct", "z17", "z18", "+"),
    (21, r"**$[di_t, d\tilde{C}_t] += \text{deriv}(dz_{18}, i_t, \tilde{C}_t, 'o')$**",
     ("it", "C~t"), "z18", "it", "C~t", "o"),
    (20, r"**$[df_t, dC_{t-1}] += \text{deriv}(dz_{17}, f_t, C_{t-1}, 'o')$**", ("ft", "Ct-1"),
     "z17", "ft", "Ct-1", "o"),
    (19, r"**$[dz_{16}] += \text{deriv}(d\tilde{C}_t, \text{'sigmoid'})$**", ("z16",), "C~t",
     "z16", None, "sigmoid"),
    (18, r"**$[dz_{15}, db_C] += \text{deriv}(dz_{16}, z_{15}, b_C, '+')$**", ("z15", "bC"), "z16",
     "z15", "bC", "+"),
    (17, r"**$[dz_{13}, dz_{14}] += \text{deriv}(dz_{15}, z_{13}, z_{14}, '+')$**", ("z13", "z14"),
     "z15", "z13", "z14", "+"),
    (16, r"**$[dW_{Cx}, dx_t] += \text{deriv}(dz_{14}, W_{Cx}, x_t, '*')$**", ("WCx", "xt"), "z14",
     "WCx", "xt", "*"),
    (15, r"**$[dW_{Ch}, dh_{t-1}] += \text{deriv}(dz_{13}, W_{Ch}, h_{t-1}, '*')$**",
     ("WCh", "ht-1"), "z13", "WCh", "ht-1", "*"),
    (14, "**[dz<sub>12</sub>] += deriv(di<sub>t</sub>, 'sigmoid')**", ("z12",), "it", "z12", None,
     "sigmoid"),
    (13, "**[dz<sub>11</sub>, db<sub>i</sub>] += deriv(dz<sub>12</sub>, z<sub>11</sub>, "
         "b<sub>i</sub>, '+')**", ("z11", "bi"), "z12", "z11", "bi", "+"),
    (12, "**[dz<sub>9</sub>, dz<sub>10</sub>] += deriv(dz<sub>11</sub>, z<sub>9</sub>, "
         "z<sub>10</sub>, '+')**", ("z9", "z10"), "z11", "z9", "z10", "+"),
    (11, "**[dW<sub>ix</sub>, dx<sub>t</sub>] += deriv(dz<sub>10</sub>, W<sub>ix</sub>, "
         "x<sub>t</sub>, '+')**", ("Wix", "xt"), "z10", "Wix", "xt", "+"),
    (10, "**[dz<sub>7</sub>, dz<sub>8</sub>] += deriv(dz<sub>9</sub>, z<sub>7</sub>, "
         "z<sub>8</sub>, '+')**", ("z7", "z8"), "z9", "z7", "z8", "+"),
    (9, "**[dW<sub>ih</sub>, dh<sub>t-1</sub>] += deriv(dz<sub>8</sub>, W<sub>ih</sub>, "
        "h<sub>t-1</sub>, '\\*')**", ("Wih", "ht-1"), "z8", "Wih", "ht-1", "*"),
    (8, "**[dW<sub>ic</sub>, dC<sub>t-1</sub>] += deriv(dz<sub>7</sub>, W<sub>ic</sub>, "
        "C<sub>t-1</sub>, '\\*')**", ("Wic", "Ct-1"), "z7", "Wic", "Ct-1", "*"),
    (7, "[dz6] += deriv(dft, 'sigmoid')", ("z6",), "ft", "z6", None, "sigmoid"),
    (6, "[dz5, dbf] += deriv(dz6, z5, bf, '+')", ("z5", "bf"), "z6", "z5", "bf", "+"),
    (5, "[dz3, dz4] += deriv(dz5, z3, z4, '+')", ("z3", "z4"), "z5", "z3", "z4", "+"),
    (4, "[dWfx, dxt] += deriv(dz4, Wfx, xt, '*')", ("Wfx", "xt"), "z4", "Wfx", "xt", "*"),
    (3, "[dz1, dz2] += deriv(dz3, z1, z2, '+')", ("z1", "z2"), "z3", "z1", "z2", "+"),
    (2, "[dWfh, dht-1] += deriv(dz2, Wfh, ht-1, '*')", ("Wfh", "ht-1"), "z2", "Wfh", "ht-1", "*"),
    (1, "[dWfc, dCt-1] += deriv(dz1, Wfc, Ct-1, '*')", ("Wfc", "Ct-1"), "z1", "Wfc", "Ct-1", "*"),
)
# the corrected lines (every other line is right as printed)
CORRECTED = {29: (("z24",), "ot", "z24", None, "sigmoid"),
             11: (("Wix", "xt"), "z10", "Wix", "xt", "*")}
IMPLIED = {19: "z16", 14: "z12", 7: "z6"}   # 'deriv(dC̃_t, 'sigmoid')': the operand is omitted


# what the compact forward's own derivative changes in the (corrected) listing
COMPACT_FIXES = {19: (("z16",), "C~t", "z16", None, "tanh"),
                 23: (("Woc", "Ct"), "z19", "Woc", "Ct", "*")}


def _listing_compact(dh, dC, env, w):
    """The listing on the compact forward's values: as printed ('doc'), or corrected for
    that forward (eq. 19 'tanh', eq. 23 into dCt, which eq. 22 reads after it)."""
    return _listing_cell(dh, dC, env, w, fixes=None if "doc" in w else COMPACT_FIXES)


def _listing_cell(dh, dC, env, w, fixes=None):
    """LSTM_derivative(dCt, dht), the listing executed line by line."""
    init = w.get("init")
    d = {k: np.zeros_like(v if k not in MATS else v.T) for k, v in env.items()}
    if init != "all, dCt and dht included":   # the given derivatives are the routine's inputs
        d["ht"], d["Ct"] = dh.copy(), dC.copy()
    for eq, _text, lhs, dz, x, y, op in LISTING:
        if f"L{eq}" not in w and eq in CORRECTED:
            lhs, dz, x, y, op = CORRECTED[eq]
        if fixes and eq in fixes:
            lhs, dz, x, y, op = fixes[eq]
        xv = env[x]
        out = deriv_vector(d[dz], xv, env[y], op) if y is not None else deriv_vector(d[dz], xv, op)
        out = out if isinstance(out, tuple) else (out,)
        for name, val in zip(lhs, out):
            d[name] = _accumulate(d[name], val, name)
    return d["Ct-1"], d["ht-1"], d["xt"], {k: d[k] for k in (*MATS, *BIASES)}


def _accumulate(target, val, name):
    """'+=': a parameter's derivative is per sample, so the batch is summed first; the sum is
    added with NumPy broadcasting (a row added to every row of a matrix, literally); any
    other shape that does not fit is an error, as it would be in the slides' algebra."""
    if (name in MATS or name in BIASES) and val.shape != target.shape:
        val = val.sum(axis=0)
    out = target + val
    if out.shape != target.shape:
        raise ValueError(f"d{name} += a {val.shape} value into {target.shape}")
    return out


LISTING_PROGRAM = Program("lstm-002-listing", _forward, _bptt(_listing_cell),
                          {"x": (("T", "N", "D"), U1), "h0": (("N", "H"), U1),
                           "c0": (("N", "H"), U1),
                           **{k: (("H", v), U1) for k, v in MATS.items()},
                           **{b: (("H",), U1) for b in BIASES}},
                          {"T": (2, 3), "N": (2, 2), "H": (2, 3), "D": (2, 3)},
                          ("x", "h0", "c0", *MATS, *BIASES))


COMPACT_PROGRAM = Program("lstm-002-compact", _forward_compact,
                          _bptt(_listing_compact, cell_compact), LISTING_PROGRAM.args,
                          LISTING_PROGRAM.dims, LISTING_PROGRAM.wrt)


# ------------------------------------------------------------------------------ numbered steps
def _steps_cell(dh, dC, e, w):
    """The numbered backward steps of the slides (1–16 for the output gate, then 7–21 for
    the cell), as printed; the slides stop there ('Continue the backward progression'),
    so the f and i paths below step c12 / c9 are completed by the rules 1–5."""
    g = {}
    do = dh * e["z25"]                                         # 1. ∇o = ∇h ∘ z25ᵀ
    dz25 = dh * e["ot"]                                        # 2. ∇z25 = ∇h ∘ oᵀ
    step3 = dz25 * (1 - np.tanh(e["Ct"]) ** 2)                 # 3. ∇C_t L = ∇z25 L ∘ (1 − tanh²C_t)ᵀ
    dC = step3 if "s3" in w else dC + step3
    dz24 = do * _sig(e["z24"]) * (1 - _sig(e["z24"]))          # 4.
    dz23 = dz24                                                # 5.
    g["bo"] = dz24.sum(0)                                      # 6.
    dz22, dz21 = dz23, dz23                                    # 7., 8.
    g["Wox"] = e["xt"].T @ dz22                                # 9. ∇W_ox = x_t ∇z22
    dx = dz22 @ e["Wox"]                                       # 10.
    dz20, dz19 = dz21, dz21                                    # 11., 12.
    g["Woh"] = e["ht-1"].T @ dz20                              # 13.
    dh_prev = dz20 @ e["Woh"]                                  # 14.
    g["Woc"] = e["Ct-1"].T @ dz19                              # 15.
    dC_prev = dz19 @ e["Woc"]                                  # 16.
    dz18, dz17 = dC, dC                                        # c7., c8.
    di = dz18 * e["C~t"]                                       # c9.
    dCc = dz18 * e["it"]                                       # c10.
    dC_prev = dC_prev + dz17 * e["ft"]                         # c11. ∇C_{t−1} += ∇z17 ∘ f
    df = dz17 * e["Ct-1"]                                      # c12.
    dz16 = dCc * _sig(e["z16"]) * (1 - _sig(e["z16"]))         # c13.
    g["bC"] = dz16.sum(0)                                      # c14. (c16. repeats it: "=")
    dz15 = dz16                                                # c15. (c17. repeats it)
    dz14 = dz13 = dz15                                         # (not printed; implied)
    g["WCx"] = e["xt"].T @ dz14                                # c18.
    dx = dx + dz14 @ e["WCx"]                                  # c19.
    g["WCh"] = e["ht-1"].T @ (dz14 if "c20" in w else dz13)    # c20. ∇W_Ch = h_{t−1} ∇z14
    dh_prev = dh_prev + dz13 @ e["WCh"]                        # c21.
    for gate, dgate, names in (("i", di, ("z12", "Wic", "Wih", "Wix", "bi")),
                               ("f", df, ("z6", "Wfc", "Wfh", "Wfx", "bf"))):
        dzz = dgate * _sig(e[names[0]]) * (1 - _sig(e[names[0]]))
        g[names[1]], g[names[2]], g[names[3]] = (e["Ct-1"].T @ dzz, e["ht-1"].T @ dzz,
                                                 e["xt"].T @ dzz)
        g[names[4]] = dzz.sum(0)
        dC_prev = dC_prev + dzz @ e[names[1]]
        dh_prev = dh_prev + dzz @ e[names[2]]
        dx = dx + dzz @ e[names[3]]
    return dC_prev, dh_prev, dx, g


STEPS_PROGRAM = Program("lstm-002-steps", _forward, _bptt(_steps_cell), LISTING_PROGRAM.args,
                        LISTING_PROGRAM.dims, LISTING_PROGRAM.wrt)

LW = "'When to use “=” vs “+=”', LSTM_derivative listing, 'Derivative of eq. {}'"
STEP_W = "'LSTM' backward slides, step {}"


def _listing_claims():
    out = []
    for eq, text, lhs, dz, x, y, op in LISTING:
        fixed = CORRECTED.get(eq)
        corrected = "same" if not fixed else (
            f"[d{', d'.join(fixed[0])}] += deriv(d{fixed[1]}, {fixed[2]}"
            + (f", {fixed[3]}" if fixed[3] else "") + f", '{fixed[4]}')")
        readings = ((Reading(f"{IMPLIED[eq]} implied", f"the omitted operand is {IMPLIED[eq]}, "
                                                       "the argument of the forward step"),)
                    if eq in IMPLIED else (Reading("as written"),))
        out.append(Claim(f"002-listing-eq{eq}", S2, LW.format(eq), text, text, corrected,
                         LISTING_PROGRAM, f"L{eq}", readings=readings))
    out.append(Claim("002-listing-init", S2, LW.format("31").split(", 'Der")[0] + ", first line",
                     "initialize d(variable)=0 (all variables)",
                     "initialize d(variable)=0 (all variables)",
                     "every derivative but the routine's inputs dCt, dht starts at 0",
                     LISTING_PROGRAM, "init",
                     readings=(Reading("inputs kept", "'all variables' but the given dCt, dht"),
                               Reading("all, dCt and dht included", "literally every variable"))))
    return out


# the numbered steps printed right (each is a line of _steps_cell, as printed): (group, n, text)
STEPS = (
    ("o", 1, r"1.  $\nabla_{o_t} L = \nabla_{h_t} L \circ z_{25}^T$"),
    ("o", 2, r"2.  $\nabla_{z_{25}} L = \nabla_{h_t} L \circ o_t^T$"),
    ("o", 4, r"4.  $\nabla_{z_{24}} L = \nabla_{o_t} L \circ \sigma(z_{24})^T \circ (1 - \sigma(z_{24}))^T$"),
    ("o", 5, r"5.  $\nabla_{z_{23}} L = \nabla_{z_{24}} L$"),
    ("o", 6, r"6.  $\nabla_{b_o} L = \nabla_{z_{24}} L$"),
    ("o", 7, r"$$7. \quad \nabla_{z_{22}} L = \nabla_{z_{23}} L$$"),
    ("o", 8, r"$$8. \quad \nabla_{z_{21}} L = \nabla_{z_{23}} L$$"),
    ("o", 9, r"$$9. \quad \nabla_{W_{ox}} L = x_t \nabla_{z_{22}} L$$"),
    ("o", 10, r"$$10. \quad \nabla_{x_t} L = \nabla_{z_{22}} L W_{ox}$$"),
    ("o", 11, r"$$11. \quad \nabla_{z_{20}} L = \nabla_{z_{21}} L$$"),
    ("o", 12, r"$$12. \quad \nabla_{z_{19}} L = \nabla_{z_{21}} L$$"),
    ("o", 13, r"$$13. \quad \nabla_{W_{oh}} L = h_{t-1} \nabla_{z_{20}} L$$"),
    ("o", 14, r"$$14. \quad \nabla_{h_{t-1}} L = \nabla_{z_{20}} L W_{oh}$$"),
    ("o", 15, r"$$15. \quad \nabla_{W_{oc}} L = C_{t-1} \nabla_{z_{19}} L$$"),
    ("o", 16, r"$$16. \quad \nabla_{C_{t-1}} L = \nabla_{z_{19}} L W_{oc}$$"),
    ("c", 7, r"$$7. \nabla_{z_{18}} L = \nabla_{C_t} L$$"),
    ("c", 8, r"$$8. \nabla_{z_{17}} L = \nabla_{C_t} L$$"),
    ("c", 9, r"$$9. \nabla_{i_t} L = \nabla_{z_{18}} L \circ \tilde{C}_t^T$$"),
    ("c", 10, r"$$10. \nabla_{\tilde{C}_t} L = \nabla_{z_{18}} L \circ i_t^T$$"),
    ("c", 11, r"$$11. \nabla_{C_{t-1}} L += \nabla_{z_{17}} L \circ f_t^T$$"),
    ("c", 12, r"$$12. \nabla_{f_t} L = \nabla_{z_{17}} L \circ C_{t-1}^T$$"),
    ("c", 13, r"$$13. \nabla_{z_{16}} L = \nabla_{\tilde{C}_t} L \circ \sigma(z_{16})^T \circ (1 - \sigma(z_{16}))^T$$"),
    ("c", 14, r"$$14. \nabla_{b_C} L = \nabla_{z_{16}} L$$"),
    ("c", 15, r"$$15. \nabla_{z_{15}} L = \nabla_{z_{16}} L$$"),
    ("c", 16, r"$$16. \nabla_{b_C} L = \nabla_{z_{16}} L$$"),
    ("c", 17, r"$$17. \nabla_{z_{15}} L = \nabla_{z_{16}} L$$"),
    ("c", 18, r"$$18. \nabla_{W_{Cx}} L = x_t \nabla_{z_{14}} L$$"),
    ("c", 19, r"$$19. \nabla_{x_t} L += \nabla_{z_{14}} L W_{Cx}$$"),
    ("c", 21, r"$$21. \nabla_{h_{t-1}} L += \nabla_{z_{13}} L W_{Ch}$$"),
)
STEP_QUOTES = {
    "s3": r"3.  $\nabla_{C_t} L = \nabla_{z_{25}} L \circ (1 - \tanh^2(C_t))^T$",
    "c20": r"$$20. \nabla_{W_{Ch}} L = h_{t-1} \nabla_{z_{14}} L$$",
}
CLAIMS = (
    *_listing_claims(),
    Claim("002-listing-forward-reading", S2, "'Example: LSTM' (compact equations 1–6) vs 'LSTM' "
                                             "(separated equations and steps 1–31), with the listing",
          r"5  $o_t = \sigma(W_o \cdot [C_t, h_{t-1}, x_t] + b_o)$",
          "the LSTM_derivative listing as printed, for the LSTM the slides define",
          "the listing differentiates the separated form (σ candidate, o_t reads C_{t−1}); for "
          "the compact form eq. 19 needs 'tanh' and eq. 23 belongs to dC_t",
          LISTING_PROGRAM, "doc",
          readings=(Reading("separated", "equations 1–6 as separated, steps 1–31"),
                    Reading("compact", "the first listing: C̃_t = tanh(…), o_t reads C_t",
                            program=COMPACT_PROGRAM))),
    Claim("002-step3-overwrites", S2, STEP_W.format("3 (first group)"), STEP_QUOTES["s3"],
          "∇_{C_t} L = ∇_{z25} L ∘ (1 − tanh²(C_t))ᵀ ('=')",
          "∇_{C_t} L += ∇_{z25} L ∘ (1 − tanh²(C_t))ᵀ: dL/dC_t is given (the carry from step "
          "t+1); the h-path adds to it", STEPS_PROGRAM, "s3"),
    *(Claim(f"002-step{g}{n}", S2, STEP_W.format(f"{n} ({'first' if g == 'o' else 'second'} group)"),
            q, q, "same", STEPS_PROGRAM, f"{g}{n}") for g, n, q in STEPS),
    Claim("002-step20-z14", S2, STEP_W.format("20 (second group)"), STEP_QUOTES["c20"],
          "∇_{W_Ch} L = h_{t−1} ∇_{z14} L", "∇_{W_Ch} L = h_{t−1} ∇_{z13} L (z13 = W_Ch h_{t−1})",
          STEPS_PROGRAM, "c20",
          note="∇z13 = ∇z14 = ∇z15 (eq. 17 is a sum), so the index slip has no numerical effect"),
)

TEXT_ERRATA = (
    TextErratum("002-listing-eq13-label", S2, LW.format(13), "# Derivative of eq. 13  $z_{12} = z_{11} + b_f$",
                "the comment names b_f; eq. 13 adds b_i (the call itself uses b_i)"),
    TextErratum("002-listing-missing-operand", S2, LW.format("19, 14 and 7"),
                "[dz6] += deriv(dft, 'sigmoid')",
                "deriv(dz, 'sigmoid') omits the operand x (z16, z12, z6); with it implied the "
                "lines are right (claims 002-listing-eq19/14/7)"),
    TextErratum("002-steps-duplicated", S2, STEP_W.format("16 and 17 (second group)"),
                r"$$16. \nabla_{b_C} L = \nabla_{z_{16}} L$$",
                "steps 16 and 17 repeat steps 14 and 15 verbatim (with '=': no effect), and the "
                "steps ∇z13 = ∇z15, ∇z14 = ∇z15 that steps 18–21 use are missing"),
    TextErratum("002-step20-label", S2, STEP_W.format("20 (second group)"), STEP_QUOTES["c20"],
                "∇z14 where z13 is meant: numerically identical (claim 002-step20-z14)"),
    TextErratum("002-forward-listings-disagree", S2, "'Example: LSTM' vs 'LSTM' equations 1–6",
                r"3  $\tilde{C}_t = \tanh(W_C \cdot [h_{t-1}, x_t] + b_C)$",
                "the compact equations use tanh for C̃_t and C_t in o_t; the separated ones, the "
                "31 steps and the backward use σ and C_{t−1}: two different forwards; the "
                "listing is the derivative of the separated one only (claim "
                "002-listing-forward-reading)"),
)

UNTRANSCRIBED = (
    Untranscribed(S2, "'LSTM' backward slides, the f and i gate paths",
                  "Continue the backward progression until the derivatives from forward Equation "
                  "1 have been computed",
                  "not written as numbered steps (the listing covers them: claims 002-listing-eq1…14)"),
    Untranscribed(S2, "'First: Some notation and conventions'", r"$W = W - \eta \nabla_W L^T$",
                  "a gradient-descent update, not a derivative"),
)
