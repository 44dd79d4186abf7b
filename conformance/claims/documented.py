"""Every documented module formula as a claim: the ones not listed as wrong elsewhere are
claimed to be right as written, and ``conformance.errata`` checks that too."""

from __future__ import annotations

from . import Claim


def module_claims(specs, explicit_modules: set[str]) -> tuple[Claim, ...]:
    """A claim per spec module without an explicit (erratum) claim: as written = reference."""
    from references import REFERENCES

    out = []
    for spec in specs:
        if spec.name in explicit_modules:
            continue
        variant = next((v for v in spec.variants if not v.rules and not v.attrs.get("native")),
                       None)
        if variant is None:
            continue
        for check in [f"grad:{a.name}" for a in spec.differentiable]:
            out.append(Claim(
                id=f"{spec.name}-{check.replace(':', '-')}", seed=spec.citations[0].seed,
                where=spec.citations[0].where, as_written=spec.formula, problem="",
                corrected_text="", as_written_vjp=REFERENCES[spec.name].vjp,
                module=spec.name, variant=variant.name, check=check))
    return tuple(out)
