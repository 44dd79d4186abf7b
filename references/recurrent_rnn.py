"""SimpleRNN reference: forward over T steps and hand-written BPTT.

Source: 000_0c41eef9689a3bf9.txt, section 'Reccurent modules' / 'SimpleRNN' (forward-pass,
backward-pass, parameter-pass); the same section in 001_9eba1572aa0cb554.txt. Layout and
conventions: see ``recurrent_common``.

The output projection o_t = V h_t of the documents is *not* part of the module: the
frameworks' recurrent layers (torch.nn.RNN, keras.layers.SimpleRNN) return h, and V h_t is a
separate fully-connected module (its own row in the spec table). The module's outputs are
the hidden states y = (h_1..h_T) and h_T; a cotangent on y[t] plays the role of the
documents' dL/do_t V term.
"""

from __future__ import annotations

import numpy as np

from .recurrent_common import affine, check_params, check_sequence, cotangents, f64, weight_grads

__all__ = ["simple_rnn"]


def _forward(x, h0, W, U):
    T, N, I, H = check_sequence(x, h0, "simple_rnn")
    check_params("simple_rnn", H, I, {"W": W, "U": U})
    hs = np.empty((T + 1, N, H))
    hs[0] = h0
    for t in range(T):
        hs[t + 1] = np.tanh(affine(hs[t], x[t], W, U))
    return hs


def simple_rnn(x, h0, W, U):
    """h_{t+1} = tanh(W h_t + U x_t), t = 0..T-1; returns (y, h_T) with y[t] = h_{t+1}.

    Cites 000_0c41eef9689a3bf9.txt, 'SimpleRNN', forward-pass (first line; the second line
    o_t = V h_t is left to a separate FC module, see the module docstring); same in 001.
    No bias: the documents have none (the frameworks are run with bias=False/use_bias=False).
    """
    x, h0, W, U = f64(x, h0, W, U)
    hs = _forward(x, h0, W, U)
    return hs[1:], hs[-1].copy()


def simple_rnn_vjp(cotangent, x, h0, W, U):
    """BPTT: dL/dh_t = dL/dy_t + dL/dh_{t+1} diag(1 − h_{t+1}²) W, then
    dL/dW = Σ_t δ_{t+1}ᵀ h_t, dL/dU = Σ_t δ_{t+1}ᵀ x_t, dL/dx_t = δ_{t+1} U,
    dL/dh_0 = δ_1 W, with δ_{t+1} = dL/dh_{t+1} ∘ (1 − h_{t+1}²) (a row vector).

    Cites 000_0c41eef9689a3bf9.txt, 'SimpleRNN', backward-pass and parameter-pass; same in 001.
    The backward-pass line is right ("dL/dh_t = dL/do_t V + dL/dh_{t+1} diag(I − h_{t+1}
    h_{t+1}ᵀ) W"; its diag(I − h hᵀ) means the diagonal matrix of 1 − h∘h). The
    parameter-pass slips (checked against finite differences in
    tests/test_recurrent_references.py):
      * "dL/dW = Σ_t h_t dL/dh_t diag(I − h_t h_tᵀ)" pairs h_t with its *own* derivative;
        h_t feeds h_{t+1}, so it is Σ_t h_t dL/dh_{t+1} diag(1 − h_{t+1}²) (index slip);
      * "dL/dU = Σ_t x_t dL/dh_t diag(I − h_t h_tᵀ)": the same index slip (x_t feeds h_{t+1});
      * "dL/dV = Σ_t x_t dL/do_t": o_t = V h_t, so it is Σ_t h_t dL/do_t (x for h).
    In numerator layout these (in, out)-shaped products are the transposes of the (out, in)
    gradients returned here.
    """
    x, h0, W, U = f64(x, h0, W, U)
    hs = _forward(x, h0, W, U)
    T = x.shape[0]
    gy, ghT = cotangents(cotangent, (hs[1:].shape, h0.shape), "simple_rnn")
    delta = np.empty_like(hs[1:])
    gx = np.empty_like(x)
    dh = ghT.copy()
    for t in range(T - 1, -1, -1):
        dh = dh + gy[t]
        delta[t] = dh * (1.0 - hs[t + 1] ** 2)
        gx[t] = delta[t] @ U
        dh = delta[t] @ W
    return gx, dh, weight_grads(delta, hs[:-1]), weight_grads(delta, x)
