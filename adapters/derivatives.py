"""Forward mode and second order through an adapter: the protocol's data and helpers.

``Adapter.derivatives`` asks a framework for two kinds of derivative, each by every route
(the framework's own machinery) it offers:

* ``jvp`` — forward mode: for each differentiated argument ``a``, the output tangent
  ``J_a v_a`` for the input tangent ``v_a`` on ``a`` alone (the other tangents zero). A
  module with several outputs returns a tuple of output tangents.
* ``hvp`` — second order: the Hessian-vector product of the scalar ``s(x) = ⟨u, f(x)⟩``
  (``u`` the cotangent, summed over the outputs) along the joint tangent ``v`` (every
  differentiated argument moved at once): ``H v``, one array per differentiated argument.
  Every composition of the two modes is a route where the framework offers it: reverse
  over reverse (the gradient of ⟨∇s, v⟩), forward over reverse (the JVP of ∇s along v),
  reverse over forward (the gradient of ⟨u, J(x) v⟩, which is H v since H is symmetric)
  and forward over forward: the second directional derivative ⟨u, D²f[e, v]⟩ is one
  element of H v per basis tangent e, so that route assembles H v from ``basis`` (one
  forward-over-forward pass per input element, batched where the framework batches).
  Above the adapter's limit of passes (``BASIS_LIMIT``, or its derivatives module's own)
  the route takes one pass per argument instead, along that argument's own tangent v_a:
  ⟨u, D²f[v_a, v]⟩ = ⟨v_a, (H v)_a⟩, the projection of its part of H v on its tangent
  (``DerivativeResult.projected``; ``forward_over_forward_plan``).

and, at small sizes, the full matrices of the frameworks' Jacobian and Hessian APIs:

* ``jacobian`` — {argument: the Jacobian of the outputs (flattened, stacked in order) with
  respect to it, an (output elements × argument elements) matrix};
* ``hessian`` — {argument: its rows of the Hessian of s over every differentiated argument
  together, an (argument elements × all elements) matrix}.

A built-in adapter implements them in ``<ops_package>.derivatives`` (``ROUTES`` and
``derivatives(adapter, ...)``), reusing its op table; any other adapter overrides
``Adapter.derivatives`` or gets skips that say it implements none. A route the framework
does not implement is returned as ``unsupported`` with the framework's own error text;
the suite records it as a skip with that reason (the capability matrix).

No framework is imported here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Mapping

KINDS = ("jvp", "hvp", "jacobian", "hessian")
# What an adapter without a derivatives module is asked for (and skipped with a reason).
DEFAULT_ROUTES: Mapping[str, tuple[str, ...]] = {"jvp": ("jvp",), "hvp": ("hvp",)}

# Phrases of the frameworks' "this derivative is not implemented" errors. An exception of
# another kind is an error of the route, never a skip.
_NOT_IMPLEMENTED = ("not implemented", "not supported", "not currently supported",
                    "does not support", "does not currently support", "doesn't support",
                    "no gradient defined", "gradient registry has no entry", "unsupported", "is not differentiable",
                    "not differentiable", "cannot be differentiated", "no registered",
                    "do not yet support", "not in the list of allowed values",
                    "op passed string", "exception while vectorizing the jacobian")


@dataclass
class DerivativeResult:
    """One route's answer: ``values`` {argument: array} (``jvp``: the output tangent for a
    tangent on that argument, a tuple for several outputs; ``hvp``: that argument's part of
    ``H v``); or ``unsupported`` (the framework's own text) or ``error`` (anything else)."""

    kind: str
    route: str
    values: dict[str, Any] = field(default_factory=dict)
    unsupported: str | None = None
    error: str | None = None
    skipped: str | None = None  # the suite's own reason not to ask (a size cap), not the framework's
    # A batch Jacobian API (TensorFlow's ``tape.batch_jacobian``): its values are the
    # matrices of ``batch_diagonal`` (only the blocks of sample k's outputs and sample k's
    # inputs filled), judged against the reference's J summed over the output batch
    # (``conformance.run.jacobians.batch_summed``): what such an API computes by definition
    # (the gradient of each output element summed over the batch), equal to the per-sample
    # Jacobian where samples are independent.
    batch_summed: bool = False
    # Arguments the route cannot take, with the framework's own words (values has none for
    # them): a skip for those checks alone (a batch Jacobian's arguments without a batch axis).
    unsupported_args: dict[str, str] = field(default_factory=dict)
    # Forward over forward above its limit of passes: values are {argument a: the scalar
    # ⟨v_a, (H v)_a⟩}, one pass along a's own tangent (``forward_over_forward_plan``),
    # judged against the oracle's H v projected the same way.
    projected: bool = False


# Forward over forward gives H v one element per basis tangent: above this many elements of
# the differentiated arguments together it takes one pass per argument instead (projected).
# A derivatives module whose passes are not batched declares a lower ``BASIS_LIMIT``.
BASIS_LIMIT = 256


def basis_size(shapes) -> int:
    import math

    return sum(math.prod(s) for s in shapes)


def forward_over_forward_plan(shapes, tangents, dtype, limit: int = BASIS_LIMIT):
    """(outer tangents e, projected): the one-hot ``basis`` when the differentiated
    arguments have at most ``limit`` elements together, each pass giving one element of
    H v; else one tangent per argument a, its own tangent v_a and zeros elsewhere, each pass
    giving ⟨v_a, (H v)_a⟩. ``tangents``: the joint tangent v, one array per argument."""
    import numpy as np

    if basis_size(shapes) <= limit:
        return list(basis(shapes, dtype)), False
    out = []
    for a, shape in enumerate(shapes):
        out.append(tuple(np.asarray(tangents[a], dtype=dtype).reshape(s) if i == a
                         else np.zeros(s, dtype=dtype) for i, s in enumerate(shapes)))
    return out, True


def forward_over_forward_values(column, names, shapes, projected: bool, dtype) -> dict:
    """The passes' scalars ⟨u, D²f[e, v]⟩, in the plan's order, as the route's values:
    H v cut into the arguments' shapes, or {argument: its projection} when ``projected``."""
    import numpy as np

    column = np.asarray(column, dtype=dtype).reshape(-1)
    if projected:
        return {n: column[a] for a, n in enumerate(names)}
    return dict(zip(names, split_vector(column, shapes)))


def forward_over_forward(route: str, names, shapes, tangents, dtype, column_of,
                         limit: int = BASIS_LIMIT) -> DerivativeResult:
    """The forward-over-forward route's result: ``column_of(plan)`` runs the framework's
    passes along the plan's outer tangents (``forward_over_forward_plan``) and returns
    their scalars ⟨u, D²f[e, v]⟩ in order; ``projected`` says which plan it was."""
    plan, projected = forward_over_forward_plan(shapes, tangents, dtype, limit)
    result = attempt("hvp", route, lambda: forward_over_forward_values(
        column_of(plan), names, shapes, projected, dtype))
    result.projected = projected
    return result


def basis(shapes, dtype):
    """The one-hot tangents over the differentiated arguments together, in order: tuples
    of NumPy arrays (one per argument, all zero but one element of one)."""
    import numpy as np

    for a, shape in enumerate(shapes):
        for j in range(int(np.prod(shape, dtype=np.int64))):
            out = [np.zeros(s, dtype=dtype) for s in shapes]
            out[a].reshape(-1)[j] = 1
            yield tuple(out)


def split_vector(vector, shapes) -> list:
    """A flat vector over the differentiated arguments together, cut into their shapes."""
    import numpy as np

    out, at = [], 0
    flat = np.asarray(vector).reshape(-1)
    for s in shapes:
        n = int(np.prod(s, dtype=np.int64))
        out.append(flat[at:at + n].reshape(s))
        at += n
    return out


def _module(adapter):
    package = getattr(adapter, "ops_package", None)
    if package is None:
        return None
    try:
        return importlib.import_module(f"{package}.derivatives")
    except ModuleNotFoundError:
        return None


def routes_of(adapter) -> dict[str, tuple[str, ...]]:
    """{kind: route names}: the derivatives module's ``ROUTES``, else the adapter's
    ``DERIVATIVE_ROUTES`` (the references set none: they are the oracle's own source)."""
    mod = _module(adapter)
    if mod is not None:
        return {k: tuple(v) for k, v in mod.ROUTES.items()}
    return {k: tuple(v) for k, v in getattr(adapter, "DERIVATIVE_ROUTES", DEFAULT_ROUTES).items()}


def run(adapter, *args, **kwargs) -> list[DerivativeResult]:
    mod = _module(adapter)
    if mod is None:
        from .protocol import Unsupported

        raise Unsupported(f"{adapter.name}: the adapter implements no forward-mode or "
                          "second-order derivatives (Adapter.derivatives)")
    return mod.derivatives(adapter, *args, **kwargs)


def not_implemented(exc: BaseException) -> str | None:
    """The framework's own one-line text when ``exc`` says a derivative is not
    implemented; None for any other exception."""
    text = f"{type(exc).__name__}: {exc}".strip()
    first = error_text(exc, 400)
    if isinstance(exc, NotImplementedError) or type(exc).__name__ == "LookupError":
        return first
    low = text.lower()
    return first if any(p in low for p in _NOT_IMPLEMENTED) else None


def attempt(kind: str, route: str, fn) -> DerivativeResult:
    """Run one route: its values, or why not (not implemented: a skip; else an error)."""
    from .protocol import Unsupported

    try:
        return DerivativeResult(kind, route, values=fn())
    except Unsupported:  # the adapter cannot run the op itself here: the whole case skips
        raise
    except Exception as exc:  # a framework's failure is a result, never a crash
        reason = not_implemented(exc)
        if reason is not None:
            return DerivativeResult(kind, route, unsupported=reason)
        return DerivativeResult(kind, route, error=error_text(exc))


def error_text(exc: BaseException, limit: int = 600) -> str:
    """One line: the exception's type and message, its start and its end when long (a
    framework's traceback-in-the-message puts the actual error last)."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"


def split_args(args, names, wrt):
    """(differentiated arrays, their names, a function rebuilding the full argument list
    from differentiated values and the constants)."""
    flags = [n in wrt for n in names]
    diff_names = [n for n in names if n in wrt]
    consts = [a for a, f in zip(args, flags) if not f]

    def rebuild(diff_values, const_values=None):
        it_d, it_c = iter(diff_values), iter(consts if const_values is None else const_values)
        return [next(it_d) if f else next(it_c) for f in flags]

    return [a for a, f in zip(args, flags) if f], diff_names, rebuild


def jacobian_matrix(blocks, n_in: int):
    """A Jacobian API's blocks for one argument (one per output, each of shape output shape
    + argument shape) as one (output elements × argument elements) matrix."""
    import numpy as np

    blocks = [np.asarray(b) for b in blocks]
    return np.concatenate([b.reshape(-1, n_in) for b in blocks], axis=0)


def batch_diagonal(blocks, n_in: int):
    """A batch Jacobian API's blocks for one argument (one per output, each of shape
    (batch,) + output shape[1:] + argument shape[1:]) as one (output elements × argument
    elements) matrix whose only non-zero blocks are sample k's outputs × sample k's inputs."""
    import numpy as np

    rows = []
    for b in (np.asarray(x) for x in blocks):
        batch = b.shape[0]
        per_out, per_in = (b.size // batch // (n_in // batch), n_in // batch) if batch else (0, 0)
        m = np.zeros((batch * per_out, n_in), dtype=b.dtype)
        for k in range(batch):
            m[k * per_out:(k + 1) * per_out, k * per_in:(k + 1) * per_in] = b[k].reshape(per_out, per_in)
        rows.append(m)
    return np.concatenate(rows, axis=0)


def hessian_rows(blocks, n_row: int):
    """A Hessian API's blocks for one argument's rows (one per argument, each of shape row
    argument's shape + column argument's shape) as one (row elements × all elements) matrix."""
    import numpy as np

    blocks = [np.asarray(b) for b in blocks]
    return np.concatenate([b.reshape(n_row, -1) for b in blocks], axis=1)
