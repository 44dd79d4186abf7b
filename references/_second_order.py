"""Hand-written second derivatives: the Hessian-vector product of s(x) = ⟨u, f(x)⟩.

``SECOND_ORDER[name](cotangent, tangents, *args, **attrs) -> tuple`` gives, per positional
argument, H v = d/dε ∇s(x + ε v) at ε = 0 (``None`` for a constant), with ``tangents`` one
entry per argument (``None`` for a constant). Written only where the formula is short and
follows from the documented first derivative by one more differentiation (each docstring
says which); every other module's HVP oracle is the float64 reference VJP differentiated
by central differences (``conformance.judge.oracles``). ``tests/test_second_order_references.py``
validates each entry against that finite-difference oracle away from kinks and ties.

Piecewise-linear modules (relu, leaky relu, max, max pooling, switch) have a zero second
derivative wherever it exists: their gradient is piecewise constant in x. At a kink or a
tie it does not exist; autodiff differentiates the branch it took, which is again
constant, so zero is also what every framework's rule gives there (the kink variants
record what each framework returns). Module names are this package's data, like the
references themselves.
"""

from __future__ import annotations

import numpy as np

from .activations import SELU_ALPHA, SELU_SCALE, _sigmoid, _prelu_alpha, softmax


def _f(*arrays):
    return tuple(np.asarray(a, dtype=np.float64) for a in arrays)


def _zero(cotangent, tangents, *args, **_attrs):
    """Piecewise linear (or linear): H = 0 wherever the gradient exists."""
    return tuple(None if t is None else np.zeros(np.shape(a)) for t, a in zip(tangents, args))


def _at_zero(x, below, grad_at_zero):
    """The second-derivative factor of a function with curvature ``below`` on x < 0 and 0 on
    x > 0, taken at x = 0 from the side the first derivative's rule takes (left: the x < 0
    branch's formula, right: the x > 0 branch's, mean: their average)."""
    at0 = {"left": below, "right": 0.0 * below, "mean": 0.5 * below}[grad_at_zero]
    return np.where(x < 0, below, np.where(x > 0, 0.0, at0))


def _elu(cotangent, tangents, x, alpha=1.0, grad_at_zero="left"):
    """d²y/dx² = α e^x for x < 0 (the derivative of the row 'Elu' slope y + α = α e^x), 0 for x > 0."""
    u, x = _f(cotangent, x)
    return (u * _at_zero(x, float(alpha) * np.exp(np.minimum(x, 0.0)), grad_at_zero) * tangents[0],)


def _selu(cotangent, tangents, x, grad_at_zero="left"):
    """d²y/dx² = λα e^x for x < 0 (from the row 'Selu' slope y + λα = λα e^x), 0 for x > 0."""
    u, x = _f(cotangent, x)
    curv = SELU_SCALE * SELU_ALPHA * np.exp(np.minimum(x, 0.0))
    return (u * _at_zero(x, curv, grad_at_zero) * tangents[0],)


def _prelu(cotangent, tangents, x, alpha, grad_at_zero="left"):
    """s = Σ u·(x if x > 0 else α_c x): ∂s/∂x = u·slope, ∂s/∂α_c = Σ_{x<0} u·x. The only
    second derivative is the mixed one, w = ∂slope/∂α_c = 1 on x < 0 (at 0: the rule's
    side, 1 left, 0 right, ½ mean): (H v)_x = u·w·v_α, (H v)_α = Σ u·w·v_x."""
    u, x, alpha = _f(cotangent, x, alpha)
    vx, va = _f(tangents[0], tangents[1])
    w = _at_zero(x, np.ones_like(x), grad_at_zero)
    axes = (0, *range(2, x.ndim))
    return u * w * _prelu_alpha(x, va), np.sum(u * w * vx, axis=axes)


def _sigmoid2(cotangent, tangents, x):
    """y' = y(1 − y) (row 'Sigmoid'), so y'' = y(1 − y)(1 − 2y)."""
    u, x = _f(cotangent, x)
    y = _sigmoid(x)
    return (u * y * (1 - y) * (1 - 2 * y) * tangents[0],)


def _tanh2(cotangent, tangents, x):
    """y' = 1 − y² (row 'Tanh'), so y'' = −2y(1 − y²)."""
    u, x = _f(cotangent, x)
    y = np.tanh(x)
    return (-2.0 * u * y * (1 - y * y) * tangents[0],)


def _softplus2(cotangent, tangents, x):
    """y' = σ(x) (row 'Softplus': e^x/(e^x + 1)), so y'' = σ(x)(1 − σ(x))."""
    u, x = _f(cotangent, x)
    s = _sigmoid(x)
    return (u * s * (1 - s) * tangents[0],)


def _softmax_tangent(y, v):
    """ẏ = J v for y = softmax(x) per row: y ⊙ (v − ⟨y, v⟩)."""
    return y * (v - np.sum(y * v, axis=-1, keepdims=True))


def _softmax2(cotangent, tangents, x):
    """∇s = y ⊙ (u − ⟨u, y⟩) (row 'Softmax'); along v: ẏ ⊙ (u − ⟨u, y⟩) − y ⟨u, ẏ⟩."""
    u, x, v = _f(cotangent, x, tangents[0])
    y = softmax(x)
    yd = _softmax_tangent(y, v)
    return (yd * (u - np.sum(u * y, axis=-1, keepdims=True)) - y * np.sum(u * yd, axis=-1, keepdims=True),)


def _cross_entropy2(cotangent, tangents, x, p):
    """∇s = −u p / x (row 'Cross-Entropy'), so H v = u p v / x²."""
    u, x, p, v = _f(cotangent, x, p, tangents[0])
    return u[..., None] * p * v / (x * x), None


def _squared_error2(cotangent, tangents, x, t):
    """∇s = −2u (t − x) (row 'Squared Error'), so H v = 2u v."""
    u, v = _f(cotangent, tangents[0])
    return 2.0 * u[..., None] * v, None


def _softmax_ce2(cotangent, tangents, z, p):
    """∇s = u (y Σp − p), y = softmax(z) (rows 'Softmax', 'Cross-Entropy' chained), so
    H v = u Σp · ẏ with ẏ = y ⊙ (v − ⟨y, v⟩)."""
    u, z, p, v = _f(cotangent, z, p, tangents[0])
    y = softmax(z)
    return u[..., None] * np.sum(p, axis=-1, keepdims=True) * _softmax_tangent(y, v), None


SECOND_ORDER = {
    "relu": _zero, "leaky_relu": _zero, "max": _zero, "switch": _zero,
    "max_pool1d": _zero, "max_pool2d": _zero, "max_pool3d": _zero,
    "elu": _elu, "selu": _selu, "prelu": _prelu,
    "sigmoid": _sigmoid2, "tanh": _tanh2, "softplus": _softplus2, "softmax": _softmax2,
    "cross_entropy": _cross_entropy2, "squared_error": _squared_error2,
    "softmax_cross_entropy": _softmax_ce2,
}
