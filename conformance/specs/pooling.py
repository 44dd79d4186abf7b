"""Specs of the pooling modules (000/001, table 'Parameter-free modules', pooling rows)."""

from __future__ import annotations

from ..domains import Distinct, SmallIntegers, Uniform
from ..spec import Arg, ModuleSpec, Tolerance, Variant
from .common import IMG, POOL_TIES, images, rows

SPECS: tuple[ModuleSpec, ...] = (
    ModuleSpec("max_pool2d", "pooling", (Arg("x", IMG, Distinct()),), images, rows("MaxPooling-2D"),
               "y_{i,j} = max(x_{Ui:Ui+p, Uj:Uj+q}); dL/dx_{i,j} = Σ dL/dy_{i',j'} over windows whose argmax is (i, j)",
               variants=(Variant("k=2,s=2", {"kernel": (2, 2), "stride": (2, 2)}),
                         Variant("k=3,s=1", {"kernel": (3, 3), "stride": (1, 1)}),
                         Variant("k=2x3,s=1x2", {"kernel": (2, 3), "stride": (1, 2)}),
                         Variant("ties,k=2,s=2", {"kernel": (2, 2), "stride": (2, 2)},
                                 {"x": SmallIntegers()}, POOL_TIES),
                         Variant("ties,k=2,s=1", {"kernel": (2, 2), "stride": (1, 1)},
                                 {"x": SmallIntegers()}, POOL_TIES)),
               tolerance=Tolerance(0, 4)),
    ModuleSpec("avg_pool2d", "pooling", (Arg("x", IMG, Uniform()),), images, rows("AveragePooling-2D"),
               "y_{i,j} = 1/(pq) Σ_p Σ_q x_{Ui+p, Uj+q}",
               variants=(Variant("k=2,s=2", {"kernel": (2, 2), "stride": (2, 2)}),
                         Variant("k=3,s=1", {"kernel": (3, 3), "stride": (1, 1)}),
                         Variant("k=2x3,s=3x1", {"kernel": (2, 3), "stride": (3, 1)})),
               tolerance=Tolerance(16, 32)),
)
