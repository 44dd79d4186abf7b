"""A throwaway virtual environment per release, layered over the running environment.

The new environment's own site-packages comes first on its ``sys.path``; a ``.pth`` file
there then adds the running environment's site directories (``site.addsitedir``, so their
own ``.pth`` files, editable installs included, take effect). What is installed into the
new environment — the release and whatever it needs that the running environment lacks or
pins differently — shadows the running environment's copy; everything else (the suite,
NumPy, Hypothesis, pytest) is used from the running environment without being installed
again. Creating one costs a second or two, installing from a local wheel directory a few
more; from the index it costs the download, once (pip's and uv's caches keep it).

uv fills the environment when it is installed (``uv`` on PATH, or the ``uv`` Python
package), else pip; ``installer`` chooses.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

LAYER_FILE = "_conformance_layer.pth"


def find_uv() -> str | None:
    """The uv executable, or None."""
    found = shutil.which("uv")
    if found:
        return found
    try:
        from uv import find_uv_bin  # the uv package from the index ships the binary
    except ImportError:
        return None
    try:
        return find_uv_bin()
    except FileNotFoundError:
        return None


def pick_installer(wanted: str = "auto") -> str:
    if wanted not in ("auto", "uv", "pip"):
        raise ValueError(f"installer must be auto, uv or pip, not {wanted!r}")
    if wanted == "uv" and find_uv() is None:
        raise ValueError("installer uv: uv is not installed (pip install uv)")
    if wanted == "auto":
        return "uv" if find_uv() else "pip"
    return wanted


def parent_site_dirs() -> list[str]:
    """The running environment's site directories, in its order."""
    dirs = list(site.getsitepackages())
    user = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user and os.path.isdir(user):
        dirs.append(user)
    return [d for d in dict.fromkeys(dirs) if os.path.isdir(d)]


@dataclass
class Env:
    root: Path
    installer: str

    @property
    def python(self) -> Path:
        return self.root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

    def site_packages(self) -> Path:
        out = subprocess.run([str(self.python), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True)
        return Path(out.stdout.strip())

    def install_command(self, requirements: list[str], index_options: list[str],
                        pre: bool = False) -> list[str]:
        if self.installer == "uv":
            argv = [find_uv() or "uv", "pip", "install", "--python", str(self.python)]
            argv += ["--prerelease", "allow"] if pre else []
            return argv + _uv_index_options(index_options) + requirements
        # pip from the running environment (importable through the layer); in the new
        # environment it installs there and leaves the running one's copies alone.
        argv = [str(self.python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        argv += ["--pre"] if pre else []
        return argv + index_options + requirements

    def install(self, requirements: list[str], index_options: list[str], pre: bool = False,
                timeout: float | None = None) -> tuple[bool, str]:
        """(installed, pip's or uv's last lines)."""
        argv = self.install_command(requirements, index_options, pre)
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False, f"installing took more than {timeout:.0f} s"
        text = "\n".join(line for line in (proc.stderr + proc.stdout).splitlines()
                         if line.strip() and not line.startswith("WARNING: Location"))
        return proc.returncode == 0, text


def _uv_index_options(options: list[str]) -> list[str]:
    """pip's index options as uv takes them (the same names; pip's ``--opt=value`` split)."""
    out, it = [], iter(options)
    for opt in it:
        name, eq, value = opt.partition("=")
        if name in ("--index-url", "--extra-index-url", "--find-links", "-f", "-i"):
            out += [name, value] if eq else [name, next(it)]
        elif name == "--no-index":
            out.append(name)
        else:
            out.append(opt)
    return out


def create(root: Path, installer: str) -> Env:
    """A new environment at ``root`` layered over the running one."""
    uv = find_uv() if installer == "uv" else None
    if uv:
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(root)], check=True,
                       capture_output=True)
    else:
        venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(root)
    env = Env(root, installer)
    lines = [f"import site; site.addsitedir({d!r})" for d in parent_site_dirs()]
    (env.site_packages() / LAYER_FILE).write_text("\n".join(lines) + "\n")
    return env
