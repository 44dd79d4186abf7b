"""torch ops for the pooling modules (000/001, MaxPooling-2D and AveragePooling-2D rows)."""

from __future__ import annotations

from typing import Any

COMPOSED = frozenset()


def build(torch) -> dict[str, Any]:
    F = torch.nn.functional

    def pool_args(kernel, stride):
        return {"kernel_size": kernel, "stride": kernel if stride is None else stride}

    return {
        "max_pool2d": lambda x, kernel=2, stride=None: F.max_pool2d(x, **pool_args(kernel, stride)),
        "avg_pool2d": lambda x, kernel=2, stride=None: F.avg_pool2d(x, **pool_args(kernel, stride)),
    }
