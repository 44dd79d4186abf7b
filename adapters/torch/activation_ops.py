"""torch ops for GELU and PReLU (no table row in 000/001; 001 bibliography entries 5 and 6):
``F.gelu(approximate='none'|'tanh')`` and ``F.prelu`` (one slope per channel, axis 1)."""

from __future__ import annotations

from typing import Any

COMPOSED = frozenset()


def build(torch) -> dict[str, Any]:
    F = torch.nn.functional
    return {"gelu": lambda x, approximate="none": F.gelu(x, approximate=approximate),
            "prelu": F.prelu}
