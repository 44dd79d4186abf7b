"""000 (same text in 001): the table 'Parameter-free modules', column Backward-pass.

Every row's backward transcribed as written (vectors as rows of a batch, numerator layout:
dL/dx has x's shape). The forward of each row is the table's own Forward-pass.
"""

from __future__ import annotations

import numpy as np

from conformance.documents.claims import SEEDS
from conformance.documents.claims import Claim
from conformance.documents.claims import Program
from conformance.documents.claims import Reading
from conformance.documents.claims import TextErratum
from conformance.documents.claims import mask
from conformance.documents.claims import probabilities
from conformance.documents.claims import small_integers
from conformance.documents.claims import uniform

S0, S1 = SEEDS["000"], SEEDS["001"]
ROW = "table 'Parameter-free modules', row '{}', Backward-pass"
X2 = {"x": (("N", "D"), uniform(-2, 2))}
ND = {"N": (2, 3), "D": (2, 4)}
ALPHA, LAM, SELU_A, Q = 0.7, 1.0507009873554805, 1.6732632423543772, 0.3


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _row(name, fwd, written, corrected, args=X2, dims=ND, wrt=("x",), direction=None):
    """A one-line program: backward = the row as written (line 'row') or corrected."""
    def backward(cts, a, w):
        return (written if "row" in w else corrected)(cts[0], **a)
    return Program(name, lambda **a: (fwd(**a),), backward, args, dims, wrt, direction)


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _maxpool_fwd(x, P, Q, U):
    n, c, h, w = x.shape
    ho, wo = (h - P) // U + 1, (w - Q) // U + 1
    return np.array([[[[x[b, ch, U * i:U * i + P, U * j:U * j + Q].max() for j in range(wo)]
                       for i in range(ho)] for ch in range(c)] for b in range(n)])


def _maxpool_bwd(dy, x, win):
    """Route dL/dy_{i',j'} to the argmax of the window x_{Ui':Ui'+win[0], Uj':Uj'+win[1]}."""
    (P, Q), U = win
    out = np.zeros_like(x)
    n, c, ho, wo = dy.shape
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    win_ = x[b, ch, U * i:U * i + P, U * j:U * j + Q]
                    a, bb = np.unravel_index(np.argmax(win_), win_.shape)
                    out[b, ch, U * i + a, U * j + bb] += dy[b, ch, i, j]
    return out


def _pool_program(name, fwd, bwd_written, bwd_corrected):
    dims = {"N": (2, 2), "C": (2, 2), "P": (2, 3), "Q": (2, 3), "U": (1, 3),
            "Ho": (1, 3), "Wo": (1, 3),
            "H": lambda d: d["U"] * (d["Ho"] - 1) + d["P"],
            "W": lambda d: d["U"] * (d["Wo"] - 1) + d["Q"],
            "p": lambda d: d["P"], "q": lambda d: d["Q"], "u": lambda d: d["U"]}
    args = {"x": (("N", "C", "H", "W"), uniform(-2, 2))}

    def sizes(a):
        return int(a["P"]), int(a["Q"]), int(a["U"])

    def forward(x, P, Q, U):
        return (fwd(x, int(P), int(Q), int(U)),)

    def backward(cts, a, w):
        P, Qq, U = sizes(a)
        f = bwd_written if "row" in w else bwd_corrected
        return {"x": f(cts[0], a["x"], P, Qq, U, w.get("row"))}

    # the window sizes and stride are arguments of the forward, drawn as dims, not differentiated
    return Program(name, forward, backward, {**args, "P": (("p",), _const), "Q": (("q",), _const),
                                             "U": (("u",), _const)}, dims, ("x",))


def _const(shape, rng):
    """An integer-valued 0-d attribute carried as an argument (its dims entry is its value)."""
    return np.array(float(shape[0]))


def _avgpool_fwd(x, P, Q, U):
    n, c, h, w = x.shape
    ho, wo = (h - P) // U + 1, (w - Q) // U + 1
    y = np.zeros((n, c, ho, wo))
    for p in range(P):
        for q in range(Q):
            y += x[:, :, p:p + U * (ho - 1) + 1:U, q:q + U * (wo - 1) + 1:U]
    return y / (P * Q)


def _avgpool_bwd(dy, x, P, Q, U, reading):
    """dL/dx_{i,j} = 1/(pq) Σ_{(i−p)/U}^P Σ_{(j−q)/U}^Q dL/dy_{(i−p)/U,(j−q)/U}."""
    out = np.zeros_like(x)
    ho, wo = dy.shape[2:]
    for i in range(x.shape[2]):
        for j in range(x.shape[3]):
            for p in range(P):
                for q in range(Q):
                    if reading == "floor":
                        a, b = (i - p) // U, (j - q) // U   # (i−p)/U rounded down, any i−p
                    else:
                        if (i - p) % U or (j - q) % U:
                            continue                          # only exact windows
                        a, b = (i - p) // U, (j - q) // U
                    if 0 <= a < ho and 0 <= b < wo:
                        out[:, :, i, j] += dy[:, :, a, b] / (P * Q)
    return out


def _ties_direction(a):
    return {"x": np.ones_like(a["x"])}


def _max_written(dy, x):
    return {"x": dy[:, None] * (x == x.max(axis=1, keepdims=True))}


def _max_corrected(dy, x):
    hit = (x == x.max(axis=1, keepdims=True)).astype(float)
    return {"x": dy[:, None] * hit / hit.sum(axis=1, keepdims=True)}


def _c(id, row, quote, as_written, corrected, program, module, check="grad:x", readings=None,
       variants=None, note=""):
    return Claim(id=id, seed=S0, also=(S1,), where=ROW.format(row), quote=quote,
                 as_written=as_written, corrected=corrected, program=program, line="row",
                 readings=readings or (Reading("as written"),), module=module, check=check,
                 variants=variants, note=note)


AB = {"a": (("N", "D"), uniform(-2, 2)), "b": (("N", "D"), uniform(-2, 2))}
CLAIMS = (
    _c("000-add-da", "Add", r"\frac{\partial{L}}{\partial{\vec{a}}} = \frac{\partial{L}}{\partial\vec{y}}",
       "∂L/∂a = ∂L/∂y", "∂L/∂a = ∂L/∂y",
       _row("add", lambda a, b: a + b, lambda dy, a, b: {"a": dy}, lambda dy, a, b: {"a": dy},
            args=AB, wrt=("a",)), "add", "grad:a"),
    _c("000-multiply-da", "Multiply", r"=\frac{\partial{L}}{\partial{\vec{y}}}\odot\vec{b}",
       "∂L/∂a = ∂L/∂y ⊙ b", "∂L/∂a = ∂L/∂y ⊙ b",
       _row("multiply", lambda a, b: a * b, lambda dy, a, b: {"a": dy * b},
            lambda dy, a, b: {"a": dy * b}, args=AB, wrt=("a",)), "multiply", "grad:a"),
    _c("000-sum", "Sum", r"=\frac{\partial{L}}{\partial{y}}\vec{1}^T",
       "∂L/∂x = ∂L/∂y 1ᵀ", "∂L/∂x = ∂L/∂y 1ᵀ",
       _row("sum", lambda x: x.sum(axis=1), lambda dy, x: {"x": dy[:, None] * np.ones_like(x)},
            lambda dy, x: {"x": dy[:, None] * np.ones_like(x)}), "sum"),
    _c("000-max-ties", "Max", r"\text{if }i\text{ was maximal}",
       "∂L/∂x_i = ∂L/∂y if i was maximal, 0 otherwise",
       "at k tied maxima each gets ∂L/∂y / k (any convex weights: a subgradient; along the "
       "all-ones direction max(x + t·1) = max(x) + t)",
       _row("max", lambda x: x.max(axis=1), _max_written, _max_corrected,
            args={"x": (("N", "D"), small_integers(0, 2))}, direction=_ties_direction),
       "max", variants=("ties",),
       note="searched on small integers (ties) along the all-ones direction"),
    _c("000-switch", "Switch", r"\odot\vec{s}^T", "∂L/∂x = ∂L/∂y ⊙ sᵀ", "∂L/∂x = ∂L/∂y ⊙ s",
       _row("switch", lambda x, s: s * x, lambda dy, x, s: {"x": dy * s},
            lambda dy, x, s: {"x": dy * s}, args={**X2, "s": (("N", "D"), mask)}), "switch"),
    _c("000-relu", "Relu", r"\frac{\partial{L}}{\partial{y_i}}&\hspace{42pt}\text{if }x_i>0",
       "∂L/∂x_i = ∂L/∂y_i if x_i > 0, else 0", "same",
       _row("relu", lambda x: np.maximum(0, x), lambda dy, x: {"x": dy * (x > 0)},
            lambda dy, x: {"x": dy * (x > 0)}), "relu"),
    _c("000-leaky-relu", "Leaky Relu", r"0.01\frac{\partial{L}}{\partial{y_i}}",
       "∂L/∂x_i = ∂L/∂y_i if x_i > 0, else 0.01 ∂L/∂y_i", "same",
       _row("leaky", lambda x: np.maximum(0.01 * x, x),
            lambda dy, x: {"x": np.where(x > 0, dy, 0.01 * dy)},
            lambda dy, x: {"x": np.where(x > 0, dy, 0.01 * dy)}), "leaky_relu"),
    _c("000-elu", "Elu", r"\frac{\partial{L}}{\partial{y_i}}(y_i+\alpha)",
       "∂L/∂x_i = ∂L/∂y_i if x_i > 0, else ∂L/∂y_i (y_i + α)", "same",
       _row("elu", lambda x: np.where(x > 0, x, ALPHA * (np.exp(x) - 1)),
            lambda dy, x: {"x": np.where(x > 0, dy, dy * (ALPHA * (np.exp(x) - 1) + ALPHA))},
            lambda dy, x: {"x": np.where(x > 0, dy, dy * ALPHA * np.exp(x))}), None,
       note=f"α = {ALPHA}"),
    _c("000-selu", "Selu", r"\frac{\partial{L}}{\partial{y_i}}(y_i+\lambda\alpha)",
       "∂L/∂x_i = ∂L/∂y_i λ if x_i > 0, else ∂L/∂y_i (y_i + λα)", "same",
       _row("selu", lambda x: np.where(x > 0, LAM * x, LAM * SELU_A * (np.exp(x) - 1)),
            lambda dy, x: {"x": np.where(x > 0, dy * LAM,
                                         dy * (LAM * SELU_A * (np.exp(x) - 1) + LAM * SELU_A))},
            lambda dy, x: {"x": np.where(x > 0, dy * LAM, dy * LAM * SELU_A * np.exp(x))}),
       "selu"),
    _c("000-sigmoid", "Sigmoid", r"diag(\vec{y}(\vec{1}-\vec{y})^T)",
       "∂L/∂x = ∂L/∂y diag(y (1 − y)ᵀ)", "∂L/∂x = ∂L/∂y ⊙ y ⊙ (1 − y)",
       _row("sigmoid", _sig, lambda dy, x: {"x": dy * _diag_outer(_sig(x), 1 - _sig(x))},
            lambda dy, x: {"x": dy * _sig(x) * (1 - _sig(x))}), "sigmoid",
       note="diag(·) of the outer product y (1 − y)ᵀ: its diagonal y_i (1 − y_i)"),
    _c("000-softmax", "Softmax", r"=\vec{s}^T-\vec{y}^T\sum\limits_{\forall{i}}s_i",
       "∂L/∂x = sᵀ − yᵀ Σ_i s_i, s_i = ∂L/∂y_i y_i", "same",
       _row("softmax", _softmax,
            lambda dy, x: {"x": dy * _softmax(x) - _softmax(x) * (dy * _softmax(x)).sum(1, keepdims=True)},
            lambda dy, x: {"x": _softmax(x) * (dy - (dy * _softmax(x)).sum(1, keepdims=True))}),
       "softmax"),
    _c("000-softplus", "Softplus", r"diag(\frac{e^{x_i}}{e^{x_i}+1})",
       "∂L/∂x = ∂L/∂y diag(e^{x_i}/(e^{x_i} + 1))", "same",
       _row("softplus", lambda x: np.log(np.exp(x) + 1),
            lambda dy, x: {"x": dy * np.exp(x) / (np.exp(x) + 1)},
            lambda dy, x: {"x": dy * _sig(x)}), "softplus"),
    _c("000-tanh", "Tanh", r"diag(I-\vec{y}\vec{y}^T)",
       "∂L/∂x = ∂L/∂y diag(I − y yᵀ)", "∂L/∂x = ∂L/∂y ⊙ (1 − y²)",
       _row("tanh", lambda x: np.tanh(x), lambda dy, x: {"x": dy * _diag_outer_i(np.tanh(x))},
            lambda dy, x: {"x": dy * (1 - np.tanh(x) ** 2)}), "tanh",
       note="diag(I − y yᵀ): the diagonal 1 − y_i²"),
    _c("000-cross-entropy", "Cross-Entropy", r"=-\frac{p_i}{x_i}",
       "∂L/∂x_i = −p_i / x_i", "same",
       _row("ce", lambda x, p: -(p * np.log(x)).sum(axis=1),
            lambda dy, x, p: {"x": dy[:, None] * (-p / x)},
            lambda dy, x, p: {"x": -dy[:, None] * p / x},
            args={"x": (("N", "D"), uniform(0.05, 1.0)), "p": (("N", "D"), probabilities)}),
       "cross_entropy"),
    _c("000-squared-error", "Squared Error", r"=-2(\vec{t}-\vec{x})^T",
       "∂L/∂x = −2 (t − x)ᵀ", "same",
       _row("se", lambda x, t: ((t - x) ** 2).sum(axis=1),
            lambda dy, x, t: {"x": dy[:, None] * (-2 * (t - x))},
            lambda dy, x, t: {"x": 2 * dy[:, None] * (x - t)},
            args={**X2, "t": (("N", "D"), uniform(-2, 2))}), "squared_error"),
    _c("000-max-pool-window", "MaxPooling-2D",
       r"\argmax\limits_{i',j'}\{x_{Ui':Ui'+p,Uj':Uj'+p}\}=i,j",
       "∂L/∂x_{i,j} = Σ_{i'}^H Σ_{j'}^H ∂L/∂y_{i',j'} if argmax_{i',j'}{x_{Ui':Ui'+p, Uj':Uj'+p}} = i,j",
       "the window is p×q, as in the forward: argmax of x_{Ui':Ui'+p, Uj':Uj'+q}; i', j' run "
       "over the output grid",
       _pool_program("max_pool2d", _maxpool_fwd,
                     lambda dy, x, P, Q, U, r: _maxpool_bwd(dy, x, ((P, P), U)),
                     lambda dy, x, P, Q, U, r: _maxpool_bwd(dy, x, ((P, Q), U))),
       "max_pool2d", variants=("k=2x3,s=1x2",),
       note="001 names the row 'MaxPooling2D'"),
    _c("000-avg-pool", "AveragePooling-2D",
       r"\frac{1}{pq}\sum\limits_{\frac{i-p}{U}}^P\sum\limits_{\frac{j-q}{U}}^Q",
       "∂L/∂x_{i,j} = 1/(pq) Σ_{(i−p)/U}^P Σ_{(j−q)/U}^Q ∂L/∂y_{(i−p)/U,(j−q)/U}",
       "∂L/∂x_{i,j} = 1/(PQ) Σ over window offsets p < P, q < Q with U | i − p and U | j − q "
       "of ∂L/∂y_{(i−p)/U,(j−q)/U}",
       _pool_program("avg_pool2d", _avgpool_fwd, _avgpool_bwd,
                     lambda dy, x, P, Q, U, r: _avgpool_bwd(dy, x, P, Q, U, "exact")),
       None,
       readings=(Reading("exact", "the sums run over window offsets p, q for which (i−p)/U, "
                                  "(j−q)/U are whole output indices; 1/pq is the window area"),
                 Reading("floor", "(i−p)/U read as integer division for every offset (no "
                                  "divisibility condition)"))),
    _c("000-dropout", "Drop-out", r"\frac{1}{1-q}\frac{\partial{L}}{\partial{\vec{y}}}\odot\vec{D}^T",
       "∂L/∂x = 1/(1−q) ∂L/∂y ⊙ Dᵀ", "same",
       _row("dropout", lambda x, D: D * x / (1 - Q), lambda dy, x, D: {"x": dy * D / (1 - Q)},
            lambda dy, x, D: {"x": dy * D / (1 - Q)}, args={**X2, "D": (("N", "D"), mask)}),
       "dropout", variants=("injected",), note=f"q = {Q}"),
)


def _diag_outer(a, b):
    """diag(a bᵀ) for each row: the elementwise product, computed as the diagonal of the
    outer product (literal)."""
    return np.einsum("nii->ni", np.einsum("ni,nj->nij", a, b))


def _diag_outer_i(y):
    eye = np.eye(y.shape[1])
    return np.einsum("nii->ni", eye[None] - np.einsum("ni,nj->nij", y, y))


TEXT_ERRATA = (
    TextErratum("000-dropout-swith", S0, ROW.format("Drop-out").replace("Backward", "Forward"),
                r"\text{ is the drop-out swith vector}", "'swith' for 'switch' (same in 001)"),
    TextErratum("000-maxpool-sum-limits", S0, ROW.format("MaxPooling-2D"),
                r"\sum\limits_{i'}^H\sum\limits_{j'}^H",
                "the sums' upper limits read H (the input height) for both output indices; "
                "i', j' run over the output grid (the transcription sums over it; same in 001)"),
)
