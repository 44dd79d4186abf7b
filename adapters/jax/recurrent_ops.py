"""jax ops for the recurrent modules (000/001 'Reccurent modules', 002 LSTM, 003/004 GRU).

JAX has no recurrent layer (flax.linen's cells are not installed, and would be the only
native ones): every form is composed from jax.numpy primitives with ``jax.lax.scan`` over
the time axis, so what is tested is JAX's autodiff of ``scan`` (its linearisation and
transposition into a reverse scan), not a recurrent kernel. Each op is ``jax.jit``-ed with
the form static, so it compiles once per shape and dtype (a ``scan`` is compiled even op by
op, but without the jit it would be recompiled on every call). Canonical layout throughout
(time-major x, (out, in) matrices as row-vector products a @ Wᵀ); the gates' matrices are
stacked in canonical order (LSTM i, f, g, o; GRU r, z, n) so that a step is one matmul on h
and the input projections of all steps are one matmul before the scan — fewer operations
in the scan body compile faster (XLA compile time dominates JAX's share of the run).
"""

from __future__ import annotations

from typing import Any

from ..common import named_recurrent_params as _named

COMPOSED = frozenset({"simple_rnn", "lstm", "gru", "gru_softmax_ce"})
LSTM_GATES, GRU_GATES = ("i", "f", "g", "o"), ("r", "z", "n")


def build(jax) -> dict[str, Any]:
    jnp, lax = jax.numpy, jax.lax
    sig = jax.nn.sigmoid

    def mm(a, w):
        return a @ w.T

    def simple_rnn(x, h0, W, U):
        def step(h, xu):
            h = jnp.tanh(mm(h, W) + xu)
            return h, h

        hT, y = lax.scan(step, h0, x @ U.T)
        return y, hT

    def packed(p, kind, gates, bias=True):
        """The gates' matrices stacked (kH, ·), so one matmul a step serves every gate."""
        if kind == "b":
            return jnp.concatenate([p[f"b_{k}"] for k in gates]) if bias else 0
        return jnp.concatenate([p[f"{kind}_{k}"] for k in gates])

    def lstm(x, h0, c0, *params, form="standard"):
        """000/001 (seed000: no biases; standard: biases) and 002's peephole forms."""
        p = _named(params, LSTM_GATES, peep=True)
        peep = form.startswith("peephole")
        g_act = sig if form == "peephole" else jnp.tanh
        xu = x @ packed(p, "U", LSTM_GATES).T + packed(p, "b", LSTM_GATES, form != "seed000")
        W = packed(p, "W", LSTM_GATES)
        P = packed(p, "P", ("i", "f")) if peep else None

        def step(carry, xu_t):
            h, c = carry
            a = jnp.split(xu_t + mm(h, W), 4, axis=-1)
            if peep:  # i and f read C_{t-1}
                pi, pf = jnp.split(mm(c, P), 2, axis=-1)
                a[0], a[1] = a[0] + pi, a[1] + pf
            i, f, g, o = a
            c_new = sig(f) * c + sig(i) * g_act(g)
            if form == "peephole":
                o = o + mm(c, p["P_o"])
            elif form == "peephole_compact":
                o = o + mm(c_new, p["P_o"])
            h_new = sig(o) * jnp.tanh(c_new)
            return (h_new, c_new), h_new

        (hT, cT), y = lax.scan(step, (h0, c0), xu)
        return y, hT, cT

    def gru(x, h0, *params, form="reset_after"):
        """Reset before the matmul (seed000/003/004) or after it (reset_after)."""
        p = _named(params, GRU_GATES, peep=False)
        bias = form in ("seed004", "reset_after")
        z_keep = form in ("seed003", "reset_after")
        xu = x @ packed(p, "U", GRU_GATES).T + packed(p, "b", GRU_GATES, bias)
        W_rz = packed(p, "W", ("r", "z"))

        def step(h, xu_t):
            xr, xz, xn = jnp.split(xu_t, 3, axis=-1)
            hr, hz = jnp.split(mm(h, W_rz), 2, axis=-1)
            r, z = sig(xr + hr), sig(xz + hz)
            if form == "reset_after":
                n = jnp.tanh(xn + r * (mm(h, p["W_n"]) + p["b_hn"]))
            else:
                n = jnp.tanh(xn + mm(r * h, p["W_n"]))
            h_new = z * h + (1 - z) * n if z_keep else (1 - z) * h + z * n
            return h_new, h_new

        hT, y = lax.scan(step, h0, xu)
        return y, hT

    def gru_softmax_ce(x, h0, *params):
        *weights, targets = params
        y, _ = gru(x, h0, *weights, None, form="seed004")
        return -jnp.sum(targets * jax.nn.log_softmax(y, axis=-1), axis=-1)

    return {"simple_rnn": jax.jit(simple_rnn),
            "lstm": jax.jit(lstm, static_argnames=("form",)),
            "gru": jax.jit(gru, static_argnames=("form",)),
            "gru_softmax_ce": jax.jit(gru_softmax_ce)}
