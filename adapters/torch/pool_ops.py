"""torch ops for the pooling modules (000/001, MaxPooling-2D and AveragePooling-2D rows, and
their derived 1-D / 3-D forms): ``F.max_pool{1,2,3}d`` / ``F.avg_pool{1,2,3}d``, channels-first
natively. Padding is symmetric; avg-pool keeps torch's default count_include_pad=True."""

from __future__ import annotations

from typing import Any

COMPOSED = frozenset()


def build(torch) -> dict[str, Any]:
    F = torch.nn.functional

    def pool(fn):
        def op(x, kernel=2, stride=None, padding=0):
            return fn(x, kernel_size=kernel, stride=kernel if stride is None else stride,
                      padding=padding)

        return op

    return {f"{kind}_pool{nd}d": pool(getattr(F, f"{kind}_pool{nd}d"))
            for kind in ("max", "avg") for nd in (1, 2, 3)}
