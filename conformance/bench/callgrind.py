"""Instruction counts under Valgrind's callgrind: a deterministic measure of work for the
timing gate, where wall time cannot be trusted (a shared machine, a noisy CI runner).

A counting process runs *under* ``valgrind --tool=callgrind --instr-atstart=no
--collect-atstart=no`` (nothing is instrumented while the framework imports, so start-up
costs Valgrind's base slow-down only) and marks the region to count with Valgrind client
requests: ``START_INSTRUMENTATION``, ``ZERO_STATS``, ``TOGGLE_COLLECT`` around the calls,
``DUMP_STATS_AT(label)``. Each dump is one file whose ``totals:`` line is the
instructions executed inside the region.

Client requests are the special no-op instruction sequence of ``valgrind.h`` (four
rotates of ``rdi`` by 128 bits in all, then ``xchg rbx, rbx``): Valgrind's JIT recognises
it; on a bare CPU it does nothing and returns the default. Python cannot emit it, so the
19 bytes are placed in an executable page and called through ``ctypes`` (x86-64 only:
:func:`supported` says so elsewhere, and the counter is then unavailable, not wrong).

Harness overhead: :func:`count_calls` counts N, 2N and 3N calls of the same prepared
callable; instructions per call are the differences divided by N (the region's fixed
cost — the requests themselves, entering the loop — cancels), and the two differences'
disagreement is the measurement's own jitter (allocator and cache state), recorded so the
gate can tell a deterministic count from a jittery one.
"""

from __future__ import annotations

import ctypes
import gc
import mmap
import platform
import re
import shutil
from pathlib import Path

# valgrind.h, amd64: rax <- &args, rdx <- default; preamble; xchg rbx,rbx; result in rdx.
_CODE = bytes.fromhex("4889f8" "4889f2" "48c1c703" "48c1c70d" "48c1c73d" "48c1c733" "4887db"
                      "4889d0" "c3")
RUNNING_ON_VALGRIND = 0x1001
_CT = (ord("C") << 24) | (ord("T") << 16)  # VG_USERREQ_TOOL_BASE('C', 'T'): callgrind.h
DUMP_STATS, ZERO_STATS, TOGGLE_COLLECT, DUMP_STATS_AT, START_INSTRUMENTATION, STOP_INSTRUMENTATION = (
    range(_CT, _CT + 6))
VALGRIND_ARGS = ("--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no", "--dump-line=no",
                 "--compress-strings=no")
LABEL_SEP = "|"


def supported() -> str | None:
    """None when instructions can be counted here, else why not."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return f"client requests are implemented for x86-64 only, not {platform.machine()}"
    if not valgrind():
        return "valgrind is not installed"
    return None


def valgrind() -> str | None:
    return shutil.which("valgrind")


class ClientRequests:
    """Valgrind client requests from Python (see the module docstring)."""

    def __init__(self) -> None:
        self._page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        self._page.write(_CODE)
        addr = ctypes.addressof(ctypes.c_char.from_buffer(self._page))
        self._fn = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t)(addr)

    def __call__(self, request: int, *args: int, default: int = 0) -> int:
        block = (ctypes.c_size_t * 6)(request, *args, *([0] * (5 - len(args))))
        return self._fn(ctypes.addressof(block), default)

    def on_valgrind(self) -> bool:
        return self(RUNNING_ON_VALGRIND) > 0

    def dump(self, label: str) -> None:
        buf = ctypes.create_string_buffer(label.encode())
        self(DUMP_STATS_AT, ctypes.addressof(buf))


def probe(requests: ClientRequests, call, sync, dumps: Path, warmup: int = 2) -> int | None:
    """Instructions of one call (after ``warmup`` calls), read back from the dump it
    writes into ``dumps`` (callgrind's ``--callgrind-out-file`` directory): to choose N."""
    for _ in range(warmup):
        sync(call())
    requests(START_INSTRUMENTATION)
    requests(ZERO_STATS)
    requests(TOGGLE_COLLECT)
    sync(call())
    requests(TOGGLE_COLLECT)
    requests.dump(f"probe{LABEL_SEP}1")
    requests(STOP_INSTRUMENTATION)
    files = sorted(Path(dumps).glob("*.out.*"), key=lambda f: int(f.name.rpartition(".")[2] or 0))
    found = read_dumps(files[-1:]).get("probe", {}).get(1) if files else None
    return found


def count_calls(requests: ClientRequests, label: str, call, sync, n: int = 1, warmup: int = 2) -> None:
    """Dump ``label|k`` after k = n, 2n, 3n calls of ``call`` (each region counted alone,
    the collector off). Read back with :func:`per_call`."""
    for _ in range(warmup):
        sync(call())
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        requests(START_INSTRUMENTATION)
        for k in (n, 2 * n, 3 * n):
            requests(ZERO_STATS)
            requests(TOGGLE_COLLECT)
            for _ in range(k):
                sync(call())
            requests(TOGGLE_COLLECT)
            requests.dump(f"{label}{LABEL_SEP}{k}")
        requests(STOP_INSTRUMENTATION)
    finally:
        if was:
            gc.enable()


_DESC = re.compile(r"^desc: Trigger: Client Request: (.*)$", re.M)
_TOTALS = re.compile(r"^totals:\s+(\d+)", re.M)


def read_dumps(paths) -> dict[str, dict[int, int]]:
    """{label: {calls: instructions}} from callgrind's dump files."""
    out: dict[str, dict[int, int]] = {}
    for path in paths:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        desc, tot = _DESC.search(text), _TOTALS.search(text)
        if not desc or not tot or LABEL_SEP not in desc.group(1):
            continue
        label, _, k = desc.group(1).rpartition(LABEL_SEP)
        out.setdefault(label, {})[int(k)] = int(tot.group(1))
    return out


def per_call(counts: dict[int, int]) -> dict | None:
    """Instructions per call from the N, 2N, 3N regions: the mean of the two differences
    over N, and their relative disagreement (``jitter``); None if a region is missing."""
    ks = sorted(counts)
    if len(ks) < 3:
        return None
    n = ks[0]
    d1, d2 = counts[ks[1]] - counts[ks[0]], counts[ks[2]] - counts[ks[1]]
    mean = (d1 + d2) / 2 / n
    jitter = abs(d2 - d1) / abs(d1 + d2) * 2 if d1 + d2 else float("inf")
    return {"per_call": mean, "jitter": jitter, "calls": n, "regions": [counts[k] for k in ks]}
