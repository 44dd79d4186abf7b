"""The form dimension: the same op called the ways users call it.

Every case calls a framework in one canonical form: contiguous arrays, the spec's layout
(channels first, batch first), the reduction or normalisation over the spec's axis, dims
drawn from the small ranges. A *form* changes how the same example is handed to the
framework, never the mathematics: the reference still evaluates the example in the
canonical form, the framework's result is brought back to it, and both comparisons run —
with the float64 reference, and with the same framework's canonical call on the same
example (an info check ``form~canonical:<output>``: two forms of one op that disagree are a
finding even where both are within tolerance of the reference).

A form is a ``+``-joined set of *parts*, each of one kind:

* ``axis=k`` (kind ``axis``): the spec's reduced or normalised axis sits at position ``k``
  of the argument instead of its home; the framework is called with ``axis=k`` (the arrays
  it receives are the canonical ones with that axis moved), the reference computes with the
  axis at home;
* ``D=1`` (kind ``size``): one dim of the example is 1 (the reduced dim, a batch of one, a
  single time step); the other dims stay at the form's shape;
* ``transposed``, ``strided``, ``channels_last`` (kind ``layout``): the arrays are NumPy
  views whose memory order differs from their logical one — every axis reversed in memory,
  every other element of a buffer twice as long on the innermost memory axis, or channels
  innermost (NHWC / NDHWC memory of an NCHW / NCDHW array). A framework whose tensors carry
  strides keeps them; one whose tensors have none says so (a skip in its words).
  ``channels_last`` and ``channels_first`` are also an image op's data formats: a
  framework without strides calls its convolution or pooling in the data format that is
  not its canonical call's (JAX: NHWC dimension numbers; TensorFlow, channels-last on
  CPU: ``data_format="NCHW"``), and says why where it cannot.

Which parts a module takes is data: ``conformance/specs/forms.py`` declares them per module
(the axis, the arguments and outputs that carry it, the dims that may be 1, the arguments
of image layout). Which forms a framework realises is data too: the adapter's
``form_reason`` (``adapters/<framework>/forms.py``). Nothing here names a module or a
framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.forms import _AXIS, _SIZE, DATA_FORMAT_PARTS, LAYOUTS, parts
from adapters.forms import part_kind as kind

CANONICAL = "canonical"
AXIS, SIZE, LAYOUT = "axis", "size", "layout"
KINDS = (AXIS, SIZE, LAYOUT)
# What each kind exercises (README, ``--forms`` help).
EXERCISES = {
    AXIS: "the op's axis argument at every position of the input (kernels specialised for "
          "the innermost axis vs strided reductions)",
    SIZE: "each declared dim equal to 1 in turn (broadcasting and degenerate-reduction paths)",
    LAYOUT: "non-contiguous inputs: reversed memory order, a step-2 slice of a larger buffer, "
            "channels-last memory of 4-D/5-D images (kernels chosen by stride); the "
            "channels-last and channels-first data formats of convolutions and pooling "
            "(data_format, dimension numbers) where the framework has no strides",
}


def name(parts_: tuple[str, ...] | list[str]) -> str:
    return "+".join(parts_) or CANONICAL


def axis_of(form: str) -> int | None:
    for p in parts(form):
        m = _AXIS.match(p)
        if m:
            return int(m[1])
    return None


def ones_of(form: str) -> tuple[str, ...]:
    """The dims a form sets to 1."""
    return tuple(_SIZE.match(p)[1] for p in parts(form) if kind(p) == SIZE)


def layouts_of(form: str) -> tuple[str, ...]:
    return tuple(p for p in parts(form) if kind(p) == LAYOUT)


def compatible(a: str, b: str) -> bool:
    """Whether two parts make a pair of the quick profile: parts of different kinds, or
    channels_last with strided (a slice of a channels-last buffer); two axes, two dims of
    1 or two memory orders do not pair (a dim of 1 in two places is two singles' worth)."""
    if a == b:
        return False
    if kind(a) != kind(b):
        return True
    return {a, b} == {"channels_last", "strided"}


@dataclass(frozen=True)
class Forms:
    """A module's forms, as declared in ``conformance/specs/forms.py``.

    ``axis``: the arguments whose axis ``home`` is the reduced or normalised one (a
    negative ``home`` counts from the end); ``axis=k`` forms exist for every other
    position of the first of them. An output of the same rank as that argument carries the
    axis too. ``ones``: dims that may be 1 (one ``D=1`` form each). ``layouts``: the layout
    parts that apply, and ``images``: the arguments that ``channels_last`` lays out (4-D or
    5-D). ``pairs``: whether the quick profile also runs every compatible pair of parts
    (the reduction and normalisation families)."""

    axis: tuple[str, ...] = ()
    home: int = -1
    ones: tuple[str, ...] = ()
    layouts: tuple[str, ...] = ("transposed", "strided")
    images: tuple[str, ...] = ()
    pairs: bool = False
    # The rank of the axis-carrying argument (for the axis positions).
    rank: int = 0
    why: str = ""

    def singles(self) -> list[str]:
        out = []
        if self.axis and self.rank:
            home = self.home % self.rank
            out += [f"axis={k}" for k in range(self.rank) if k != home]
        out += [f"{d}=1" for d in self.ones]
        out += [p for p in self.layouts if p not in DATA_FORMAT_PARTS or self.images]
        return out

    def all(self) -> list[str]:
        """Every single form, then (where ``pairs``) every compatible pair."""
        singles = self.singles()
        out = list(singles)
        if self.pairs:
            for i, a in enumerate(singles):
                for b in singles[i + 1:]:
                    if compatible(a, b):
                        out.append(name(sorted((a, b), key=_order)))
        return out


def _order(part: str) -> tuple[int, str]:
    return KINDS.index(kind(part)), part


@dataclass(frozen=True)
class FormChoice:
    """What the user selected with ``--forms``: kinds or exact form names ('all' or none
    given: every form; 'canonical': the canonical form only)."""

    kinds: frozenset = field(default_factory=lambda: frozenset(KINDS))
    names: frozenset = frozenset()
    canonical_only: bool = False

    @classmethod
    def parse(cls, value: str | None) -> "FormChoice":
        given = [v.strip() for v in (value or "").split(",") if v.strip()]
        if not given or given == ["all"]:
            return cls()
        if given == [CANONICAL]:
            return cls(kinds=frozenset(), canonical_only=True)
        kinds, names = set(), set()
        for g in given:
            if g in KINDS:
                kinds.add(g)
            elif g in (CANONICAL, "all"):
                raise ValueError(f"--forms {g!r} cannot be combined with other forms")
            else:
                for p in parts(g):
                    kind(p)  # ValueError with the grammar
                names.add(name(sorted(parts(g), key=_order)))
        return cls(kinds=frozenset(kinds), names=frozenset(names))

    def wants(self, form: str) -> bool:
        if self.canonical_only:
            return False
        if form in self.names:
            return True
        return all(kind(p) in self.kinds for p in parts(form))


def coverage(records) -> dict[str, dict[str, list[str]]]:
    """results.json ``form_coverage``: {module: {form: [frameworks that ran it]}}, with the
    skipped ones under ``"skipped"`` (framework: form list) — which forms the run covered."""
    out: dict[str, dict] = {}
    for r in records:
        form = r.get("form") or CANONICAL
        module = out.setdefault(r["module"], {})
        if r.get("status") == "skip":
            skipped = module.setdefault("skipped", {}).setdefault(r["framework"], [])
            if form not in skipped:
                skipped.append(form)
            continue
        ran = module.setdefault(form, [])
        if r["framework"] not in ran:
            ran.append(r["framework"])
    return out
