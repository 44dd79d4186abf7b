"""Value domains that drive intermediates to the edge of a dtype's range (float16's 65,504)
while the result stays in range, so that inf or NaN can only come from how a framework
orders its arithmetic, never from a result that does not fit."""

from __future__ import annotations

from dataclasses import dataclass


from conformance.model.domains import Domain


@dataclass(frozen=True)
class CancellingLarge(Domain):
    """Along the last axis: the first half large positives (``low``..``high``), the second
    half their negatives in another order, an odd middle element small. Every prefix sum of
    the first half passes ``high`` (a float16 accumulator there overflows), while the
    total is small: exactly representable partial sums in float32, and a finite reference."""

    low: float = 34000.0
    high: float = 40000.0

    def sample(self, shape, rng):
        x = rng.uniform(-1.0, 1.0, size=shape)
        d = shape[-1] if shape else 1
        half = d // 2
        if half:
            big = rng.uniform(self.low, self.high, size=shape[:-1] + (half,))
            x[..., :half] = big
            x[..., d - half:] = -rng.permuted(big, axis=-1)
        return x

    def describe(self):
        return (f"first half uniform[{self.low:g}, {self.high:g}], second half their negatives "
                "(prefix sums beyond float16's range, small total)")
