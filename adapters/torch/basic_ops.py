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
        "sum": lambda x: torch.sum(x, dim=-1),
        "max": lambda x: torch.amax(x, dim=-1),  # amax splits ties; max(dim) picks one
        "switch": lambda x, s: s * x,
        "relu": F.relu,
        "leaky_relu": lambda x, negative_slope=0.01: F.leaky_relu(x, negative_slope),
        "elu": lambda x, alpha=1.0: F.elu(x, alpha),
        "selu": F.selu,
        "sigmoid": torch.sigmoid,
        "softmax": lambda x: F.softmax(x, dim=-1),
        "softplus": F.softplus,
        "tanh": torch.tanh,
        "cross_entropy": lambda x, p: -torch.sum(p * torch.log(x), dim=-1),
        "squared_error": lambda x, t: F.mse_loss(x, t, reduction="none").sum(-1),
        "softmax_cross_entropy": lambda z, p: F.cross_entropy(z, p, reduction="none"),
        "dropout": dropout,
    }
