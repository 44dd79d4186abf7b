"""What accelerators this machine has, asked of the operating system (no framework is
imported): a GPU exists only where its driver exposes a device node. ``--devices all`` (the
default) means the devices this finds; naming an absent device keeps it, and each adapter
then says in its own words why it cannot use it."""

from __future__ import annotations

import glob
import os

# Device nodes of the GPU drivers the frameworks use: NVIDIA (CUDA) and AMD (ROCm's KFD).
GPU_NODES = ("/dev/nvidia[0-9]*", "/dev/kfd")
# Tests and unusual drivers: "1" or "0" forces the answer.
ENV = "GRADIENT_CONFORMANCE_GPU"


def gpu_present() -> bool:
    forced = os.environ.get(ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    return any(glob.glob(pattern) for pattern in GPU_NODES)


def present_devices() -> list[str]:
    return ["cpu"] + (["gpu"] if gpu_present() else [])


def absent_devices() -> dict[str, str]:
    """{device: why it is not in a run of every device}."""
    if gpu_present():
        return {}
    return {"gpu": "no GPU on this machine (no device node " + " or ".join(GPU_NODES)
                   + "); name it with --devices gpu to record each framework's reason"}
