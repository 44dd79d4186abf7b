"""Errata: documented formulas that are wrong as written, established with evidence.

For each claim, Hypothesis searches for an input where the formula *as written* disagrees
with float64 central finite differences of the forward pass (projected on a cotangent, in
the claim's direction or a random one) and shrinks it to the smallest such input. A claim
with a counterexample where the corrected formula agrees with finite differences is an
erratum; one without is verified. The frameworks' evidence (their cases pass against the
corrected formula) is attached from the run's records.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from references import REFERENCES

from .claims import CLAIMS, Claim
from .claims.documented import module_claims
from .execute import reference_attrs
from .profiles import PROFILES
from .specs import BY_NAME, SPECS
from .strategies import SEED_MAX, example_strategy, make_cotangent, make_inputs
from .witnesses import directional_fd, relative_gap

RTOL = 1e-5  # the finite-difference witness's threshold (see conformance.witnesses)


def all_claims() -> tuple[Claim, ...]:
    explicit = {c.module for c in CLAIMS if c.module}
    return CLAIMS + module_claims(SPECS, explicit)


def _materialise(claim: Claim, example: dict):
    """(forward, corrected vjp, args, attrs, cotangents) for one example."""
    if claim.module:
        spec = BY_NAME[claim.module]
        variant = spec.variant(claim.variant)
        attrs = reference_attrs(variant.attrs)
        inputs, rng = make_inputs(spec, variant, example, "float64")
        ref = REFERENCES[claim.module]
        forward, corrected = ref.forward, ref.vjp
    else:
        attrs = dict(claim.attrs)
        rng = np.random.default_rng(example["seed"])
        inputs = {name: domain.sample(tuple(example["dims"][d] for d in dims), rng)
                  for name, (dims, domain) in claim.args.items()}
        forward, corrected = claim.forward, claim.corrected
    args = {k: np.asarray(v, dtype=np.float64) for k, v in inputs.items()}
    out = forward(*args.values(), **attrs)
    outs = out if isinstance(out, tuple) else (out,)
    cts = tuple(make_cotangent(np.shape(o), rng, "float64") for o in outs)
    return forward, corrected, args, attrs, cts


def measure(claim: Claim, example: dict) -> dict[str, Any]:
    """As written, corrected and finite differences, projected on one direction."""
    forward, corrected, args, attrs, cts = _materialise(claim, example)
    ct = cts if len(cts) > 1 else cts[0]
    names = list(args)
    index = names.index(claim.check.split(":", 1)[1])
    name = names[index]
    if claim.direction is not None:
        v = claim.direction(args)[name]
    else:
        v = np.random.default_rng(example["seed"] ^ 0xD1CE).uniform(-1, 1, args[name].shape)
    fd = directional_fd(forward, args, attrs, cts, name, v)
    written = np.asarray(claim.as_written_vjp(ct, *args.values(), **attrs)[index])
    right = np.asarray(corrected(ct, *args.values(), **attrs)[index])
    w, c = float(np.sum(written * v)), float(np.sum(right * v))
    return {"finite_differences": fd, "as_written": w, "corrected": c,
            "as_written_gap": relative_gap(fd, w, written),
            "corrected_gap": relative_gap(fd, c, right),
            "args": {k: np.round(a, 6).tolist() for k, a in args.items() if a.size <= 48}}


def _examples(claim: Claim) -> st.SearchStrategy:
    if claim.module:
        spec = BY_NAME[claim.module]
        return example_strategy(spec, spec.variant(claim.variant), PROFILES["full"])
    return st.fixed_dictionaries({
        "dims": st.fixed_dictionaries({k: st.integers(lo, hi) for k, (lo, hi) in claim.dims.items()}),
        "seed": st.integers(0, SEED_MAX)})


def evaluate(claim: Claim, max_examples: int = 150) -> dict[str, Any]:
    """{"status": "erratum" | "verified", ...} with the shrunk counterexample if any."""
    def wrong(example):
        m = measure(claim, example)
        return m["as_written_gap"] > RTOL and m["corrected_gap"] <= RTOL

    cfg = settings(max_examples=max_examples, database=None, derandomize=True, deadline=None,
                   suppress_health_check=list(HealthCheck))
    base = {"id": claim.id, "module": claim.module, "check": claim.check,
            "variants": [claim.variant] if claim.module else None,
            "seed": claim.seed, "where": claim.where, "as_written": claim.as_written}
    try:
        example = find(_examples(claim), wrong, settings=cfg)
    except NoSuchExample:
        return {**base, "status": "verified", "examples": max_examples}
    m = measure(claim, example)
    return {**base, "status": "erratum", "problem": claim.problem,
            "corrected": claim.corrected_text,
            "counterexample": {"example": example, "inputs": m.pop("args")},
            "evidence": {"along_direction": m,
                         "summary": (f"as written {m['as_written']:.6g} vs finite differences "
                                     f"{m['finite_differences']:.6g} (relative gap "
                                     f"{m['as_written_gap']:.2g}); corrected {m['corrected']:.6g} "
                                     f"(gap {m['corrected_gap']:.2g})")}}


def evaluate_all(max_examples: int = 150, modules: set[str] | None = None,
                 verify_examples: int = 6) -> tuple[list[dict], list[dict]]:
    """(errata, claims summary) for every claim about ``modules`` (all when None).

    Claims listed as errata candidates (``conformance/claims/*.py``) get ``max_examples``
    tries to find their counterexample; the claims that a formula is right as written get
    ``verify_examples`` (their references are validated against finite differences in
    depth by the project's own tests; here they are a spot check)."""
    explicit = {c.id for c in CLAIMS}
    results = [evaluate(c, max_examples if c.id in explicit else verify_examples)
               for c in all_claims() if modules is None or c.module is None or c.module in modules]
    errata = [r for r in results if r["status"] == "erratum"]
    summary = [{k: r[k] for k in ("id", "module", "check", "seed", "where", "status")}
               for r in results]
    return errata, summary
