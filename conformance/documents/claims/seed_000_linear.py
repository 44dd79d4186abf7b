"""000 (same text in 001): 'Linear modules' (FC, Conv-1D/2D/3D, Separable-Conv-2D) and 'BN'.

The convolutions are transcribed in the document's own index form: the forward is a true
convolution, y_{s,i} = Σ_p Σ_{i'} x_{p,i−i'} w_{s,p,i'} over the positions where every
index exists (output position o = i − (K − 1)), per axis for 2-D and 3-D (the text writes
Σ^K for every axis; kernels and feature maps are drawn non-square). The backward and
parameter pass read "w^T / x^T: rotate 180°" and the summation limits Σ^H in several ways;
each reading is a per-axis index map, and the sums are one einsum over one-hot maps.
"""

from __future__ import annotations

import itertools
import string

import numpy as np

from conformance.documents.claims import SEEDS
from conformance.documents.claims import Claim
from conformance.documents.claims import Program
from conformance.documents.claims import Reading
from conformance.documents.claims import uniform

S0, S1 = SEEDS["000"], SEEDS["001"]


# ------------------------------------------------------------------------------ FC
def _fc_forward(x, W, b):
    return (x @ W.T + b,)


def _fc_backward(cts, a, w):
    dy, x, W = cts[0], a["x"], a["W"]
    dx = dy @ W
    r = w.get("dW")
    if r == "I ⊗ xᵀ":       # dL/dy (I ⊗ xᵀ) per sample: a row of M·D entries dy_i x_j
        dW = sum((dy[n:n + 1] @ np.kron(np.eye(W.shape[0]), x[n:n + 1])).reshape(W.shape)
                 for n in range(x.shape[0]))
    elif r == "I ⊗ x":      # literally, x a column: (M·D × M), which dL/dy (1 × M) cannot meet
        dW = sum((dy[n:n + 1] @ np.kron(np.eye(W.shape[0]), x[n:n + 1].T)).reshape(W.shape)
                 for n in range(x.shape[0]))
    elif r == "as written":  # = x dL/dy: numerator layout (D × M), the transpose of W's shape
        dW = sum(np.outer(x[n], dy[n]) for n in range(x.shape[0])).T
    else:
        dW = dy.T @ x
    db = dy.sum(axis=0)
    return {"x": dx, "W": dW, "b": db}


FC = Program("fc", _fc_forward, _fc_backward,
             {"x": (("N", "D"), uniform(-1, 1)), "W": (("M", "D"), uniform(-1, 1)),
              "b": (("M",), uniform(-1, 1))}, {"N": (2, 3), "D": (2, 4), "M": (2, 4)},
             ("x", "W", "b"))


# ------------------------------------------------------------------------------ conv
def _true_conv(x, w):
    """y[n,s,o] = Σ_p Σ_k x[n,p,o+K−1−k] w[s,p,k] per axis (the index form, valid region)."""
    nd = w.ndim - 2
    K = w.shape[2:]
    O = tuple(x.shape[2 + a] - K[a] + 1 for a in range(nd))
    y = np.zeros((x.shape[0], w.shape[0]) + O)
    for k in itertools.product(*(range(kk) for kk in K)):
        sl = tuple(slice(K[a] - 1 - k[a], K[a] - 1 - k[a] + O[a]) for a in range(nd))
        y += np.einsum("np...,sp->ns...", x[(slice(None), slice(None)) + sl], w[(..., *k)])
    return y


def _onehot(n_rows, n_cols, n_idx, index_of):
    """E[r, c, index_of(r, c)] = 1 where that index is in range."""
    E = np.zeros((n_rows, n_cols, n_idx))
    for r in range(n_rows):
        for c in range(n_cols):
            i = index_of(r, c)
            if 0 <= i < n_idx:
                E[r, c, i] = 1.0
    return E


# kernel index of w^T_{i−i'} met by input position j and output position o (dx), and input
# index of x^T_{k−i'} met by kernel index k and output position o (dw), per reading
DX_MAPS = {"flip": lambda j, o, K, H: K - 1 - (j - o),
           "negate-0": lambda j, o, K, H: -(j - o),
           "negate": lambda j, o, K, H: (o + K - 1) - j}
DW_MAPS = {"flip": lambda k, o, K, H: H - 1 - (k - o),
           "negate-0": lambda k, o, K, H: -(k - o),
           "negate": lambda k, o, K, H: (o + K - 1) - k}
READINGS = (
    Reading("flip", "rotate 180° = flip within the array (a^T_m = a_{L−1−m}); i' counts "
                    "output positions from 0"),
    Reading("negate-0", "rotate 180° = index negation (a^T_m = a_{−m}); i' counts output "
                        "positions from 0"),
    Reading("negate", "rotate 180° = index negation; i' is the index form's own output index "
                      "(i' = o + K − 1)"),
)
LIMIT_H = Reading("negate, Σ^H", "as 'negate', with every output axis summed to H (the "
                                 "output height) as the limits Σ^H read literally")
CORR_DX = lambda j, o, K, H: o + K - 1 - j   # noqa: E731
CORR_DW = lambda k, o, K, H: o + K - 1 - k   # noqa: E731


def _limited(dy, L, nd):
    """dy with every spatial axis cut or zero-padded to L positions (the Σ^H reading)."""
    out = np.zeros(dy.shape[:2] + (L,) * nd)
    sl = tuple(slice(0, min(L, s)) for s in dy.shape[2:])
    out[(slice(None), slice(None)) + sl] = dy[(slice(None), slice(None)) + sl]
    return out


def _conv_dx(dy, w, H, reading):
    nd = w.ndim - 2
    K = w.shape[2:]
    base, limit = ((reading or "").split(", ") + [""])[:2]
    f = CORR_DX if reading is None else DX_MAPS[base]
    if limit:
        dy = _limited(dy, dy.shape[2], nd)
    O = dy.shape[2:]
    E = [_onehot(H[a], O[a], K[a], lambda j, o, a=a: f(j, o, K[a], H[a])) for a in range(nd)]
    L = string.ascii_lowercase
    o_, k_, j_ = L[:nd], L[nd:2 * nd], L[2 * nd:3 * nd]
    spec = (f"ns{o_},sp{k_}," + ",".join(f"{j_[a]}{o_[a]}{k_[a]}" for a in range(nd))
            + f"->np{j_}")
    return np.einsum(spec, dy, w, *E)


def _conv_dw(dy, x, K, reading):
    nd = x.ndim - 2
    H = x.shape[2:]
    base, limit = ((reading or "").split(", ") + [""])[:2]
    f = CORR_DW if reading is None else DW_MAPS[base]
    if limit:
        dy = _limited(dy, dy.shape[2], nd)
    O = dy.shape[2:]
    F = [_onehot(K[a], O[a], H[a], lambda k, o, a=a: f(k, o, K[a], H[a])) for a in range(nd)]
    L = string.ascii_lowercase
    o_, k_, j_ = L[:nd], L[nd:2 * nd], L[2 * nd:3 * nd]
    spec = (f"ns{o_},np{j_}," + ",".join(f"{k_[a]}{o_[a]}{j_[a]}" for a in range(nd))
            + f"->sp{k_}")
    return np.einsum(spec, dy, x, *F)


def _conv_program(nd):
    ax = "HWD"[:nd]
    dims = {"N": (2, 2), "C": (2, 2), "M": (2, 2)}
    for a in ax:
        dims[f"K{a}"] = (2, 3) if nd < 3 else (2, 2)
        dims[f"O{a}"] = (1, 3) if nd < 3 else (1, 2)
        dims[a] = (lambda a: lambda d: d[f"O{a}"] + d[f"K{a}"] - 1)(a)
    args = {"x": (("N", "C", *ax), uniform(-1, 1)),
            "w": (("M", "C", *(f"K{a}" for a in ax)), uniform(-1, 1))}

    def backward(cts, a, w):
        dy = cts[0]
        rx, rw = w.get("dx"), w.get("dw")
        return {"x": _conv_dx(dy, a["w"], a["x"].shape[2:], rx),
                "w": _conv_dw(dy, a["x"], a["w"].shape[2:], rw)}

    return Program(f"conv{nd}d", lambda x, w: (_true_conv(x, w),), backward, args, dims,
                   ("x", "w"))


CONV = {nd: _conv_program(nd) for nd in (1, 2, 3)}
CONV_QUOTES = {
    1: (r"=\sum\limits_{s}^M\sum\limits_{i'}^Hw_{s,p,i-i'}^T\cdot{\frac{\partial{L}}{\partial{y_{s,i'}}}}",
        r"=\sum\limits_{i'}^Hx_{p,i-i'}^T\cdot{\frac{\partial{L}}{\partial{y_{s,i'}}}}"),
    2: (r"\sum\limits_{i'}^H\sum\limits_{j'}^Hw_{s,p,i-i',j-j'}^T",
        r"\sum\limits_{i'}^H\sum\limits_{j'}^Hx_{p,i-i',j-j'}^T"),
    3: (r"\sum\limits_{i'}^H\sum\limits_{j'}^H\sum\limits_{k'}^Hw_{s,p,i-i',j-j',k-k'}^T",
        r"\sum\limits_{i'}^H\sum\limits_{j'}^H\sum\limits_{k'}^Hx_{p,i-i',j-j',k-k'}^T"),
}


def _conv_claims():
    out = []
    idx = {1: "i", 2: "i,j", 3: "i,j,k"}
    for nd in (1, 2, 3):
        rs = READINGS + ((LIMIT_H,) if nd > 1 else ())
        i = idx[nd]
        out.append(Claim(
            id=f"000-conv{nd}d-dx", seed=S0, also=(S1,), where=f"'Conv-{nd}D', backward-pass",
            quote=CONV_QUOTES[nd][0], program=CONV[nd], line="dx", readings=rs,
            as_written=f"∂L/∂x_{{p,{i}}} = Σ_s^M Σ^H w^T_{{s,p,{i}−{i}'}} · ∂L/∂y_{{s,{i}'}}, "
                       "w^T: rotate 180°",
            corrected=f"∂L/∂x_{{p,j}} = Σ_s Σ_o w_{{s,p,o+K−1−j}} ∂L/∂y_{{s,o}} (per axis, o "
                      "over the output grid)"))
        out.append(Claim(
            id=f"000-conv{nd}d-dw", seed=S0, also=(S1,), where=f"'Conv-{nd}D', parameter-pass",
            quote=CONV_QUOTES[nd][1], program=CONV[nd], line="dw", readings=rs,
            as_written=f"∂L/∂w_{{s,p,{i}}} = Σ^H x^T_{{p,{i}−{i}'}} · ∂L/∂y_{{s,{i}'}}, "
                       "x^T: rotate 180°",
            corrected="∂L/∂w_{s,p,k} = Σ_n Σ_o x_{p,o+K−1−k} ∂L/∂y_{s,o} (per axis)"))
    return out


# ------------------------------------------------------------------------------ separable
def _sep_forward(x, w1, w2):
    o = _true_conv_depthwise(x, w1)
    return (np.einsum("npij,sp->nsij", o, w2),)


def _true_conv_depthwise(x, w1):
    C = x.shape[1]
    return np.concatenate([_true_conv(x[:, p:p + 1], w1[p][None, None]) for p in range(C)], 1)


def _sep_backward(cts, a, w):
    dy, x, w1, w2 = cts[0], a["x"], a["w1"], a["w2"]
    C = x.shape[1]
    # dL/do_p = Σ_s w2_{s,p} dL/dy_s ; then the Conv-2D adjoints per channel
    if w.get("dx") == "w¹ indexed by s":
        if w2.shape[0] > w1.shape[0]:
            raise IndexError(f"w^1 has {w1.shape[0]} channels, s runs to {w2.shape[0]}")
        dx = np.stack([sum(w2[s, p] * _conv_dx(dy[:, s:s + 1], w1[s][None, None],
                                              x.shape[2:], "negate")[:, 0]
                           for s in range(w2.shape[0])) for p in range(C)], 1)
    else:  # 's dropped' (w^1_{p,...}) or corrected
        dx = np.stack([sum(w2[s, p] * _conv_dx(dy[:, s:s + 1], w1[p][None, None],
                                              x.shape[2:], None if not w.get("dx") else "negate")[:, 0]
                           for s in range(w2.shape[0])) for p in range(C)], 1)
    dw1 = np.stack([sum(w2[s, p] * _conv_dw(dy[:, s:s + 1], x[:, p:p + 1], w1.shape[1:],
                                            "negate" if w.get("dw1") else None)[0, 0]
                        for s in range(w2.shape[0])) for p in range(C)], 0)
    o = _true_conv_depthwise(x, w1)
    if w.get("dw2") == "Σ^H on both axes":
        L = dy.shape[2]
        dw2 = np.einsum("nsij,npij->sp", _limited(dy, L, 2), _limited(o, L, 2))
    else:
        dw2 = np.einsum("nsij,npij->sp", dy, o)
    return {"x": dx, "w1": dw1, "w2": dw2}


SEP = Program("separable_conv2d", _sep_forward, _sep_backward,
              {"x": (("N", "C", "H", "W"), uniform(-1, 1)), "w1": (("C", "KH", "KW"), uniform(-1, 1)),
               "w2": (("M", "C"), uniform(-1, 1))},
              {"N": (2, 2), "C": (2, 3), "M": (2, 3), "KH": (2, 3), "KW": (2, 3), "OH": (1, 3),
               "OW": (1, 3), "H": lambda d: d["OH"] + d["KH"] - 1,
               "W": lambda d: d["OW"] + d["KW"] - 1}, ("x", "w1", "w2"))


# ------------------------------------------------------------------------------ BN
EPS = 1e-3


def _bn_forward(x, gamma, beta):
    mu, var = x.mean(0), x.var(0)
    return (gamma * (x - mu) / np.sqrt(var + EPS) + beta,)


def _bn_backward(cts, a, w):
    dy, x, g = cts[0], a["x"], a["gamma"]
    M = x.shape[0]
    mu, var = x.mean(0), x.var(0)
    inv = 1 / np.sqrt(var + EPS)
    m_index = np.arange(1, M + 1)[:, None]              # the running index m, 1-based
    dvar = (dy * g * (x - mu) * -0.5 * (var + EPS) ** -1.5).sum(0)
    if w.get("dmu") == "running index m":
        dmu = (dy * g * -inv).sum(0) + dvar * (-(2 * (x - mu) / m_index).sum(0))
    else:
        dmu = (dy * g * -inv).sum(0) + dvar * (-(2 * (x - mu)).sum(0)) / M
    m = m_index if w.get("dx") == "the sample's index m" else M
    dx = dy * g * inv + dmu / m + dvar * 2 / m * (x - mu)
    dgamma = (dy * (x - mu) * inv).sum(0)
    dbeta = dy.sum(0)
    return {"x": dx, "gamma": dgamma, "beta": dbeta}


BN = Program("batch_norm", _bn_forward, _bn_backward,
             {"x": (("M", "C"), uniform(-1, 1)), "gamma": (("C",), uniform(0.5, 1.5)),
              "beta": (("C",), uniform(-1, 1))}, {"M": (2, 4), "C": (2, 3)},
             ("x", "gamma", "beta"), note=f"ε = {EPS}; x is (batch M, features C)")

BN_WHERE = "'BN', backward-pass"
CLAIMS = (
    Claim("000-fc-dx", S0, "'FC', backward-pass",
          r"\frac{\partial{L}}{\partial{\vec{x}}}=\frac{\partial{L}}{\partial{\vec{y}}}W",
          "∂L/∂x = ∂L/∂y W", "same", FC, "dx", also=(S1,), module="linear", check="grad:x"),
    Claim("000-fc-dW-kron", S0, "'FC', parameter-pass, first form",
          r"=\frac{\partial{L}}{\partial{\vec{y}}}(I\otimes\vec{x})",
          "∂L/∂W = ∂L/∂y (I ⊗ x)", "∂L/∂W_{ij} = ∂L/∂y_i x_j (summed over the batch)", FC, "dW",
          also=(S1,), readings=(Reading("I ⊗ xᵀ", "x enters the Kronecker product as a row"),
                                Reading("I ⊗ x", "x a column vector, as the notation says"))),
    Claim("000-fc-dW", S0, "'FC', parameter-pass, second form", r"=\vec{x}\frac{\partial{L}}{\partial{\vec{y}}}",
          "∂L/∂W = x ∂L/∂y (numerator layout: the transpose of W's shape)",
          "∂L/∂W = (∂L/∂y)ᵀ xᵀ in W's shape", FC, "dW", also=(S1,), module="linear", check="grad:w"),
    Claim("000-fc-db", S0, "'FC', parameter-pass", r"\\\frac{\partial{L}}{\partial{\vec{b}}}=\frac{\partial{L}}{\partial{\vec{y}}}",
          "∂L/∂b = ∂L/∂y", "same (summed over the batch)", FC, "db", also=(S1,)),
    *_conv_claims(),
    Claim("000-separable-dx", S0, "'Separable-Conv-2D', backward-pass",
          r"w_{s,p,i-i',j-j'}^{1,T}", "∂L/∂x_{p,i,j} = Σ_s^M w²_{s,p} Σ^H Σ^H w^{1,T}_{s,p,i−i',j−j'} · ∂L/∂y_{s,i',j'}",
          "∂L/∂x_{p,i,j} = Σ_s w²_{s,p} Σ_{i',j'} w^{1,T}_{p,i−i',j−j'} ∂L/∂y_{s,i',j'} (w¹ has no index s)",
          SEP, "dx", also=(S1,),
          readings=(Reading("s dropped", "w^{1,T}_{s,p,…} read as w^{1,T}_{p,…}; rotation as in "
                                         "Conv-2D ('negate')"),
                    Reading("w¹ indexed by s", "w^{1,T}_{s,…}: s as w¹'s channel index")),
          note="001 names the section 'SeparableConv-2D'"),
    Claim("000-separable-dw1", S0, "'Separable-Conv-2D', parameter-pass",
          r"\frac{\partial{L}}{\partial{w_{p,i,j}^1}}&=\sum\limits_{s}^Mw_{s,p}^2",
          "∂L/∂w¹_{p,i,j} = Σ_s^M w²_{s,p} Σ^H Σ^H x^T_{p,i−i',j−j'} · ∂L/∂y_{s,i',j'}", "same",
          SEP, "dw1", also=(S1,), readings=(Reading("negate", READINGS[2].text),)),
    Claim("000-separable-dw2", S0, "'Separable-Conv-2D', parameter-pass",
          r"\frac{\partial{L}}{\partial{w_{s,p}^2}}&=\sum\limits_{i}^H\sum\limits_{j}^H",
          "∂L/∂w²_{s,p} = Σ_i^H Σ_j^H ∂L/∂y_{s,i,j} · o_{p,i,j}",
          "∂L/∂w²_{s,p} = Σ over the output grid (rows and columns) of ∂L/∂y_{s,i,j} o_{p,i,j}",
          SEP, "dw2", also=(S1,),
          readings=(Reading("per axis", "Σ^H Σ^H: each sum over its own axis"),
                    Reading("Σ^H on both axes", "both sums to H, the output height"))),
    Claim("000-bn-dvar", S0, BN_WHERE, r"(-\frac{1}{2})(\sigma_B^2+\epsilon)^{-\frac{3}{2}}",
          "∂L/∂σ²_B = Σ_m ∂L/∂y_m γ (x_m − μ_B)(−1/2)(σ²_B + ε)^{−3/2}", "same", BN, "dvar",
          also=(S1,)),
    Claim("000-bn-dmu", S0, BN_WHERE, r"\frac{-\sum\limits_m2(x_m-\mu_B)}{m}",
          "∂L/∂μ_B = Σ_m ∂L/∂y_m γ (−1/√(σ²_B+ε)) + ∂L/∂σ²_B (−Σ_m 2(x_m − μ_B))/m",
          "the divisor is the batch size M (then the second term is exactly 0)", BN, "dmu",
          also=(S1,), readings=(Reading("M", "m read as the batch size M"),
                                Reading("running index m", "m the summation index (1-based), "
                                                           "inside the sum"))),
    Claim("000-bn-dx", S0, BN_WHERE,
          r"\frac{\partial{L}}{\partial{\mu_B}}\frac{1}{m}+\frac{\partial{L}}{\partial{\sigma_B^2}}\frac{2}{m}(x_m-\mu_B)",
          "∂L/∂x_m = ∂L/∂y_m γ/√(σ²_B+ε) + ∂L/∂μ_B (1/m) + ∂L/∂σ²_B (2/m)(x_m − μ_B)",
          "∂L/∂x_m = ∂L/∂y_m γ/√(σ²_B+ε) + ∂L/∂μ_B/M + ∂L/∂σ²_B · 2(x_m − μ_B)/M (M: batch size)",
          BN, "dx", also=(S1,), module="batch_norm", check="grad:x",
          readings=(Reading("M", "m read as the batch size M (the forward's 1/M)"),
                    Reading("the sample's index m", "m as written: the index of x_m (1-based)"))),
    Claim("000-bn-dgamma", S0, "'BN', parameter-pass",
          r"\frac{\partial{L}}{\partial{\gamma}}&=\sum\limits_m\frac{\partial{L}}{\partial{y_m}}\frac{x_m-\mu_B}{\sqrt{\sigma_B^2+\epsilon}}",
          "∂L/∂γ = Σ_m ∂L/∂y_m (x_m − μ_B)/√(σ²_B+ε)", "same", BN, "dgamma", also=(S1,)),
    Claim("000-bn-dbeta", S0, "'BN', parameter-pass",
          r"\frac{\partial{L}}{\partial{\beta}}&=\sum\limits_m\frac{\partial{L}}{\partial{y_m}}",
          "∂L/∂β = Σ_m ∂L/∂y_m", "same", BN, "dbeta", also=(S1,)),
)
