"""Adapters with planted forward-mode and second-order faults, loaded through the public
adapter protocol (``--adapter tests.planted_derivatives:Class``). Their outputs and VJPs
are the NumPy references' (right); their JVPs and HVPs are written out here by hand, for
``tanh`` and ``multiply`` only (other modules: a skip), independently of the oracles."""

from __future__ import annotations

import numpy as np

from adapters.base import Unsupported
from adapters.derivatives import DerivativeResult
from adapters.numpy import NumpyAdapter

MODULES = ("tanh", "multiply")


def _jvp(module, args, names, tangents):
    if module == "tanh":
        y = np.tanh(args[0])
        return {"x": (1 - y * y) * tangents["x"]}
    a, b = args
    return {"a": b * tangents["a"], "b": a * tangents["b"]}


def _hvp(module, args, tangents, u):
    if module == "tanh":
        y = np.tanh(args[0])
        return {"x": -2 * u * y * (1 - y * y) * tangents["x"]}
    # s = ⟨u, a ⊙ b⟩: ∂s/∂a = u ⊙ b, ∂s/∂b = u ⊙ a, so H v = (u ⊙ v_b, u ⊙ v_a).
    return {"a": u * tangents["b"], "b": u * tangents["a"]}


class _HandDerivatives(NumpyAdapter):
    package = None
    DERIVATIVE_ROUTES = {"jvp": ("by_hand",), "hvp": ("by_hand",)}

    def derivatives(self, module, args, names, wrt, tangents, cotangent, attrs, *, routes,
                    dtype, device="cpu", mode="eager", seed=0):
        if module not in MODULES or mode != "eager":
            raise Unsupported(f"{self.name}: derivatives of {', '.join(MODULES)} only, eager")
        x = [np.asarray(a, dtype=np.float64) for a in args]
        t = {k: np.asarray(v, dtype=np.float64) for k, v in tangents.items()}
        u = np.asarray(cotangent, dtype=np.float64)
        jvp, hvp = self.jvp_values(module, x, names, t), self.hvp_values(module, x, t, u)
        out = [DerivativeResult("jvp", r, {k: v.astype(dtype) for k, v in jvp.items()})
               for r in routes.get("jvp", ())]
        for r in routes.get("hvp", ()):
            values = self.hvp_route_values(r, module, x, t, u) or hvp
            out.append(DerivativeResult("hvp", r, {k: v.astype(dtype) for k, v in values.items()}))
        return out

    def hvp_route_values(self, route, module, x, t, u):
        """A route's own H v where it differs from ``hvp_values`` (None: the same)."""
        return None

    def jvp_values(self, module, x, names, t):
        return _jvp(module, x, names, t)

    def hvp_values(self, module, x, t, u):
        return _hvp(module, x, t, u)


class HandDerivatives(_HandDerivatives):
    """Right everywhere: the control."""

    name = "hand-derivatives"


class PlantedJvp(_HandDerivatives):
    """VJP right, HVP right; tanh's JVP off by 0.05% where |x| > 1, and only there."""

    name = "planted-jvp"

    def jvp_values(self, module, x, names, t):
        out = _jvp(module, x, names, t)
        if module == "tanh":
            out["x"] = np.where(np.abs(x[0]) > 1, out["x"] * 1.0005, out["x"])
        return out


class DetachedSecondOrder(_HandDerivatives):
    """First derivatives right (VJP and JVP); multiply's backward built from a detached b,
    grad_a = u ⊙ stop_gradient(b), so the mixed second derivative into a is lost: exactly
    hvp:a is wrong (zero), hvp:b (u ⊙ v_a) is right."""

    name = "detached-second-order"

    def hvp_values(self, module, x, t, u):
        out = _hvp(module, x, t, u)
        if module == "multiply":
            out["a"] = np.zeros_like(out["a"])
        return out


class PartialRoutes(_HandDerivatives):
    """Right by its first routes; a second HVP route the "framework" does not implement."""

    name = "partial-routes"
    DERIVATIVE_ROUTES = {"jvp": ("by_hand",), "hvp": ("by_hand", "missing")}

    def derivatives(self, module, args, names, wrt, tangents, cotangent, attrs, *, routes, **kw):
        from adapters.derivatives import attempt

        hvp = tuple(r for r in routes.get("hvp", ()) if r != "missing")
        out = super().derivatives(module, args, names, wrt, tangents, cotangent, attrs,
                                  routes={"jvp": routes.get("jvp", ()), "hvp": hvp}, **kw)
        if "missing" in routes.get("hvp", ()):
            def missing():
                raise NotImplementedError("planted: second order by route 'missing' is not implemented")
            out.append(attempt("hvp", "missing", missing))
        return out


COMPOSITIONS = ("rev_over_rev", "fwd_over_rev", "rev_over_fwd", "fwd_over_fwd")


class _Compositions(_HandDerivatives):
    DERIVATIVE_ROUTES = {"jvp": ("by_hand",), "hvp": COMPOSITIONS}


class AllCompositions(_Compositions):
    """Right by every composition of the two modes: the control."""

    name = "all-compositions"


class ForwardRuleNotDifferentiable(_Compositions):
    """tanh's forward-mode rule J v = (1 − y²) v is right, but it is not itself
    forward-differentiable correctly: differentiating it forward treats (1 − y²) as a
    constant, so forward over forward loses the curvature (H v = 0); reverse over reverse,
    forward over reverse and reverse over forward are right."""

    name = "forward-rule-not-differentiable"

    def hvp_route_values(self, route, module, x, t, u):
        if route == "fwd_over_fwd" and module == "tanh":
            return {"x": np.zeros_like(x[0])}
        return None


class WrongJvpTranspose(_Compositions):
    """multiply's JVP rule J (v_a, v_b) = b ⊙ v_a + a ⊙ v_b is right, but its transpose
    (what reverse over forward pulls u back through) swaps the factors' roles: reverse over
    forward gives (u ⊙ v_a, u ⊙ v_b) instead of (u ⊙ v_b, u ⊙ v_a); every other route is right."""

    name = "wrong-jvp-transpose"

    def hvp_route_values(self, route, module, x, t, u):
        if route == "rev_over_fwd" and module == "multiply":
            return {"a": u * t["a"], "b": u * t["b"]}
        return None


def _hessian(module, x, u):
    """{argument: its rows of the Hessian of ⟨u, f⟩ over every argument} by hand."""
    if module == "tanh":
        y = np.tanh(x[0])
        return {"x": np.diag(np.ravel(-2 * u * y * (1 - y * y)))}
    n = x[0].size  # s = ⟨u, a ⊙ b⟩: ∂²s/∂a∂b = diag(u), ∂²s/∂a² = ∂²s/∂b² = 0
    d, z = np.diag(np.ravel(u * np.ones_like(x[0]))), np.zeros((n, n))
    return {"a": np.concatenate([z, d], axis=1), "b": np.concatenate([d, z], axis=1)}


class WrongHessianApi(_HandDerivatives):
    """Every HVP right; its Hessian API assembles tanh's diagonal from a curvature without
    the factor 2 (−u y (1 − y²) instead of −2 u y (1 − y²)): only hessian:x fails."""

    name = "wrong-hessian-api"
    DERIVATIVE_ROUTES = {"hvp": ("by_hand",), "hessian": ("hessian_api",)}

    def derivatives(self, module, args, names, wrt, tangents, cotangent, attrs, *, routes, **kw):
        out = super().derivatives(module, args, names, wrt, tangents, cotangent, attrs,
                                  routes={"hvp": routes.get("hvp", ())}, **kw)
        x = [np.asarray(a, dtype=np.float64) for a in args]
        u = np.asarray(cotangent, dtype=np.float64)
        h = _hessian(module, x, u)
        if module == "tanh":
            h = {"x": h["x"] / 2}
        out += [DerivativeResult("hessian", r, {k: v.astype(kw["dtype"]) for k, v in h.items()})
                for r in routes.get("hessian", ())]
        return out


class _KinkSides(_HandDerivatives):
    """relu only, two forward-mode routes: ``left_side`` takes the slope of x < 0 at x = 0
    (0, the reference's documented rule), ``other`` the slope that ``OTHER_SLOPE`` names;
    the VJP is the reference's (slope 0 at 0), H v is 0 (relu is piecewise linear)."""

    DERIVATIVE_ROUTES = {"jvp": ("left_side", "other")}
    OTHER_SLOPE = 1.0

    def derivatives(self, module, args, names, wrt, tangents, cotangent, attrs, *, routes,
                    dtype, device="cpu", mode="eager", seed=0):
        if module != "relu" or mode != "eager":
            raise Unsupported(f"{self.name}: derivatives of relu only, eager")
        x, t = np.asarray(args[0], dtype=np.float64), np.asarray(tangents["x"], dtype=np.float64)
        slope = {"left_side": np.where(x > 0, 1.0, 0.0),
                 "other": np.where(x > 0, 1.0, np.where(x == 0, self.OTHER_SLOPE, 0.0))}
        return [DerivativeResult("jvp", r, {"x": (slope[r] * t).astype(dtype)})
                for r in routes.get("jvp", ())]


class KinkSides(_KinkSides):
    """Right everywhere; at x = 0 its second route takes slope 1 (the x > 0 side): the
    routes follow different known rules there, a convention."""

    name = "kink-sides"


class WrongAtKink(_KinkSides):
    """Its second route takes slope 2 at x = 0, and only there: no known rule gives it."""

    name = "wrong-at-kink"
    OTHER_SLOPE = 2.0


class _BatchApi(_HandDerivatives):
    """tanh only: a batch Jacobian API (``DerivativeResult.batch_summed``): for each sample
    k the block ∂y[k]/∂x[k] = diag(1 − y[k]²), assembled by ``batch_diagonal``."""

    DERIVATIVE_ROUTES = {"jacobian": ("batch_api",)}
    OFF = 1.0

    def derivatives(self, module, args, names, wrt, tangents, cotangent, attrs, *, routes,
                    dtype, device="cpu", mode="eager", seed=0):
        from adapters.derivatives import batch_diagonal

        if module != "tanh" or mode != "eager":
            raise Unsupported(f"{self.name}: derivatives of tanh only, eager")
        x = np.asarray(args[0], dtype=np.float64)
        slope = 1 - np.tanh(x) ** 2
        slope = np.where(np.abs(x) > 1, slope * self.OFF, slope)
        rows = x.reshape(x.shape[0], -1)
        blocks = np.stack([np.diag(s) for s in slope.reshape(rows.shape)])
        result = DerivativeResult("jacobian", "batch_api",
                                  {"x": batch_diagonal([blocks], x.size).astype(dtype)})
        result.batch_summed = True
        return [result] if "batch_api" in routes.get("jacobian", ()) else []


class BatchApi(_BatchApi):
    """Right: the control."""

    name = "batch-api"


class WrongBatchApi(_BatchApi):
    """Its blocks off by 0.05% where |x| > 1, and only there."""

    name = "wrong-batch-api"
    OFF = 1.0005


class _ProjectedForwardOverForward(_HandDerivatives):
    """tanh only, forward over forward above its limit of passes (a limit of 0: always):
    one pass per argument along its own tangent, each pass ⟨u, D²f[e, v]⟩ = Σ u f''(x) e v
    by hand, through ``adapters.derivatives.forward_over_forward_plan`` and ``_values``."""

    DERIVATIVE_ROUTES = {"hvp": ("fwd_over_fwd",)}
    OFF = 1.0

    def derivatives(self, module, args, names, wrt, tangents, cotangent, attrs, *, routes,
                    dtype, device="cpu", mode="eager", seed=0):
        from adapters.derivatives import forward_over_forward_plan, forward_over_forward_values

        if module != "tanh" or mode != "eager":
            raise Unsupported(f"{self.name}: derivatives of tanh only, eager")
        x, u = np.asarray(args[0], dtype=np.float64), np.asarray(cotangent, dtype=np.float64)
        v = np.asarray(tangents["x"], dtype=np.float64)
        y = np.tanh(x)
        curvature = -2 * y * (1 - y * y)
        curvature = np.where(np.abs(x) > 1, curvature * self.OFF, curvature)
        plan, projected = forward_over_forward_plan([x.shape], [v], np.float64, limit=0)
        column = [float(np.sum(u * curvature * e[0] * v)) for e in plan]
        result = DerivativeResult("hvp", "fwd_over_fwd",
                                  forward_over_forward_values(column, ["x"], [x.shape], projected, dtype))
        result.projected = projected
        return [result] if "fwd_over_fwd" in routes.get("hvp", ()) else []


class ProjectedForwardOverForward(_ProjectedForwardOverForward):
    """Right: the control."""

    name = "projected-fwd-over-fwd"


class WrongProjectedForwardOverForward(_ProjectedForwardOverForward):
    """Its curvature 0.5% off where |x| > 1, and only there."""

    name = "wrong-projected-fwd-over-fwd"
    OFF = 1.005
