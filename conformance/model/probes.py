"""What an accumulation probe is (the table of probes is ``conformance.specs.accumulation``,
the measurement ``conformance.judge.accumulation``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np


@dataclass(frozen=True)
class Probe:
    """One accumulation probe: ``module`` at ``dims(n)`` with arguments from ``values``
    (name -> fn(shape) -> float64 array), on the attributes of ``variant`` updated by
    ``attrs``; ``cotangent(shape)`` (default ones). ``covers``: families, module names or
    arithmetic classes whose accumulation it stands for."""

    module: str
    what: str
    dims: Callable[[int], Mapping[str, int]]
    values: Mapping[str, Callable[[tuple[int, ...]], np.ndarray]]
    variant: str = ""
    attrs: Mapping[str, Any] = field(default_factory=dict)
    cotangent: Callable[[tuple[int, ...]], np.ndarray] | None = None
    covers: tuple[str, ...] = ()
