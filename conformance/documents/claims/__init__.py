"""Claims: every documented backward and parameter-pass formula, transcribed as written.

A *claim* is one formula of one source document (``shared/seeds/``), cited by seed file and
location, with the text as the document prints it (``quote`` must occur verbatim in the
seed file) and a transcription of it: a program that computes the formula exactly as
written — the same indices, time steps, signs, factors and accumulation — beside the
corrected formula, also written out here. Nothing in this package reads ``references/``
backwards: the transcriptions are independent of the references they would otherwise
vouch for (a test checks every callable's ``__module__``).

Most formulas are a line of a longer derivation (one step of BPTT, one call of 002's
``deriv()``). Those are transcribed as one :class:`Program` per derivation: its
``backward(cts, args, written)`` evaluates every line, each line as written when its key
is in ``written`` (with the named reading) and corrected otherwise. The claim for a line
runs the program with that one line as written, so a slip is pinned to its line and not
blamed on the lines after it. ``conformance.documents.errata`` judges each reading against float64
central finite differences of the program's forward.

Where the text can be read several ways, the claim lists each :class:`Reading`; where a
slip has no numerical content (a heading, a label, a duplicated line), it is a
:class:`TextErratum`; a formula with no transcription is :class:`Untranscribed` with the
reason. The files are split by seed (``seed_000_table.py``, ``seed_000_linear.py``,
``seed_000_recurrent.py``, ``seed_001.py``, ``seed_002_rules.py``, ``seed_002_lstm.py``,
``seed_003.py``, ``seed_004.py``); each defines ``CLAIMS`` and optionally ``TEXT_ERRATA``
and ``UNTRANSCRIBED``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

SEEDS = {"000": "000_0c41eef9689a3bf9.txt", "001": "001_9eba1572aa0cb554.txt",
         "002": "002_01ee91e524aebdaf.txt", "003": "003_82e7ef9d31dc8d93.txt",
         "004": "004_48320439d88c2957.txt"}


# Samplers: (shape, rng) -> float64 array.
def uniform(lo: float, hi: float):
    return lambda shape, rng: rng.uniform(lo, hi, shape)


def small_integers(lo: int, hi: int):
    return lambda shape, rng: rng.integers(lo, hi + 1, shape).astype(np.float64)


def mask(shape, rng):
    return (rng.uniform(size=shape) < 0.6).astype(np.float64)


def probabilities(shape, rng):
    p = rng.uniform(0.05, 1.0, shape)
    return p / p.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Program:
    """A documented forward and its documented backward, line by line.

    ``args``: {name: (dims, sampler)}; ``dims``: {name: (lo, hi)} drawn by the search, or a
    function of the drawn dims (e.g. an input size from output size, stride and kernel).
    ``forward(**args)`` returns a tuple of outputs; ``backward(cts, args, written)`` returns
    {arg: gradient in the arg's shape} for every name in ``wrt`` (None: zero).
    ``direction(args)``, when set, is the direction of the finite differences (e.g. all-ones
    at ties, where the function is differentiable only along it)."""

    name: str
    forward: Callable[..., tuple]
    backward: Callable[..., Mapping[str, Any]]
    args: Mapping[str, tuple]
    dims: Mapping[str, Any]
    wrt: tuple[str, ...]
    direction: Callable[[dict], dict] | None = None
    note: str = ""


@dataclass(frozen=True)
class Reading:
    """One way to read the text. ``program``, when set, replaces the claim's program for this
    reading (a reading of the *forward*: the printed backward judged against that forward)."""

    name: str
    text: str = ""
    program: "Program | None" = None


AS_WRITTEN = (Reading("as written"),)


@dataclass(frozen=True)
class Claim:
    """One documented formula: where it is, what it says, and how it is transcribed.

    ``line`` is the key of the formula in ``program``; ``readings`` the ways the text can be
    read (each one is searched). ``also`` lists the other seed files that print the same
    formula verbatim. ``module``/``check``/``variants`` tie the claim to a spec case so the
    run's verdicts can say ``document-erratum`` there."""

    id: str
    seed: str
    where: str
    quote: str
    as_written: str
    corrected: str
    program: Program | None = None
    line: str = ""
    readings: tuple[Reading, ...] = AS_WRITTEN
    also: tuple[str, ...] = ()
    module: str | None = None
    check: str = ""
    variants: tuple[str, ...] | None = None
    note: str = ""
    # value claims (a number the text states, e.g. an output size): functions of the dims
    value: Callable[[dict, str], float] | None = None      # (dims, reading) -> as written
    measured: Callable[[dict], float] | None = None        # the forward's own number
    corrected_value: Callable[[dict], float] | None = None
    value_dims: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextErratum:
    """A slip with no numerical content (label, heading, duplicated or missing line)."""

    id: str
    seed: str
    where: str
    quote: str
    what: str


@dataclass(frozen=True)
class Untranscribed:
    seed: str
    where: str
    quote: str
    reason: str


def _gather():
    claims, text, untranscribed = [], [], []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("seed_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        claims += list(getattr(mod, "CLAIMS", ()))
        text += list(getattr(mod, "TEXT_ERRATA", ()))
        untranscribed += list(getattr(mod, "UNTRANSCRIBED", ()))
    ids = [c.id for c in claims] + [t.id for t in text]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise RuntimeError(f"claims defined twice: {dup}")
    return tuple(claims), tuple(text), tuple(untranscribed)


CLAIMS, TEXT_ERRATA, UNTRANSCRIBED = _gather()
BY_ID = {c.id: c for c in CLAIMS}

__all__ = ["Claim", "Program", "Reading", "TextErratum", "Untranscribed", "CLAIMS",
           "TEXT_ERRATA", "UNTRANSCRIBED", "BY_ID", "SEEDS", "uniform", "small_integers",
           "mask", "probabilities"]
