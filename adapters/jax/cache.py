"""JAX's persistent compilation cache in the suite's cache directory.

Every program here compiles in well under a second and is small, so both of JAX's
thresholds are lowered to cache all of them: the minimum compile time to 0 s and the
minimum entry size to -1 (no size restriction). The cache holds XLA executables keyed by
the program, the backend and the versions: a hit returns the same executable, so it only
saves compile time. Set before the first compilation (when the adapter loads JAX).
"""

from __future__ import annotations

from ..cache import cache_dir


def use_persistent_cache(jax) -> str | None:
    path = cache_dir("jax")
    if path is None:
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    return str(path)
