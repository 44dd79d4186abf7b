"""002: the derivative rules 1–5 and the operators of the deriv() routine (scalar and vector
versions), each on its own one-line program. Vectors are rows of a batch; ∇_W L is in the
slides' layout (M × N for an N × M matrix: 'the derivative ... w.r.t an N × M matrix X is
an M × N matrix') and compared transposed.
"""

from __future__ import annotations

import numpy as np

from conformance.documents.claims import SEEDS
from conformance.documents.claims import Claim
from conformance.documents.claims import Program
from conformance.documents.claims import TextErratum
from conformance.documents.claims import uniform

S2 = SEEDS["002"]
U1 = uniform(-1, 1)
BD = {"B": (2, 3), "N": (2, 4), "M": (2, 4)}


def _sig(a):
    return 1 / (1 + np.exp(-a))


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _one(name, forward, written, corrected, args, wrt, dims=BD):
    def backward(cts, a, w):
        return (written if "rule" in w else corrected)(*cts, **a)
    return Program(name, forward, backward, args, dims, wrt)


XY = {"x": (("B", "N"), U1), "y": (("B", "N"), U1)}
WX = {"W": (("N", "M"), U1), "x": (("B", "M"), U1)}
SC = {"W": (("B",), U1), "x": (("B",), U1)}
SXY = {"x": (("B",), U1), "y": (("B",), U1)}

P = {
    "r1s": _one("rule1s", lambda W, x: (W * x,),
                lambda dz, W, x: {"x": dz * W, "W": x * dz},
                lambda dz, W, x: {"x": dz * W, "W": dz * x}, SC, ("W", "x")),
    "r1v": _one("rule1v", lambda W, x: (x @ W.T,),
                lambda dz, W, x: {"x": dz @ W, "W": (x.T @ dz).T},   # x(∇_z L): M × N
                lambda dz, W, x: {"x": dz @ W, "W": dz.T @ x}, WX, ("W", "x")),
    "r2": _one("rule2", lambda x, y: (x * y,),
               lambda dz, x, y: {"x": dz * y, "y": dz * x},
               lambda dz, x, y: {"x": dz * y, "y": dz * x}, XY, ("x", "y")),
    "r3s": _one("rule3s", lambda x, y: (x + y,), lambda dz, x, y: {"x": dz, "y": dz},
                lambda dz, x, y: {"x": dz, "y": dz}, SXY, ("x", "y")),
    "r3v": _one("rule3v", lambda x, y: (x + y,), lambda dz, x, y: {"x": dz, "y": dz},
                lambda dz, x, y: {"x": dz, "y": dz}, XY, ("x", "y")),
    "r4s": _one("rule4s", lambda x: (np.tanh(x),), lambda dz, x: {"x": dz * (1 - np.tanh(x) ** 2)},
                lambda dz, x: {"x": dz / np.cosh(x) ** 2}, {"x": (("B",), U1)}, ("x",)),
    "r4v": _one("rule4v", lambda x: (_softmax(x),),      # g with a full (non-diagonal) Jacobian
                lambda dz, x: {"x": np.einsum("bi,bij->bj", dz, _softmax_jacobian(x))},
                lambda dz, x: {"x": _softmax(x) * (dz - (dz * _softmax(x)).sum(-1, keepdims=True))},
                {"x": (("B", "N"), U1)}, ("x",)),
    "r4b": _one("rule4b", lambda x: (np.tanh(x),), lambda dz, x: {"x": dz * (1 - np.tanh(x) ** 2)},
                lambda dz, x: {"x": dz / np.cosh(x) ** 2}, {"x": (("B", "N"), U1)}, ("x",)),
    "r5": _one("rule5", lambda x: (np.tanh(x), np.sin(x)),   # z = g(x) = tanh x, y = h(x) = sin x
               lambda dz, dy, x: {"x": dz * (1 - np.tanh(x) ** 2) + dy * np.cos(x)},
               lambda dz, dy, x: {"x": dz / np.cosh(x) ** 2 + dy * np.cos(x)},
               {"x": (("B", "N"), U1)}, ("x",)),
}


def _softmax_jacobian(x):
    s = _softmax(x)
    return np.einsum("bi,ij->bij", s, np.eye(s.shape[1])) - np.einsum("bi,bj->bij", s, s)


# ------------------------------------------------------------------------------ deriv()
def deriv_vector(dz, x, y=None, operator=None):
    """002 'Derivative routine, vector version', transcribed line by line ('o': component-
    wise, '*': matrix multiply with X the matrix; rows of a batch; 'y*dz' is the outer
    product yᵀ dz summed over the batch, the slides' M × N layout)."""
    if operator is None:
        operator, y = y, None
    if operator == "none":
        raise NameError("'none' : return dx — dx is not defined in the routine")
    if operator == "o":
        return dz * y, dz * x
    if operator == "*":
        return y.T @ dz, dz @ x
    if operator == "+":
        return dz, dz
    if operator == "-":
        return dz, -dz
    if operator == "tanh":
        return dz * (1 - np.tanh(x) ** 2)
    if operator == "sigmoid":
        return dz * _sig(x) * (1 - _sig(x))
    if operator == "softmax":        # 'return dz*Jacobian(sigmoid,x)'
        return np.einsum("bi,bij->bj", dz, np.einsum("bi,ij->bij", _sig(x) * (1 - _sig(x)),
                                                     np.eye(x.shape[1])))
    raise ValueError(f"operator {operator!r} is not in the routine")


def deriv_scalar(dz, x, y=None, operator=None):
    """002 'SCALAR version': the same cases on scalars."""
    if operator is None:
        operator, y = y, None
    return {"*": lambda: (y * dz, dz * x), "+": lambda: (dz, dz), "-": lambda: (dz, -dz),
            "tanh": lambda: dz * (1 - np.tanh(x) ** 2),
            "sigmoid": lambda: dz * _sig(x) * (1 - _sig(x))}[operator]()


def _op_program(name, op, vector=True):
    fwd = {"o": lambda x, y: x * y, "*": lambda x, y: x * y if not vector else None,
           "+": lambda x, y: x + y, "-": lambda x, y: x - y, "tanh": np.tanh,
           "sigmoid": _sig, "softmax": _softmax}
    right = {"o": lambda dz, x, y: (dz * y, dz * x), "+": lambda dz, x, y: (dz, dz),
             "-": lambda dz, x, y: (dz, -dz), "*": lambda dz, x, y: (dz * y, dz * x),
             "tanh": lambda dz, x: dz / np.cosh(x) ** 2,
             "sigmoid": lambda dz, x: dz * np.exp(-x) / (1 + np.exp(-x)) ** 2,
             "softmax": lambda dz, x: _softmax(x) * (dz - (dz * _softmax(x)).sum(-1, keepdims=True))}
    d = deriv_vector if vector else deriv_scalar
    shape = ("B", "N") if vector else ("B",)
    if vector and op == "*":   # z = X y, X a matrix
        args = {"X": (("N", "M"), U1), "y": (("B", "M"), U1)}

        def forward(X, y):
            return (y @ X.T,)

        def backward(cts, a, w):
            dX, dy = (d(cts[0], a["X"], a["y"], "*") if "op" in w else
                      ((a["y"].T @ cts[0]), cts[0] @ a["X"]))
            return {"X": dX.T, "y": dy}
        return Program(name, forward, backward, args, BD, ("X", "y"))
    if op in ("tanh", "sigmoid", "softmax"):
        args = {"x": (shape, U1)}

        def forward(x):
            return (fwd[op](x),)

        def backward(cts, a, w):
            return {"x": (d(cts[0], a["x"], op) if "op" in w else right[op](cts[0], a["x"]))}
        return Program(name, forward, backward, args, BD, ("x",))
    args = {"x": (shape, U1), "y": (shape, U1)}

    def forward2(x, y):
        return (fwd[op](x, y),)

    def backward2(cts, a, w):
        gx, gy = (d(cts[0], a["x"], a["y"], op) if "op" in w else right[op](cts[0], a["x"], a["y"]))
        return {"x": gx, "y": gy}
    return Program(name, forward2, backward2, args, BD, ("x", "y"))


def _rule(id, where, quote, text, prog_key, corrected="same"):
    return Claim(id, S2, where, quote, text, corrected, P[prog_key], "rule")


VEC = "'Derivative routine, vector version'"
SCA = "'May be easier to think of it in terms of a “derivative” routine', SCALAR version"
VEC_OPS = {"o": "'o' : return dz o yT, dz o xT", "*": "'*' : return y*dz, dz*x",
           "+": "'+' : return dz, dz", "-": "'-' : return dz, -dz",
           "tanh": "'tanh' : return dz o (1-tanh2(x))T",
           "sigmoid": "'sigmoid' : return dz o sigmoid(x)T o (1-sigmoid(x))T",
           "softmax": "'softmax' : return dz*Jacobian(sigmoid,x)"}
SCA_OPS = {"*": "`*' : return y*dz, dz*x", "+": "`+' : return dz, dz", "-": "`-' : return dz, -dz",
           "tanh": "`tanh' : return dz(1-tanh2(x))",
           "sigmoid": "`sigmoid' : return dz sigmoid(x) (1-sigmoid(x))"}

CLAIMS = (
    _rule("002-rule1-scalar", "'Rules: 1 (scalar)'",
          r"$$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z} W$$",
          "z = Wx: ∂L/∂x = ∂L/∂z W, ∂L/∂W = x ∂L/∂z", "r1s"),
    _rule("002-rule1-vector", "'Rules: 1 (vector)'", r"$$\nabla_W L = x(\nabla_z L)$$",
          "z = Wx: ∇_x L = (∇_z L) W, ∇_W L = x (∇_z L)", "r1v"),
    _rule("002-rule2", "'Rules: 2 (vector, schur multiply)'", r"$$\nabla_x L = (\nabla_z L) \circ y^T$$",
          "z = x ∘ y: ∇_x L = (∇_z L) ∘ yᵀ, ∇_y L = (∇_z L) ∘ xᵀ", "r2"),
    _rule("002-rule3-scalar", "'Rules: 3 (scalar)'",
          r"$$\frac{\partial L}{\partial y} = \frac{\partial L}{\partial z}$$",
          "z = x + y: ∂L/∂x = ∂L/∂y = ∂L/∂z", "r3s"),
    _rule("002-rule3-vector", "'Rules: 3 (vector)'", r"$$\nabla_y L = \nabla_z L$$",
          "z = x + y: ∇_x L = ∇_y L = ∇_z L", "r3v"),
    _rule("002-rule4-scalar", "'Rules: 4 (scalar)'",
          r"$$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z} g'(x)$$",
          "z = g(x): ∂L/∂x = ∂L/∂z g'(x) (g = tanh here)", "r4s"),
    _rule("002-rule4-vector", "'Rules: 4 (vector)'", r"$$\nabla_x L = \nabla_z L J_x g$$",
          "z = g(x): ∇_x L = ∇_z L J_x g (g = softmax here: a full Jacobian)", "r4v"),
    _rule("002-rule4b", "'Rules: 4b (vector) component-wise multiply notation'",
          r"$$\nabla_x L = \nabla_z L \circ g'(x)^T$$",
          "z = g(x) component-wise: ∇_x L = ∇_z L ∘ g'(x)ᵀ (g = tanh here)", "r4b"),
    _rule("002-rule5", "'Rule 5: Addition of derivatives'",
          r"\frac{\partial L}{\partial z} g'(x) + \frac{\partial L}{\partial y} h'(x)",
          "z = g(x), y = h(x): ∂L/∂x = ∂L/∂z g'(x) + ∂L/∂y h'(x) (g = tanh, h = sin here)", "r5"),
    *(Claim(f"002-deriv-vector-{ {'o': 'schur', '*': 'matmul', '+': 'plus', '-': 'minus'}.get(op, op)}",
            S2, VEC + f", case '{op}'", q, q,
            ("dz*Jacobian(softmax, x): dz (diag(s) − s sᵀ), s = softmax(x)" if op == "softmax"
             else "same"), _op_program(f"deriv-{op}", op), "op")
      for op, q in VEC_OPS.items()),
    *(Claim(f"002-deriv-scalar-{ {'*': 'times', '+': 'plus', '-': 'minus'}.get(op, op)}",
            S2, SCA + f", case '{op}'", q, q, "same", _op_program(f"deriv-s-{op}", op, vector=False),
            "op")
      for op, q in SCA_OPS.items()),
)

TEXT_ERRATA = (
    TextErratum("002-deriv-none", S2, VEC + ", case 'none' (and the scalar version's)",
                "'none' : return dx", "returns dx, which the routine never defines (the "
                "derivative of nothing: no numerical content)"),
    TextErratum("002-deriv-softmax-comment", S2, VEC + ", comment above 'softmax'",
                "# The jacobian is the full derivative matrix of the sigmoid",
                "the comment names the sigmoid for the softmax case (the numerical consequence "
                "is claim 002-deriv-vector-softmax)"),
)
