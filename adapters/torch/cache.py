"""torch.compile's on-disk caches (Inductor's FX-graph and kernel caches, Triton's on a
GPU) in the suite's cache directory, for the compiled mode. They are read from the
environment when Inductor first compiles, so they are set before torch is imported
(when the adapter loads it); a variable the user set already is left alone."""

from __future__ import annotations

import os

from ..cache import cache_dir


def use_compile_cache() -> str | None:
    path = cache_dir("torch")
    if path is None:
        return None
    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(path / "inductor"))
    os.environ.setdefault("TRITON_CACHE_DIR", str(path / "triton"))
    os.environ.setdefault("TORCHINDUCTOR_FX_GRAPH_CACHE", "1")
    return str(path)
