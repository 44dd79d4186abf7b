"""Run profiles: how hard the suite searches.

JAX (and the compiled modes) compile once per new input shape — about 0.05–0.2 s each —
while a cached call costs microseconds. So the quick profile draws shapes from a small
fixed pool per case (the smallest, the largest and a middle one: every edge of the
ranges is still hit) and spends its examples on values; the full profile draws every
dimension freely.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    max_examples: int
    free_shapes: bool
    modes: tuple[str, ...]
    description: str
    # Examples per bfloat16/float16 case (None: ``max_examples``). Their cost is mostly
    # per-shape compilation (JAX, compiled modes), not per example, and their error model
    # is coarser (u = 2⁻⁸, 2⁻¹¹), so fewer examples find what more would.
    low_precision_examples: int | None = None
    # How many shapes of the small pool bfloat16/float16 cases draw from (None: all): the
    # largest first. JAX compiles every primitive anew per dtype and shape, so in the quick
    # profile one shape per low-precision case keeps their cost below float32's.
    low_precision_shapes: int | None = None
    # Whether each framework runs in one mode only, its adapter's ``quick_mode`` (the one
    # that compiles least), instead of every mode in ``modes``.
    one_mode: bool = False


PROFILES = {
    "quick": Profile("quick", 6, False, ("eager", "compiled"),
                     "6 examples per case (3 in bfloat16/float16, at the pool's largest shape; large shapes "
                     "in bfloat16/float16 for every 4th variant that has them), shapes "
                     "from a 3-shape pool, "
                     "each framework in its cheapest mode (eager, or compiled where eager "
                     "compiles op by op) (CI gate)", low_precision_examples=3,
                     low_precision_shapes=1, one_mode=True),
    "full": Profile("full", 60, True, ("eager", "compiled"),
                    "60 examples per case, freely drawn shapes, eager and compiled modes"),
}
