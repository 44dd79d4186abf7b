"""A small planted framework, ``plantedfw``, released as wheels in several versions, and a
third-party adapter for it (``tests.planted_release:PlantedRelease``), for ``bisect``.

``plantedfw`` computes tanh and its backward pass. From ``FAULTY_FROM`` onward the backward
is 0.1 % too large (the planted fault); ``BROKEN`` releases cannot be installed (they
require a Python that does not exist). The wheels are written directly (a wheel is a zip
with a ``.dist-info``), so building them needs no network and no build backend.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import numpy as np

from adapters.base import Unsupported, VjpResult
from adapters.numpy import NumpyAdapter

RELEASES = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
FAULTY_FROM = "1.5"
BROKEN = ("1.3",)

_SOURCE = '''"""plantedfw {version}: tanh and its backward pass."""
import numpy as np

__version__ = "{version}"
_GRADIENT_SCALE = {scale!r}


def tanh(x):
    return np.tanh(x)


def tanh_backward(x, dy):
    return dy * (1.0 - np.tanh(x) ** 2) * _GRADIENT_SCALE
'''


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def build_wheel(version: str, out: Path) -> Path:
    """Write ``plantedfw-<version>-py3-none-any.whl`` into ``out``."""
    scale = 1.001 if _key(version) >= _key(FAULTY_FROM) else 1.0
    python = ">=4" if version in BROKEN else ">=3.8"
    info = f"plantedfw-{version}.dist-info"
    files = {
        "plantedfw/__init__.py": _SOURCE.format(version=version, scale=scale),
        f"{info}/METADATA": (f"Metadata-Version: 2.1\nName: plantedfw\nVersion: {version}\n"
                             f"Requires-Python: {python}\n"),
        f"{info}/WHEEL": ("Wheel-Version: 1.0\nGenerator: tests.planted_release\n"
                          "Root-Is-Purelib: true\nTag: py3-none-any\n"),
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"plantedfw-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


class PlantedRelease(NumpyAdapter):
    """tanh through whichever ``plantedfw`` release is installed."""

    name = "plantedfw"
    package = "plantedfw"
    import_name = "plantedfw"
    modules = frozenset({"tanh"})

    def _load(self):
        import plantedfw

        return plantedfw

    def vjp(self, module, args, names, wrt, cotangent, attrs, *, dtype, device="cpu",
            mode="eager", seed=0):
        if module != "tanh":
            raise Unsupported(f"plantedfw has no {module}")
        fw = self.framework
        x = np.asarray(args[0], dtype=dtype)
        return VjpResult(fw.tanh(x), {"x": fw.tanh_backward(x, np.asarray(cotangent, dtype=dtype))})
