"""The grammar of check names: what every record's ``check`` says, parsed in one place.

    forward | forward:<output>          the forward output (a module with several outputs
                                        names each)
    grad:<arg>                          the first-order gradient (a VJP) of one argument
    <kind>:<arg>@<route>                a derivative kind (``DERIVATIVE_KINDS``: forward
                                        mode, second order, the full Jacobian and Hessian)
                                        of one argument by one of the framework's routes or
                                        APIs
    <kind>:<arg>@<route>~<reference>    the same, compared with another route of the same
                                        framework (information: routes that should agree)
    determinism:<output>                two runs of one example, bitwise (information)
    gpu-vs-cpu:<output>                 the same framework's GPU against its CPU result
    <name>:<arg>                        a spec's own extra check (``ModuleSpec.extra_checks``)

A new check kind is a new entry here (and its runner); nothing else parses names.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_ORDER = ("forward", "grad")
DERIVATIVE_KINDS = ("jvp", "hvp", "jacobian", "hessian")
INFORMATIONAL = ("determinism", "gpu-vs-cpu")
# The reason prefix of a route the framework does not implement (a skip the capability
# matrix reads): "not implemented: <the framework's own text>".
NOT_IMPLEMENTED = "not implemented: "


@dataclass(frozen=True)
class Check:
    kind: str          # forward, grad, jvp, hvp, determinism, gpu-vs-cpu, or a spec's own
    arg: str = ""      # the argument or output ("" for a single output's forward)
    route: str = ""    # derivative kinds: the route
    against: str = ""  # a route comparison: the route it is compared with

    @property
    def order(self) -> str:
        """What ``--orders`` selects it by: "1" for first order, else its kind."""
        return "1" if self.kind in FIRST_ORDER else self.kind

    @property
    def is_derivative(self) -> bool:
        return self.kind in DERIVATIVE_KINDS

    @property
    def is_route_comparison(self) -> bool:
        return bool(self.against)

    @property
    def is_informational(self) -> bool:
        return self.kind in INFORMATIONAL or self.is_route_comparison

    @property
    def judged_kind(self) -> str:
        """The error model's kind: "forward" for outputs, "grad" for every derivative."""
        return "forward" if self.kind == "forward" else "grad"

    def __str__(self) -> str:
        if self.kind in DERIVATIVE_KINDS:
            return f"{self.kind}:{self.arg}@{self.route}" + (f"~{self.against}" if self.against else "")
        return f"{self.kind}:{self.arg}" if self.arg else self.kind


def parse(check: str) -> Check:
    kind, sep, rest = check.partition(":")
    if not sep:
        return Check(kind)
    if kind in DERIVATIVE_KINDS and "@" in rest:
        arg, _, route = rest.partition("@")
        route, _, against = route.partition("~")
        return Check(kind, arg, route, against)
    return Check(kind, rest)


def derivative(kind: str, arg: str, route: str, against: str = "") -> str:
    return str(Check(kind, arg, route, against))


def gradient(arg: str) -> str:
    return str(Check("grad", arg))


def parse_derivative(check: str) -> tuple[str, str, str] | None:
    """(kind, argument, route) of a derivative check (a route comparison: its route), else
    None."""
    c = parse(check)
    return (c.kind, c.arg, c.route) if c.is_derivative else None
