"""The forms of each module (``conformance.model.forms``): which axis is the reduced or
normalised one and which arguments carry it, which dims may be 1, which layouts apply.

Defaults by family, then the modules that reduce or normalise along an axis. A module
takes its forms on its first variant without dims or dtypes of its own and without
framework-drawn randomness (``forms_for``): the forms exercise the call, not the values,
which the other variants cover.
"""

from __future__ import annotations

from dataclasses import replace

from conformance.model.forms import Forms

_LAYOUTS = ("transposed", "strided")
_IMAGE_LAYOUTS = ("transposed", "strided", "channels_last")
# Convolutions and pooling have both data formats (``channels_first``: the canonical memory,
# a form for a framework whose canonical call is channels-last).
_DATA_FORMATS = _IMAGE_LAYOUTS + ("channels_first",)

# Family defaults: every module takes the layout forms; modules with 4-D/5-D image inputs
# take channels_last on them; the batch may be 1 (where its range allows more).
FAMILY = {
    "elementwise": Forms(ones=("N",)),
    "activation": Forms(ones=("N",)),
    "regularization": Forms(ones=("N",)),
    "group": Forms(ones=("N",)),
    "loss": Forms(ones=("N",)),
    "linear": Forms(ones=("N",)),
    "convolution": Forms(ones=("N", "C"), layouts=_DATA_FORMATS, images=("x",)),
    "pooling": Forms(ones=("N", "C"), layouts=_DATA_FORMATS, images=("x",)),
    "normalization": Forms(ones=("N",), layouts=_IMAGE_LAYOUTS, images=("x",), pairs=True),
    "recurrent": Forms(ones=("N", "T"), why="T=1: a single time step"),
    "attention": Forms(ones=("N", "Tq", "Tk"), why="Tk=1: a single key; Tq=1: a single query"),
}

# Reductions and normalisations along an axis: ``axis=k`` at every other position, the
# reduced dim 1, and every pair of parts in the quick profile.
_ROWS = Forms(axis=("x",), home=-1, rank=2, ones=("N", "D"), pairs=True)
MODULES = {
    "sum": _ROWS,
    "max": _ROWS,
    "softmax": _ROWS,
    # the losses' class axis: the prediction and the target carry it
    "cross_entropy": replace(_ROWS, axis=("x", "p")),
    "squared_error": replace(_ROWS, axis=("x", "t")),
    "softmax_cross_entropy": replace(_ROWS, axis=("z", "p")),
    # layer norm's normalised axis (γ and β are per feature: they do not move)
    "layer_norm": Forms(axis=("x",), home=-1, rank=3, ones=("N", "T", "D"), pairs=True,
                        why="D=1: a normalised dimension of one (y = β, dL/dx = 0)"),
    # batch norm's channel axis: 1 (channels first) at home, the other positions as forms
    "batch_norm": Forms(axis=("x",), home=1, rank=4, ones=(), layouts=_IMAGE_LAYOUTS,
                        images=("x",), pairs=True),
}


def forms_of(spec) -> Forms:
    """The spec's declared forms (its module's entry, else its family's default)."""
    return MODULES.get(spec.name) or FAMILY.get(spec.family, Forms())


def forms_variant(spec):
    """The variant a module's forms run on (module docstring), or None."""
    for v in spec.variants:
        if not v.dims and not v.dtypes and not v.draws_randomness:
            return v
    return None
