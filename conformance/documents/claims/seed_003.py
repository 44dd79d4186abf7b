"""003: the GRU of the blog post, its forward split into unary/binary steps, and the first
backward steps (what the truncated post gives: Eqs. (20), (19), (18)), over T ≥ 2 steps.

The equations are numbered by position: the four forward equations (1)–(4), then the 16
steps g_1 … h_t as (5)–(20), so that (18), (19), (20) are g_11, g_12, h_t — the
numbering the post's own "Eq. (18) gives" lines use. The steps after (18) are not in the
document; the transcription completes them by the chain rule (they are no claim).
"""

from __future__ import annotations

import numpy as np

from conformance.documents.claims import SEEDS
from conformance.documents.claims import Claim
from conformance.documents.claims import Program
from conformance.documents.claims import TextErratum
from conformance.documents.claims import Untranscribed
from conformance.documents.claims import uniform

S3 = SEEDS["003"]
U1 = uniform(-1, 1)
W_NAMES = ("Wzh", "Wzx", "Wrh", "Wrx", "Wh", "Wx")


def _sig(a):
    return 1 / (1 + np.exp(-a))


def _step(h, x, p):
    g = {"g1": h @ p["Wzh"].T, "g2": x @ p["Wzx"].T}
    g["g3"] = g["g1"] + g["g2"]
    g["z"] = _sig(g["g3"])
    g["g4"], g["g5"] = h @ p["Wrh"].T, x @ p["Wrx"].T
    g["g6"] = g["g4"] + g["g5"]
    g["r"] = _sig(g["g6"])
    g["g7"] = g["r"] * h
    g["g8"], g["g9"] = g["g7"] @ p["Wh"].T, x @ p["Wx"].T
    g["g10"] = g["g8"] + g["g9"]
    g["ht~"] = np.tanh(g["g10"])
    g["g11"] = g["z"] * h
    g["g12"] = (1 - g["z"]) * g["ht~"]
    g["h"] = g["g11"] + g["g12"]
    return g


def _run(a):
    p = {k: a[k] for k in W_NAMES}
    hs, steps = [a["h0"]], []
    for t in range(a["x"].shape[0]):
        steps.append(_step(hs[-1], a["x"][t], p))
        hs.append(steps[-1]["h"])
    return hs, steps


def _forward(**a):
    hs, _ = _run(a)
    return (np.stack(hs[1:]),)


def _backward(cts, a, w):
    hs, steps = _run(a)
    T = len(steps)
    grads = {k: np.zeros_like(a[k]) for k in W_NAMES}
    dx = np.zeros_like(a["x"])
    dh = np.zeros_like(a["h0"])
    for t in range(T - 1, -1, -1):
        g, h, x = steps[t], hs[t], a["x"][t]
        dht = dh + cts[0][t]
        # Eq. (20): Δg11 = Δg12 = Δh_t
        d11 = d12 = dht
        # Eq. (19): Δz = −Δg12 ∘ h̃ ;  Δh̃ = −Δg12 ∘ (1 − z)
        dz = -d12 * g["ht~"]
        dht_ = -d12 * (1 - g["z"]) if "eq19-dh~" in w else d12 * (1 - g["z"])
        # Eq. (18): Δz += −Δg11 ∘ h_{t−1} ;  Δh_{t−1} = −Δg12 ∘ z
        dz = dz + (-d11 * h if "eq18-dz" in w else d11 * h)
        dh = -d12 * g["z"] if "eq18-dh" in w else d11 * g["z"]
        # not in the document: the remaining steps by rules (5)–(17) in reverse
        d10 = dht_ * (1 - g["ht~"] ** 2)
        grads["Wh"] += d10.T @ g["g7"]
        grads["Wx"] += d10.T @ x
        d7 = d10 @ a["Wh"]
        dr, dh = d7 * h, dh + d7 * g["r"]
        d6 = dr * g["r"] * (1 - g["r"])
        d3 = dz * g["z"] * (1 - g["z"])
        grads["Wrh"] += d6.T @ h
        grads["Wrx"] += d6.T @ x
        grads["Wzh"] += d3.T @ h
        grads["Wzx"] += d3.T @ x
        dh = dh + d6 @ a["Wrh"] + d3 @ a["Wzh"]
        dx[t] = d10 @ a["Wx"] + d6 @ a["Wrx"] + d3 @ a["Wzx"]
    return {"x": dx, "h0": dh, **grads}


ARGS = {"x": (("T", "N", "D"), U1), "h0": (("N", "H"), U1),
        **{k: (("H", "D" if k.endswith("x") else "H"), U1) for k in W_NAMES}}
GRU = Program("gru-003", _forward, _backward, ARGS, {"T": (2, 3), "N": (2, 2), "H": (2, 3),
                                                     "D": (2, 3)}, tuple(ARGS))

B = "'Backward Propagation', 'Eq. ({}) gives'"
CLAIMS = (
    Claim("003-eq20", S3, B.format(20), r"$$ \Delta_{g_{11}}L = \Delta_{g_{12}}L = \Delta_{h_t}L $$",
          "Δ_{g11}L = Δ_{g12}L = Δ_{h_t}L", "same", GRU, "eq20"),
    Claim("003-eq19-dz", S3, B.format(19), r"$$ \Delta_{z_{t}}L = -\Delta_{g_{12}}L \circ \tilde{h}_t $$",
          "Δ_{z_t}L = −Δ_{g12}L ∘ h̃_t", "same (g12 = (1 − z) ∘ h̃)", GRU, "eq19-dz"),
    Claim("003-eq19-dhtilde", S3, B.format(19),
          r"$$ \Delta_{\tilde{h}_t}L = -\Delta_{g_{12}}L \circ (1-z_t) $$",
          "Δ_{h̃_t}L = −Δ_{g12}L ∘ (1 − z_t)", "Δ_{h̃_t}L = +Δ_{g12}L ∘ (1 − z_t)", GRU, "eq19-dh~",
          module="gru", check="grad:U_n", variants=("form=seed003",)),
    Claim("003-eq18-dz", S3, B.format(18), r"$$ \Delta_{z_{t}}L += -\Delta_{g_{11}}L \circ h_{t-1} $$",
          "Δ_{z_t}L += −Δ_{g11}L ∘ h_{t−1}", "Δ_{z_t}L += +Δ_{g11}L ∘ h_{t−1} (g11 = z ∘ h_{t−1})",
          GRU, "eq18-dz", module="gru", check="grad:U_z", variants=("form=seed003",)),
    Claim("003-eq18-dh", S3, B.format(18), r"$$ \Delta_{h_{t-1}}L = -\Delta_{g_{12}}L \circ z_t $$",
          "Δ_{h_{t−1}}L = −Δ_{g12}L ∘ z_t",
          "Δ_{h_{t−1}}L = +Δ_{g11}L ∘ z_t (then += the paths through g1, g4, g7)", GRU, "eq18-dh",
          module="gru", check="grad:h0", variants=("form=seed003",)),
)

TEXT_ERRATA = (
    TextErratum("003-eq-numbers", S3, "'Backward Propagation'", "- Eq. (20) gives",
                "the equations are not numbered in the post; '(18)–(20)' only fit when the "
                "forward's four equations count as (1)–(4)"),
    TextErratum("003-eq18-g12-label", S3, B.format(18), r"$$ \Delta_{h_{t-1}}L = -\Delta_{g_{12}}L \circ z_t $$",
                "names Δg12 where Δg11 (the term of eq. 18, g11 = z ∘ h_{t−1}) is meant; their "
                "values are equal (Eq. (20)), so only the sign is a numerical slip "
                "(claim 003-eq18-dh)"),
    TextErratum("003-mojibake", S3, B.format(18) + ", note", "weâ€™re",
                "'weâ€™re': a UTF-8 apostrophe decoded as cp1252"),
)

UNTRANSCRIBED = (
    Untranscribed(S3, "after 'Eq. (18) gives'", "so we increment the derivative $(+=)$",
                  "the post ends here (truncated): the steps for Eqs. (1)–(17) are not given"),
)
