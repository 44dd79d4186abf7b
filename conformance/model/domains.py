"""Value domains: how the values of one argument are drawn, given its shape.

A domain turns ``(shape, numpy Generator)`` into a float64 array. Hypothesis draws the
shapes and the generator's seed (see ``strategies``); the values then follow from the
seed, which keeps every example reproducible from one integer and lets a domain place
ties and kinks deliberately instead of by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Domain:
    """Base class: ``sample(shape, rng) -> np.ndarray`` (float64)."""

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError


@dataclass(frozen=True)
class Uniform(Domain):
    """Uniform on [low, high]."""

    low: float = -3.0
    high: float = 3.0

    def sample(self, shape, rng):
        return rng.uniform(self.low, self.high, size=shape)


@dataclass(frozen=True)
class NonZero(Domain):
    """|x| uniform on [low, high] with a random sign: never zero (so a zero in a
    module's output can only come from its mask)."""

    low: float = 0.25
    high: float = 3.0

    def sample(self, shape, rng):
        sign = np.where(rng.random(size=shape) < 0.5, -1.0, 1.0)
        return sign * rng.uniform(self.low, self.high, size=shape)


@dataclass(frozen=True)
class WithKinks(Domain):
    """Uniform on [low, high], with a fraction of the elements set exactly to ``at``
    (the kink), so that the gradient rule at the kink is exercised on every example."""

    low: float = -3.0
    high: float = 3.0
    at: float = 0.0
    fraction: float = 0.4

    def sample(self, shape, rng):
        x = rng.uniform(self.low, self.high, size=shape)
        x[rng.random(size=shape) < self.fraction] = self.at
        if x.size:  # at least one kink per example
            x.flat[rng.integers(x.size)] = self.at
        return x


@dataclass(frozen=True)
class SmallIntegers(Domain):
    """Integers in [low, high] (exact in every float dtype): many ties by design."""

    low: int = -2
    high: int = 2

    def sample(self, shape, rng):
        return rng.integers(self.low, self.high + 1, size=shape).astype(np.float64)


@dataclass(frozen=True)
class Distinct(Domain):
    """Values spaced at least ``gap`` apart along every row: no ties, by construction."""

    distinct = True  # rounding to a low-precision dtype keeps them distinct (representable.py)

    low: float = -3.0
    high: float = 3.0

    def sample(self, shape, rng):
        n = int(np.prod(shape)) if shape else 1
        grid = np.linspace(self.low, self.high, max(n, 2))[:n]
        return rng.permutation(grid).reshape(shape)


@dataclass(frozen=True)
class Simplex(Domain):
    """Rows (last axis) that are probability distributions, built from weights drawn
    uniformly in [low, 1]: every entry is at least low / (low + D - 1) > 0."""

    low: float = 0.1

    def sample(self, shape, rng):
        w = rng.uniform(self.low, 1.0, size=shape)
        return w / w.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Mask(Domain):
    """0/1 elements, each 1 with probability ``keep``."""

    keep: float = 0.7

    def sample(self, shape, rng):
        return (rng.random(size=shape) < self.keep).astype(np.float64)


@dataclass(frozen=True)
class FanIn(Domain):
    """Uniform on [−scale/√k, scale/√k] with k = shape[-1] (the fan-in of an (out, in)
    matrix): torch's default RNN initialisation for scale = 1. It keeps a recurrence's step
    Jacobian near norm 1, so errors neither explode nor vanish over long sequences."""

    scale: float = 1.0

    def sample(self, shape, rng):
        bound = self.scale / np.sqrt(max(shape[-1], 1)) if shape else self.scale
        return rng.uniform(-bound, bound, size=shape)


@dataclass(frozen=True)
class Absent(Domain):
    """All zeros: an argument the variant's form does not have (e.g. the biases of a
    bias-free recurrent cell). Its gradient must then be exactly zero."""

    def sample(self, shape, rng):
        return np.zeros(shape)
