"""004: the GRU derivation notes — forward eqs. 1–8 with a softmax output and a
cross-entropy loss per time step, and the backward §2.1.1–2.1.8, every component, over
T ≥ 2 steps (§2.1.2's Comp-1 is the carry from step t+1).

Vectors are rows of a batch: z_u = W_ucᵀ c + W_uxᵀ x + b_u is ``c @ W_uc + x @ W_ux + b_u``
(W_*c is (n_a, n_a), W_*x is (n_x, n_a), as §2 says). The notes use the numerator layout
("jacobians, not gradients", §3): ∂J/∂W is the transpose of W's shape and is compared
transposed. J is the per-step, per-sample loss; the cotangent weighs each J_t.
"""

from __future__ import annotations

import numpy as np

from conformance.documents.claims import SEEDS
from conformance.documents.claims import Claim
from conformance.documents.claims import Program
from conformance.documents.claims import Reading
from conformance.documents.claims import TextErratum
from conformance.documents.claims import Untranscribed
from conformance.documents.claims import probabilities
from conformance.documents.claims import uniform

S4 = SEEDS["004"]
U1 = uniform(-1, 1)
PARAMS = ("Wuc", "Wux", "bu", "Wrc", "Wrx", "br", "Wcc", "Wcx", "bc")


def _sig(a):
    return 1 / (1 + np.exp(-a))


def _softmax(c):
    e = np.exp(c - c.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _run(a):
    c, steps = a["c0"], []
    for t in range(a["x"].shape[0]):
        x = a["x"][t]
        s = {"c_prev": c, "x": x}
        s["zu"] = c @ a["Wuc"] + x @ a["Wux"] + a["bu"]                  # eq.1
        s["Gu"] = _sig(s["zu"])                                          # eq.2
        s["zr"] = c @ a["Wrc"] + x @ a["Wrx"] + a["br"]                  # eq.3
        s["Gr"] = _sig(s["zr"])                                          # eq.4
        s["zc"] = (s["Gr"] * c) @ a["Wcc"] + x @ a["Wcx"] + a["bc"]      # eq.5
        s["c~"] = np.tanh(s["zc"])                                       # eq.6
        c = s["Gu"] * s["c~"] + (1 - s["Gu"]) * c                        # eq.7
        s["c"] = c
        s["yhat"] = _softmax(c)                                          # eq.8
        steps.append(s)
    return steps


def _forward(**a):
    steps = _run(a)
    return (np.stack([-(y * np.log(s["yhat"])).sum(-1) for s, y in zip(steps, a["y"])]),)


def _backward(cts, a, w):
    steps = _run(a)
    g = {k: np.zeros_like(a[k]) for k in PARAMS}
    dx = np.zeros_like(a["x"])
    comp1_next = np.zeros_like(a["c0"])          # ∂J/∂c^⟨t⟩ Comp-1: from step t+1
    for t in range(len(steps) - 1, -1, -1):
        s, y, ct = steps[t], a["y"][t], cts[0][t][:, None]
        yh, c_prev, x = s["yhat"], s["c_prev"], s["x"]
        # 2.1.1 ∂J/∂ŷ = [y_1 … ; ŷ_1 …] read as y_k / ŷ_k   (J = −Σ y log ŷ: −y/ŷ)
        dyhat = ct * (y / yh if "2.1.1" in w else -y / yh)
        # 2.1.2 Comp-2 = ∂J/∂ŷ (diag(ŷ) − ŷ ŷᵀ); ∂J/∂c = Comp-1 + Comp-2
        comp2 = dyhat * yh - (dyhat * yh).sum(-1, keepdims=True) * yh
        dc = comp1_next + comp2
        # 2.1.3 ∂J/∂c̃ = ∂J/∂c ∘ Γ_u ;  ∂J/∂Γ_u = ∂J/∂c ∘ (c̃ − c^⟨t−1⟩)
        dct = dc * s["Gu"]
        dGu = dc * (s["c~"] - c_prev)
        # 2.1.4 ∂J/∂z_c = ∂J/∂c̃ ∘ (1 − tanh²(z_c)) ; ∂J/∂W_cc = (∂J/∂z_c)ᵀ (Γ_r ∘ c)ᵀ ; …
        dzc = dct * (1 - np.tanh(s["zc"]) ** 2)
        g["Wcc"] += (dzc.T @ (s["Gr"] * c_prev)).T
        g["Wcx"] += (dzc.T @ x).T
        g["bc"] += dzc.sum(0)
        # 2.1.5 ∂J/∂z_u = ∂J/∂Γ_u ∘ (Γ_u ∘ (1 − Γ_u)) ; ∂J/∂W_uc = (∂J/∂z_u)ᵀ cᵀ ; …
        dzu = dGu * (s["Gu"] * (1 - s["Gu"]))
        g["Wuc"] += (dzu.T @ c_prev).T
        g["Wux"] += (dzu.T @ x).T
        g["bu"] += dzu.sum(0)
        # 2.1.6 ∂J/∂Γ_r = (∂J/∂c̃ W_ccᵀ) ∘ c^⟨t−1⟩   (the chain passes z_c: ∂J/∂z_c)
        dGr = ((dct if "2.1.6" in w else dzc) @ a["Wcc"].T) * c_prev
        # 2.1.7 ∂J/∂z_r = ∂J/∂Γ_r ∘ (Γ_r ∘ (1 − Γ_r)) ; ∂J/∂W_rc = (∂J/∂z_r)ᵀ cᵀ ; …
        dzr = dGr * (s["Gr"] * (1 - s["Gr"]))
        g["Wrc"] += (dzr.T @ c_prev).T
        g["Wrx"] += (dzr.T @ x).T
        g["br"] += dzr.sum(0)
        # 2.1.8 ∂J/∂c^⟨t−1⟩: four components
        c1 = dc * (1 - s["Gu"])
        c2 = dzr @ a["Wrc"].T
        c3 = (dzr if "2.1.8-c3" in w else dzu) @ a["Wuc"].T     # as written: ∂J/∂z_r W_ucᵀ
        c4 = (dzc @ a["Wcc"].T) * s["Gr"]
        comp1_next = c1 + c2 + c3 + c4
        # 2.1.8 ∂J/∂x^⟨t⟩: three components (Comp-2 as written: ∂J/∂z_x W_uxᵀ)
        x2 = {"z_x as z_r": dzr}.get(w.get("2.1.8-x2"), dzu) @ a["Wux"].T
        dx[t] = dzr @ a["Wrx"].T + x2 + dzc @ a["Wcx"].T
    return {"x": dx, "c0": comp1_next, **g}


ARGS = {"x": (("T", "N", "nx"), U1), "c0": (("N", "na"), U1),
        "Wuc": (("na", "na"), U1), "Wux": (("nx", "na"), U1), "bu": (("na",), U1),
        "Wrc": (("na", "na"), U1), "Wrx": (("nx", "na"), U1), "br": (("na",), U1),
        "Wcc": (("na", "na"), U1), "Wcx": (("nx", "na"), U1), "bc": (("na",), U1),
        "y": (("T", "N", "na"), probabilities)}
GRU = Program("gru-004", _forward, _backward, ARGS,
              {"T": (2, 3), "N": (2, 2), "na": (2, 3), "nx": (2, 3)},
              tuple(k for k in ARGS if k != "y"))

SEC = "§2.1.{}"
CLAIMS = (
    Claim("004-2.1.1-dJ-dyhat", S4, SEC.format("1") + " ∂J/∂ŷ",
          r"= \begin{bmatrix} y_{1}^{\langle t \rangle} & y_{2}^{\langle t \rangle}",
          "∂J/∂ŷ^⟨t⟩ = [y_1/ŷ_1 … y_ny/ŷ_ny]", "∂J/∂ŷ^⟨t⟩ = −y^⟨t⟩ / ŷ^⟨t⟩ (J = −Σ y log ŷ)",
          GRU, "2.1.1", readings=(Reading("fraction", "the two-row bracket read as y_k over ŷ_k"),),
          module="gru_softmax_ce", check="grad:x"),
    Claim("004-2.1.2-sum", S4, SEC.format("2") + " ∂J/∂c^⟨t⟩, the sum",
          "These two components are added to compute the true derivative",
          "∂J/∂c^(t) = ∂J/∂c^(t)|Comp-1 (from step t+1) + ∂J/∂c^(t)|Comp-2 (from ŷ^⟨t⟩)", "same",
          GRU, "2.1.2-sum"),
    Claim("004-2.1.2-comp2", S4, SEC.format("2") + " ∂J/∂c^⟨t⟩ Comp-2",
          r"\left(\mathrm{diag}(\hat{\mathbf{y}}^{\langle t \rangle}) - \hat{\mathbf{y}}^{\langle t \rangle}(\hat{\mathbf{y}}^{\langle t \rangle})^{\mathsf{T}} \right)",
          "∂J/∂c^⟨t⟩|Comp-2 = ∂J/∂ŷ (diag(ŷ) − ŷ ŷᵀ)", "same", GRU,
          "2.1.2"),
    Claim("004-2.1.3", S4, SEC.format("3"),
          r"= \frac{\partial J}{\partial \mathbf{c}^{\langle t \rangle}} \circ \left(\tilde{\mathbf{c}}^{\langle t \rangle} - \mathbf{c}^{\langle t - 1 \rangle} \right)^{\mathsf{T}}",
          "∂J/∂c̃ = ∂J/∂c ∘ Γ_uᵀ; ∂J/∂Γ_u = ∂J/∂c ∘ (c̃ − c^⟨t−1⟩)ᵀ", "same", GRU, "2.1.3"),
    Claim("004-2.1.4", S4, SEC.format("4"),
          r"\Longrightarrow \frac{\partial J}{\partial \mathbf{W}_{cc}} = \left(\frac{\partial J}{\partial \mathbf{z}_{c}^{\langle t \rangle}}\right)^{\mathsf{T}}",
          "∂J/∂z_c = ∂J/∂c̃ ∘ (1 − tanh²(z_c))ᵀ; ∂J/∂W_cc = (∂J/∂z_c)ᵀ (Γ_r ∘ c^⟨t−1⟩)ᵀ; "
          "∂J/∂W_cx = (∂J/∂z_c)ᵀ xᵀ; ∂J/∂b_c = ∂J/∂z_c", "same", GRU, "2.1.4"),
    Claim("004-2.1.5", S4, SEC.format("5"),
          r"\Longrightarrow \frac{\partial J}{\partial \mathbf{W}_{uc}} = \left(\frac{\partial J}{\partial \mathbf{z}_{u}^{\langle t \rangle}}\right)^{\mathsf{T}}",
          "∂J/∂z_u = ∂J/∂Γ_u ∘ (Γ_u ∘ (1 − Γ_u))ᵀ; ∂J/∂W_uc = (∂J/∂z_u)ᵀ (c^⟨t−1⟩)ᵀ; "
          "∂J/∂W_ux = (∂J/∂z_u)ᵀ xᵀ; ∂J/∂b_u = ∂J/∂z_u", "same", GRU, "2.1.5"),
    Claim("004-2.1.6-dGamma-r", S4, SEC.format("6") + " ∂J/∂Γ_r",
          r"&= \left(\frac{\partial J}{\partial \tilde{\mathbf{c}}^{\langle t \rangle}} \mathbf{W}_{cc}^{\mathsf{T}} \right) \circ \left(\mathbf{c}^{\langle t - 1 \rangle} \right)^{\mathsf{T}}",
          "∂J/∂Γ_r = (∂J/∂c̃ W_ccᵀ) ∘ (c^⟨t−1⟩)ᵀ",
          "∂J/∂Γ_r = (∂J/∂z_c W_ccᵀ) ∘ (c^⟨t−1⟩)ᵀ: Γ_r ∘ c enters z_c, not c̃ (the tanh' "
          "factor of §2.1.4 is skipped)", GRU, "2.1.6", module="gru", check="grad:W_r",
          variants=("form=seed004",)),
    Claim("004-2.1.7", S4, SEC.format("7"),
          r"\Longrightarrow \frac{\partial J}{\partial \mathbf{W}_{rc}} = \left(\frac{\partial J}{\partial \mathbf{z}_{r}^{\langle t \rangle}}\right)^{\mathsf{T}}",
          "∂J/∂z_r = ∂J/∂Γ_r ∘ (Γ_r ∘ (1 − Γ_r))ᵀ; ∂J/∂W_rc = (∂J/∂z_r)ᵀ (c^⟨t−1⟩)ᵀ; "
          "∂J/∂W_rx = (∂J/∂z_r)ᵀ xᵀ; ∂J/∂b_r = ∂J/∂z_r", "same", GRU, "2.1.7"),
    Claim("004-2.1.8-c-comp1", S4, SEC.format("8") + " ∂J/∂c^⟨t−1⟩ Comp-1",
          r"= \frac{\partial J}{\partial \mathbf{c}^{\langle t \rangle}} \circ \left(\mathbf{1}_{(n_c,1)} - \Gamma_u^{\langle t \rangle} \right)^{\mathsf{T}}$$",
          "Comp-1 = ∂J/∂c^⟨t⟩ ∘ (1 − Γ_u)ᵀ", "same", GRU, "2.1.8-c1"),
    Claim("004-2.1.8-c-comp2", S4, SEC.format("8") + " ∂J/∂c^⟨t−1⟩ Comp-2",
          r"$$= \frac{\partial J}{\partial \mathbf{z}_r^{\langle t \rangle}} \mathbf{W}_{rc}^{\mathsf{T}}$$",
          "Comp-2 (from Γ_r, eq. 9-3) = ∂J/∂z_r W_rcᵀ", "same", GRU, "2.1.8-c2"),
    Claim("004-2.1.8-c-comp4", S4, SEC.format("8") + " ∂J/∂c^⟨t−1⟩ Comp-4",
          r"= \left(\frac{\partial J}{\partial \mathbf{z}_{c}^{\langle t \rangle}} \mathbf{W}_{cc}^{\mathsf{T}}\right) \circ \left(\Gamma_{r}^{\langle t \rangle}\right)^{\mathsf{T}}",
          "Comp-4 (from c̃, eq. 9-1) = (∂J/∂z_c W_ccᵀ) ∘ Γ_rᵀ", "same", GRU, "2.1.8-c4"),
    Claim("004-2.1.8-c-sum", S4, SEC.format("8") + " ∂J/∂c^⟨t−1⟩, the sum",
          "These four components are then added to compute the true derivative",
          "∂J/∂c^⟨t−1⟩ = Comp-1 + Comp-2 + Comp-3 + Comp-4", "same", GRU, "2.1.8-csum"),
    Claim("004-2.1.8-c-comp3", S4, SEC.format("8") + " ∂J/∂c^⟨t−1⟩ Comp-3",
          r"$$= \frac{\partial J}{\partial \mathbf{z}_{r}^{\langle t \rangle}} \mathbf{W}_{uc}^{\mathsf{T}}$$",
          "Comp-3 (from Γ_u, eq. 9-2) = ∂J/∂z_r W_ucᵀ",
          "Comp-3 = ∂J/∂z_u W_ucᵀ (the path through z_u, as the line before it says)", GRU,
          "2.1.8-c3", module="gru", check="grad:h0", variants=("form=seed004",)),
    Claim("004-2.1.8-x-comp1", S4, SEC.format("8") + " ∂J/∂x^⟨t⟩ Comp-1",
          r"= \frac{\partial J}{\partial \mathbf{z}_r^{\langle t \rangle}} \mathbf{W}_{rx}^{\intercal}",
          "Comp-1 (from Γ_r, eq. 9-3) = ∂J/∂z_r W_rxᵀ", "same", GRU, "2.1.8-x1"),
    Claim("004-2.1.8-x-comp3", S4, SEC.format("8") + " ∂J/∂x^⟨t⟩ Comp-3",
          r"$$= \frac{\partial J}{\partial \mathbf{z}_c^{\langle t \rangle}} \mathbf{W}_{cx}^{\mathsf{T}}$$",
          "Comp-3 (from c̃, eq. 9-1) = ∂J/∂z_c W_cxᵀ", "same", GRU, "2.1.8-x3"),
    Claim("004-2.1.8-x-sum", S4, SEC.format("8") + " ∂J/∂x^⟨t⟩, the sum",
          "These three components are then added to compute the true derivative",
          "∂J/∂x^⟨t⟩ = Comp-1 + Comp-2 + Comp-3", "same", GRU, "2.1.8-xsum"),
    Claim("004-2.1.8-x-comp2", S4, SEC.format("8") + " ∂J/∂x^⟨t⟩ Comp-2",
          r"$$= \frac{\partial J}{\partial \mathbf{z}_{x}^{\langle t \rangle}} \mathbf{W}_{ux}^{\mathsf{T}}$$",
          "Comp-2 (from Γ_u, eq. 9-2) = ∂J/∂z_x W_uxᵀ", "Comp-2 = ∂J/∂z_u W_uxᵀ", GRU, "2.1.8-x2",
          readings=(Reading("z_x as z_u", "the undefined z_x read as z_u, the left side of the "
                                          "same line's chain rule"),
                    Reading("z_x as z_r", "read as z_r, Comp-1's symbol"))),
)

TEXT_ERRATA = (
    TextErratum("004-2.1.1-heading", S4, SEC.format("1") + ", heading",
                r"2.1.1 Computing $\frac{\partial J}{\partial \hat{\mathbf{v}}^{\langle t \rangle}}$",
                "v̂ for ŷ in the heading"),
    TextErratum("004-figure2-caption", S4, "Figure 2 caption",
                "gradient-flow diagram for a LSTM-block", "'LSTM-block' in a GRU derivation"),
    TextErratum("004-n_c", S4, SEC.format("5") + ", " + SEC.format("7") + ", " + SEC.format("8"),
                r"\mathbf{1}_{(n_{c},1)}", "1_(n_c,1): n_c is never defined (n_a, the size of c)"),
    TextErratum("004-tr-J", S4, SEC.format("4") + ", " + SEC.format("5") + ", " + SEC.format("7"),
                r"$$\operatorname{tr}(J) = \operatorname{tr}", "'tr(J) = tr(∂J/∂z dz)': dJ is meant"),
    TextErratum("004-x-has-three", S4, SEC.format("8") + ", before ∂J/∂x's components",
                r"The derivative $\frac{\partial J}{\partial \mathbf{c}^{(t-1)}}$ has three components",
                "names ∂J/∂c^(t−1) where ∂J/∂x^⟨t⟩ is meant (the three components are x's)"),
    TextErratum("004-oplus-labels", S4, SEC.format("8"), r"(see \oplus labeled as β , β , and β in figure-2)",
                "the ⊕ labels are garbled (β, β, β)"),
    TextErratum("004-z_x", S4, SEC.format("8") + " ∂J/∂x Comp-2",
                r"\frac{\partial J}{\partial \mathbf{z}_{x}^{\langle t \rangle}}",
                "z_x is never defined (readings: claim 004-2.1.8-x-comp2)"),
)

UNTRANSCRIBED = (
    Untranscribed(S4, SEC.format("4") + ", " + SEC.format("5") + ", " + SEC.format("7") + ": eq. 9-1/9-2/9-3 and the trace steps",
                  r"+ \mathbf{W}_{cx}^{\dagger} d\mathbf{x}^{\langle t \rangle} + d\mathbf{b}_{c} \qquad \text{eq.9-1}",
                  "differentials and trace identities leading to the ⟹ results, which are "
                  "transcribed (claims 004-2.1.4/5/7); they have no value of their own to check"),
)
