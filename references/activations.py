"""Activation references: ReLU, Leaky ReLU, ELU, SELU, Sigmoid, Softmax, Softplus, Tanh.

Source: table "Parameter-free modules" in 000_0c41eef9689a3bf9.txt (Activation rows); the same
rows appear in 001_9eba1572aa0cb554.txt with footnotes (ReLU/Softplus: Glorot et al. 2011;
Leaky ReLU: Maas et al. 2013; ELU: Clevert et al. 2016; SELU: Klambauer et al. 2017).
GELU and PReLU have no table row; their formulas come from the papers in 001's bibliography.
All are element-wise except Softmax (last axis). The piecewise ones have a reference-only
``grad_at_zero`` rule: "left" (the document's "otherwise" branch, the default), "right"
(the x > 0 branch) or "mean" (their average). Everything is computed in float64.
"""

from __future__ import annotations

import numpy as np

from ._args import as_float64 as _f64
from ._args import check_rule as _check_rule
from ._special import erfc

__all__ = ["relu", "leaky_relu", "elu", "selu", "sigmoid", "softmax", "softplus", "tanh",
           "gelu", "prelu"]

GRAD_AT_ZERO_RULES = ("left", "right", "mean")
SELU_SCALE = 1.0507009873554804934193349852946  # lambda (Klambauer et al. 2017)
SELU_ALPHA = 1.6732632423543772848170429916717  # alpha


def _cotangent(cotangent, x):
    g, x = _f64(cotangent, x)
    if g.shape != x.shape:
        raise ValueError(f"cotangent shape {g.shape} != output shape {x.shape}")
    return g, x


def _piecewise_slope(x, right, left, grad_at_zero):
    """dy/dx for a function with slope ``right`` on x > 0 and ``left`` on x < 0 (arrays ok)."""
    _check_rule("grad_at_zero", grad_at_zero, GRAD_AT_ZERO_RULES)
    at_zero = {"left": left, "right": right, "mean": 0.5 * (np.add(left, right))}[grad_at_zero]
    return np.where(x > 0, right, np.where(x < 0, left, at_zero))


def _sigmoid(x):
    """1/(1+e^{-x}) without overflow: uses e^{-|x|} <= 1 on both sides of 0."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(x, grad_at_zero="left"):
    """y_i = max{0, x_i}.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Relu'; same row in 001.
    """
    _check_rule("grad_at_zero", grad_at_zero, GRAD_AT_ZERO_RULES)
    (x,) = _f64(x)
    return np.maximum(x, 0.0)


def relu_vjp(cotangent, x, grad_at_zero="left"):
    """dL/dx_i = dL/dy_i if x_i > 0, 0 otherwise.

    Cites 000, row 'Relu'; same row in 001. At x_i = 0 the document's "otherwise" branch
    gives 0 (rule "left", default); "right" gives dL/dy_i, "mean" gives dL/dy_i / 2.
    """
    g, x = _cotangent(cotangent, x)
    return (g * _piecewise_slope(x, 1.0, 0.0, grad_at_zero),)


SLOPE_PRECISION_RULES = ("exact", "float32")


def _slope(negative_slope, slope_precision) -> float:
    """The slope as used: exactly as given ("exact"), or rounded to float32 ("float32"),
    as a framework does when the slope is a 32-bit attribute of its op."""
    _check_rule("slope_precision", slope_precision, SLOPE_PRECISION_RULES)
    return float(np.float32(negative_slope)) if slope_precision == "float32" else float(negative_slope)


def leaky_relu(x, negative_slope=0.01, grad_at_zero="left", slope_precision="exact"):
    """y_i = max{0.01 x_i, x_i}, with 0.01 generalised to ``negative_slope``.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Leaky Relu'; same row
    in 001. The max form only equals the leaky ReLU for slopes <= 1, so the reference uses
    the equivalent piecewise form y = x if x > 0 else slope·x, valid for any slope.
    ``slope_precision="float32"`` rounds the slope to float32 first (a convention rule).
    """
    _check_rule("grad_at_zero", grad_at_zero, GRAD_AT_ZERO_RULES)
    (x,) = _f64(x)
    return np.where(x > 0, x, _slope(negative_slope, slope_precision) * x)


def leaky_relu_vjp(cotangent, x, negative_slope=0.01, grad_at_zero="left", slope_precision="exact"):
    """dL/dx_i = dL/dy_i if x_i > 0, 0.01 dL/dy_i otherwise (0.01 → ``negative_slope``).

    Cites 000, row 'Leaky Relu'; same row in 001. At x_i = 0: "left" (default, the document's
    "otherwise") gives slope·dL/dy_i, "right" gives dL/dy_i, "mean" their average.
    """
    g, x = _cotangent(cotangent, x)
    slope = _slope(negative_slope, slope_precision)
    return (g * _piecewise_slope(x, 1.0, slope, grad_at_zero),)


def elu(x, alpha=1.0, grad_at_zero="left"):
    """y_i = x_i if x_i > 0, α(e^{x_i} − 1) otherwise.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Elu'; same row in
    001. e^x − 1 is evaluated as expm1(min(x, 0)) (accurate near 0, no overflow for large x).
    """
    _check_rule("grad_at_zero", grad_at_zero, GRAD_AT_ZERO_RULES)
    (x,) = _f64(x)
    return np.where(x > 0, x, float(alpha) * np.expm1(np.minimum(x, 0.0)))


def elu_vjp(cotangent, x, alpha=1.0, grad_at_zero="left"):
    """dL/dx_i = dL/dy_i if x_i > 0, dL/dy_i (y_i + α) otherwise.

    Cites 000, row 'Elu'; same row in 001. y + α = α e^x on the x <= 0 branch, so the document's
    form is exact (absolute rounding error ~α·1e-16 for very negative x). At x_i = 0: "left"
    (default, "otherwise") gives α·dL/dy_i, "right" gives dL/dy_i, "mean" their average.
    """
    g, x = _cotangent(cotangent, x)
    alpha = float(alpha)
    y = elu(x, alpha=alpha)
    return (g * _piecewise_slope(x, 1.0, y + alpha, grad_at_zero),)


def selu(x, grad_at_zero="left"):
    """y_i = λ x_i if x_i > 0, λα(e^{x_i} − 1) otherwise.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Selu'; same row in 001.
    The document gives no values for λ and α; the reference uses the constants of Klambauer
    et al. (001 footnote 4): λ = 1.0507009873554804934..., α = 1.6732632423543772848....
    """
    _check_rule("grad_at_zero", grad_at_zero, GRAD_AT_ZERO_RULES)
    (x,) = _f64(x)
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0)))


def selu_vjp(cotangent, x, grad_at_zero="left"):
    """dL/dx_i = dL/dy_i λ if x_i > 0, dL/dy_i (y_i + λα) otherwise.

    Cites 000, row 'Selu'; same row in 001 (y + λα = λα e^x, so the form is exact). At x_i = 0:
    "left" (default, "otherwise") gives λα·dL/dy_i, "right" gives λ·dL/dy_i, "mean" the average.
    """
    g, x = _cotangent(cotangent, x)
    y = selu(x)
    return (g * _piecewise_slope(x, SELU_SCALE, y + SELU_SCALE * SELU_ALPHA, grad_at_zero),)


def sigmoid(x):
    """y_i = 1/(1 + e^{−x_i}), evaluated without overflow for large |x|.

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Sigmoid'; same row in
    001. For x < 0 the equal form e^x/(1 + e^x) is used so that e^{−x} never overflows.
    """
    (x,) = _f64(x)
    return _sigmoid(x)


def sigmoid_vjp(cotangent, x):
    """dL/dx = dL/dy diag(y (1 − y)^T), i.e. dL/dx_i = dL/dy_i · y_i (1 − y_i).

    Cites 000, row 'Sigmoid'; same row in 001. Notation: y(1 − y)^T is an outer product; only
    its diagonal y_i(1 − y_i) is meant (diag(y ⊙ (1 − y))), which is what the reference uses.
    """
    g, x = _cotangent(cotangent, x)
    y = _sigmoid(x)
    return (g * y * (1.0 - y),)


def softmax(x):
    """y_i = e^{x_i} / Σ_k e^{x_k} over the last axis (shifted by the row max for stability).

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Softmax'; same row in
    001. Subtracting max_k x_k from every x_i leaves y unchanged and avoids overflow.
    """
    (x,) = _f64(x)
    if x.ndim < 1 or x.shape[-1] == 0:
        raise ValueError(f"expected a (N, D) input with D >= 1, got shape {x.shape}")
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_vjp(cotangent, x):
    """dL/dx = s^T − y^T Σ_i s_i, where s_i = dL/dy_i · y_i.

    Cites 000, row 'Softmax'; same row in 001 (correct as written; the sum is per row).
    """
    g, x = _cotangent(cotangent, x)
    y = softmax(x)
    s = g * y
    return (s - y * np.sum(s, axis=-1, keepdims=True),)


def softplus(x):
    """y_i = log(e^{x_i} + 1), computed stably as logaddexp(0, x_i).

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Softplus'; same row in
    001. Evaluated literally, e^x overflows for x > ~709; logaddexp is the same function.
    """
    (x,) = _f64(x)
    return np.logaddexp(0.0, x)


def softplus_vjp(cotangent, x):
    """dL/dx = dL/dy diag(e^{x_i} / (e^{x_i} + 1)).

    Cites 000, row 'Softplus'; same row in 001. e^x/(e^x + 1) is the sigmoid; it is evaluated
    in the overflow-free form (literal evaluation gives inf/inf = nan for x > ~709).
    """
    g, x = _cotangent(cotangent, x)
    return (g * _sigmoid(x),)


def tanh(x):
    """y_i = (e^{x_i} − e^{−x_i}) / (e^{x_i} + e^{−x_i}), evaluated as np.tanh (no overflow).

    Cites 000_0c41eef9689a3bf9.txt, table 'Parameter-free modules', row 'Tanh'; same row in 001.
    """
    (x,) = _f64(x)
    return np.tanh(x)


def tanh_vjp(cotangent, x):
    """dL/dx = dL/dy diag(I − y y^T), read as dL/dx_i = dL/dy_i (1 − y_i²).

    Cites 000, row 'Tanh'; same row in 001. As written, I − y y^T is a full matrix whose
    off-diagonal entries −y_i y_j would couple the elements of an element-wise function;
    only its diagonal 1 − y_i² is correct, i.e. the intended matrix is diag(1 − y ⊙ y). The
    reference uses the diagonal (the same convention as the 'Sigmoid' row).
    """
    g, x = _cotangent(cotangent, x)
    y = np.tanh(x)
    return (g * (1.0 - y * y),)


GELU_APPROXIMATIONS = ("none", "tanh")
_GELU_K, _GELU_C = float(np.sqrt(2.0 / np.pi)), 0.044715


def _gelu_parts(x, approximate):
    """(y, dy/dx) of GELU. "none": y = x Φ(x), Φ(x) = erfc(−x/√2)/2; "tanh": y = x σ(2a)
    = x (1 + tanh a)/2 with a = √(2/π)(x + 0.044715 x³) (σ form: no cancellation for x < 0)."""
    _check_rule("approximate", approximate, GELU_APPROXIMATIONS)
    if approximate == "none":
        cdf = 0.5 * erfc(-x / np.sqrt(2.0))
        return x * cdf, cdf + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
    a = _GELU_K * (x + _GELU_C * x**3)
    s, s_neg = _sigmoid(2.0 * a), _sigmoid(-2.0 * a)  # (1 + t)/2, (1 − t)/2
    return x * s, s + x * 2.0 * s * s_neg * _GELU_K * (1.0 + 3.0 * _GELU_C * x * x)


def gelu(x, approximate="none"):
    """y = x Φ(x) ("none"); y = 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³))) ("tanh").

    No table row in 000/001: derived from 001's bibliography entry 5, Hendrycks & Gimpel,
    "Gaussian Error Linear Units (GELUs)" (arXiv 1606.08415), §2; Φ the standard normal CDF.
    """
    (x,) = _f64(x)
    return _gelu_parts(x, approximate)[0]


def gelu_vjp(cotangent, x, approximate="none"):
    """dL/dx = dL/dy (Φ(x) + x φ(x)) ("none"; φ the normal density), or for "tanh"
    dL/dy (½(1 + t) + ½ x (1 − t²) √(2/π)(1 + 3·0.044715 x²)), t = tanh(√(2/π)(x + 0.044715 x³)).
    Derived (differentiating Hendrycks & Gimpel's forms; 001 bibliography entry 5)."""
    g, x = _cotangent(cotangent, x)
    return (g * _gelu_parts(x, approximate)[1],)


def _prelu_alpha(x, alpha):
    if x.ndim < 2 or alpha.shape != (x.shape[1],):
        raise ValueError(f"prelu: x {x.shape} must be (N, C, ...), alpha (C,); got {alpha.shape}")
    return alpha.reshape((1, -1) + (1,) * (x.ndim - 2))


def prelu(x, alpha, grad_at_zero="left"):
    """y_{n,c,...} = x if x > 0, α_c x otherwise: a learnable slope per channel (axis 1).

    No table row in 000/001: derived from 001's bibliography entry 6, He et al., "Delving Deep
    into Rectifiers" (arXiv 1502.01852), eq. (1) (channel-wise PReLU, f(y_i) = max(0, y_i) +
    a_i min(0, y_i)).
    """
    _check_rule("grad_at_zero", grad_at_zero, GRAD_AT_ZERO_RULES)
    x, alpha = _f64(x, alpha)
    return np.where(x > 0, x, _prelu_alpha(x, alpha) * x)


def prelu_vjp(cotangent, x, alpha, grad_at_zero="left"):
    """dL/dx = dL/dy if x > 0, α_c dL/dy otherwise; dL/dα_c = Σ_{x ≤ 0} dL/dy · x, summed over
    every position of channel c (He et al. eq. (2)-(4); derived, 001 bibliography entry 6).
    At x = 0: "left" (default) α_c, "right" 1, "mean" their average; dL/dα gets 0 there.
    """
    g, x = _cotangent(cotangent, x)
    (alpha,) = _f64(alpha)
    a = _prelu_alpha(x, alpha)
    dx = g * _piecewise_slope(x, 1.0, np.broadcast_to(a, x.shape), grad_at_zero)
    axes = (0, *range(2, x.ndim))
    return dx, np.sum(np.where(x > 0, 0.0, g * x), axis=axes)
