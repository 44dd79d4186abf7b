"""Claims of the GRU derivation in 003 (its first backward steps, eqs. 18–20)."""

from __future__ import annotations

import numpy as np

from ..domains import Uniform
from . import Claim

GRU_POST = "003_82e7ef9d31dc8d93.txt"


def _update(z, h_prev, h_tilde):
    """003 eqs. 18–20: g11 = z∘h_{t−1}, g12 = (1 − z)∘h̃, h_t = g11 + g12."""
    return z * h_prev + (1 - z) * h_tilde


def _update_vjp(dh, z, h_prev, h_tilde):
    return (dh * (h_prev - h_tilde), dh * z, dh * (1 - z))


def _update_as_written(dh, z, h_prev, h_tilde):
    """As written: Δz = −Δg12∘h̃ then Δz += −Δg11∘h_{t−1}; Δh̃ = −Δg12∘(1 − z);
    Δh_{t−1} = −Δg12∘z, with Δg11 = Δg12 = Δh."""
    return (-dh * h_tilde - dh * h_prev, -dh * z, -dh * (1 - z))


_STEP = dict(seed=GRU_POST, forward=_update, corrected=_update_vjp,
             as_written_vjp=_update_as_written, dims={"N": (1, 3), "H": (1, 4)},
             args={"z": (("N", "H"), Uniform(0.05, 0.95)), "h_prev": (("N", "H"), Uniform(-1, 1)),
                   "h_tilde": (("N", "H"), Uniform(-1, 1))},
             as_written="Δ_{z_t}L = −Δ_{g12}L∘h̃_t; Δ_{h̃_t}L = −Δ_{g12}L∘(1−z_t); "
                        "Δ_{z_t}L += −Δ_{g11}L∘h_{t−1}; Δ_{h_{t−1}}L = −Δ_{g12}L∘z_t",
             corrected_text="Δz = Δh∘(h_{t−1} − h̃); Δh̃ = Δh∘(1 − z); Δh_{t−1} = Δh∘z")

CLAIMS = (
    Claim(id="gru-003-dz-sign", where="backward, 'Eq. (18) gives' Δ_{z_t}L += −Δ_{g11}L∘h_{t−1}",
          problem="g11 = z∘h_{t−1} gives Δz += +Δg11∘h_{t−1}: the sign is flipped",
          check="grad:z", **_STEP),
    Claim(id="gru-003-dh-prev", where="backward, 'Eq. (18) gives' Δ_{h_{t−1}}L = −Δ_{g12}L∘z_t",
          problem="g11 = z∘h_{t−1} gives Δh_{t−1} = +Δg11∘z: the sign is flipped (and g12 "
                  "is named where g11 is meant; their Δ are equal)",
          check="grad:h_prev", **_STEP),
    Claim(id="gru-003-dh-tilde", where="backward, 'Eq. (19) gives' Δ_{h̃_t}L = −Δ_{g12}L∘(1−z_t)",
          problem="g12 = (1 − z)∘h̃ gives Δh̃ = +Δg12∘(1 − z): the sign is flipped",
          check="grad:h_tilde", **_STEP),
)


GRU_NOTES = "004_48320439d88c2957.txt"


def _ce(y_hat, y):
    """004 eq. 9's per-step loss: J = −Σ_i y_i log ŷ_i (per row)."""
    return -np.sum(y * np.log(y_hat), axis=-1)


def _ce_vjp(dj, y_hat, y):
    return (-dj[..., None] * y / y_hat, None)


def _ce_as_written(dj, y_hat, y):
    """As written in 2.1.1: ∂J/∂ŷ = y / ŷ."""
    return (dj[..., None] * y / y_hat, None)


CLAIMS = CLAIMS + (
    Claim(id="gru-004-dJ-dyhat-sign", seed=GRU_NOTES, where="section 2.1.1, ∂J/∂ŷ",
          as_written="∂J/∂ŷ^{(t)} = y^{(t)} / ŷ^{(t)}",
          problem="J = −Σ y log ŷ gives ∂J/∂ŷ = −y/ŷ: the minus sign is missing",
          corrected_text="∂J/∂ŷ = −y / ŷ", as_written_vjp=_ce_as_written, check="grad:y_hat",
          forward=_ce, corrected=_ce_vjp, dims={"N": (1, 3), "K": (2, 5)},
          args={"y_hat": (("N", "K"), Uniform(0.05, 1.0)), "y": (("N", "K"), Uniform(0.0, 1.0))}),
)
