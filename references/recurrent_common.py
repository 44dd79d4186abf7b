"""Shared pieces of the recurrent references (simple_rnn, lstm, gru): layout and helpers.

Canonical layout (every recurrent reference, every adapter):

* ``x``  (T, N, I) time-major, so a gradient's worst index starts with the time step;
* ``h0`` (N, H) [and ``c0`` (N, H)] the initial state(s);
* recurrent matrices ``W_k`` (H, H) and input matrices ``U_k`` (H, I), one per gate ``k``,
  acting on column vectors as in the documents (``W h + U x``); with a batch of row
  vectors that is ``h @ W.T + x @ U.T``;
* biases ``b_k`` (H,);
* outputs ``y`` (T, N, H) = h_1..h_T, the final state ``h_T`` (N, H) [and ``c_T``].

Index convention: 000/001 write h_{t+1} = f(h_t, x_t), 002-004 write h_t = f(h_{t-1}, x_t);
both consume x_1..x_T and return h_1..h_T, stored here as y[0..T-1].

The backward passes are hand-written BPTT (no autodiff): one loop over time steps, carrying
dL/dh (and dL/dC) backwards; each step adds the cotangent on y[t] to the carried dL/dh_t
(the documents' "dL_t/dh_t" term), and the cotangent on h_T / c_T seeds the carry. The
parameter gradients are sums over time steps (the documents write one step's term and leave
the sum over t implicit, except 000's SimpleRNN which writes Σ_t).
Every tensor a step stores is marked ``stored(z)`` (``references._stored``: the identity
unless the low-precision error model measures the stored roundings).
This package imports NumPy only.
"""

from __future__ import annotations

import numpy as np

from ._stored import stored


def f64(*arrays):
    return tuple(np.asarray(a, dtype=np.float64) for a in arrays)


def sigmoid(a):
    """1/(1+e^{-a}) without overflow."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def check_form(name: str, form, forms) -> str:
    if form not in forms:
        raise ValueError(f"{name}: form must be one of {', '.join(map(repr, forms))}; got {form!r}")
    return form


def check_sequence(x, h0, name: str):
    """(T, N, I) and (N, H) with T, N >= 1; returns (T, N, I, H)."""
    if x.ndim != 3 or h0.ndim != 2 or x.shape[1] != h0.shape[0] or x.shape[0] < 1:
        raise ValueError(f"{name}: expected x (T, N, I) with T >= 1 and h0 (N, H) with the same N;"
                         f" got x {x.shape}, h0 {h0.shape}")
    T, N, I = x.shape
    return T, N, I, h0.shape[1]


def check_params(name: str, H: int, I: int, named: dict) -> None:
    """Recurrent matrices (H, H), input matrices (H, I), biases (H,)."""
    want = {"W": (H, H), "P": (H, H), "U": (H, I), "b": (H,)}
    for key, value in named.items():
        shape = want[key.split("_")[0]]
        if value.shape != shape:
            raise ValueError(f"{name}: {key} must have shape {shape}, got {value.shape}")


def cotangents(cotangent, shapes, name: str):
    """The tuple cotangent of a multi-output module, checked against the output shapes."""
    if not isinstance(cotangent, (tuple, list)) or len(cotangent) != len(shapes):
        raise ValueError(f"{name}: expected a tuple of {len(shapes)} cotangents")
    out = f64(*cotangent)
    for c, s in zip(out, shapes):
        if c.shape != s:
            raise ValueError(f"{name}: cotangent shape {c.shape} != output shape {s}")
    return out


def affine(h, x, W, U, b=None):
    """W h + U x (+ b) for batches of row vectors (each product and sum a stored tensor:
    ``references._stored``)."""
    a = stored(stored(h @ W.T) + stored(x @ U.T))
    return a if b is None else stored(a + b)


def weight_grads(da, inputs):
    """Σ_t da_tᵀ inp_t over time and batch: the (out, in) gradient of a matrix."""
    return da.reshape(-1, da.shape[-1]).T @ inputs.reshape(-1, inputs.shape[-1])
