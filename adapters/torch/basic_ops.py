"""torch ops for the parameter-free modules (000/001, table 'Parameter-free modules'); pooling is in pool_ops.py."""

from __future__ import annotations

from typing import Any

# No native op: composed from torch primitives (the injected-mask dropout only).
COMPOSED = frozenset({"switch", "cross_entropy", "dropout"})


def build(torch) -> dict[str, Any]:
    F = torch.nn.functional

    def dropout(x, mask=None, *, rate=0.5, native=False):
        if native:  # the adapter seeds torch's generator around this call
            return F.dropout(x, p=rate, training=True)
        return mask * x / (1 - rate)

    return {
        "add": torch.add,
        "multiply": torch.mul,
        "sum": lambda x, axis=-1: torch.sum(x, dim=axis),
        "max": lambda x, axis=-1: torch.amax(x, dim=axis),  # amax splits ties; max(dim) picks one
        "switch": lambda x, s: s * x,
        "relu": F.relu,
        "leaky_relu": lambda x, negative_slope=0.01: F.leaky_relu(x, negative_slope),
        "elu": lambda x, alpha=1.0: F.elu(x, alpha),
        "selu": F.selu,
        "sigmoid": torch.sigmoid,
        "softmax": lambda x, axis=-1: F.softmax(x, dim=axis),
        "softplus": F.softplus,
        "tanh": torch.tanh,
        "cross_entropy": lambda x, p, axis=-1: -torch.sum(p * torch.log(x), dim=axis),
        "squared_error": lambda x, t, axis=-1: F.mse_loss(x, t, reduction="none").sum(axis),
        "softmax_cross_entropy": lambda z, p: F.cross_entropy(z, p, reduction="none"),
        "dropout": dropout,
    }
