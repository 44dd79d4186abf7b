"""NumPy's BLAS thread pool, for the conformance run: one thread.

The references' matrix products are small (a recurrent step is a 66 × 67 by 67 × 268
product, a convolution's im2col a few hundred columns) and many. OpenBLAS splits each
one across its thread pool, and on a shared or oversubscribed machine (pytest-xdist
workers, a framework's own threads) the threads wait for each other: measured here, the
LSTM reference's forward and BPTT at T = 50, N = 66, H = 67 took 8.7 s with the default
pool and 0.51 s on one thread (float64, 2 shared cores; linear at N = 70, I = 1031: 130
ms against 11 ms). ``OPENBLAS_NUM_THREADS`` set by the user wins; a NumPy built on
another BLAS is left alone. Not a family file (the leading underscore keeps it out of
``REFERENCES``).
"""

from __future__ import annotations

import ctypes
import glob
import os

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_", "openblas_set_num_threads")
_done: list[bool] = []


def single_threaded() -> bool:
    """Put NumPy's OpenBLAS on one thread (once per process); whether it was done."""
    if _done:
        return _done[0]
    _done.append(False)
    if os.environ.get("OPENBLAS_NUM_THREADS"):
        return False
    import numpy as np

    base = os.path.dirname(np.__file__)
    for path in glob.glob(os.path.join(base, "..", "numpy.libs", "*openblas*")) + \
            glob.glob(os.path.join(base, ".libs", "*openblas*")):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(ctypes.c_int(1))
                _done[0] = True
                return True
    return False
