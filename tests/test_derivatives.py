"""Forward-mode and second-order checks: the oracles, the hand-written second derivatives,
and planted JVP-only and second-order-only faults caught exactly (through the CLI)."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.run.derivative_case import ORDERS, parse_orders
from conformance.judge.oracles import fd_jvp_witness, hvp_oracle, judge_jvp, jvp_oracle
from conformance.specs import BY_NAME
from conformance.draw.strategies import make_inputs
from references import REFERENCES
from references._second_order import SECOND_ORDER

from .cli_helpers import by_case, conformance, results, run_repro

COMMON = ["--devices", "cpu", "--max-examples", "6", "--workers", "1", "--dtypes", "float32,float64"]
ALL = ["--orders", "1,jvp,hvp"]  # the first order, forward mode and H v (not the matrix APIs)


def _example(spec, variant, seed):
    lo = {k: (a + b) // 2 for k, (a, b) in spec.dims(variant.attrs).items()}
    args, rng = make_inputs(spec, variant, {"dims": lo, "seed": seed}, "float64")
    return args, rng


def _grad_fn(ref, spec, variant, u, diff):
    def grad(args):
        g = ref.vjp(u, *args.values(), **dict(variant.attrs))
        return {a.name: x for a, x in zip(spec.args, g) if a.name in diff}
    return grad


@pytest.mark.parametrize("module", sorted(SECOND_ORDER))
def test_hand_written_second_derivative_matches_central_differences(module):
    spec = BY_NAME[module]
    variant = next(v for v in spec.variants if not v.rules or "tie_rule" not in v.rules
                   and "grad_at_zero" not in v.rules or v.name == "")
    for seed in range(3):
        args, rng = _example(spec, variant, seed)
        diff = [a.name for a in spec.differentiable]
        out = REFERENCES[module].forward(*args.values(), **dict(variant.attrs))
        u = rng.uniform(-1, 1, np.shape(out))
        v = {n: rng.uniform(-1, 1, args[n].shape) for n in diff}
        ref = REFERENCES[module]
        hand = hvp_oracle(module, _grad_fn(ref, spec, variant, u, diff), args, diff, v, u, dict(variant.attrs))
        fd = hvp_oracle("", _grad_fn(ref, spec, variant, u, diff), args, diff, v, u, dict(variant.attrs))
        assert hand.method == "hand-written" and fd.method.startswith("central")
        for n in diff:
            scale = np.abs(fd.values[n]).max(initial=0.0) + 1.0
            np.testing.assert_array_less(np.abs(hand.values[n] - fd.values[n]),
                                         2 * fd.error[n] + 1e-9 * scale)


def test_hand_written_second_derivative_is_not_vacuous():
    """A wrong curvature (tanh's with the sign flipped) is far outside the FD oracle's error."""
    spec, variant = BY_NAME["tanh"], BY_NAME["tanh"].variants[0]
    args, rng = _example(spec, variant, 0)
    u, v = rng.uniform(-1, 1, args["x"].shape), {"x": rng.uniform(-1, 1, args["x"].shape)}
    fd = hvp_oracle("", _grad_fn(REFERENCES["tanh"], spec, variant, u, ["x"]), args, ["x"], v, u, {})
    wrong = -SECOND_ORDER["tanh"](u, [v["x"]], args["x"])[0]
    assert np.any(np.abs(wrong - fd.values["x"]) > 100 * (2 * fd.error["x"] + 1e-12))


@pytest.mark.parametrize("module", ["softmax", "conv2d", "lstm"])
def test_jvp_oracle_by_duality_matches_central_differences(module):
    spec = BY_NAME[module]
    variant = spec.variants[0]
    args, rng = _example(spec, variant, 1)
    ref = REFERENCES[module]
    diff = [a.name for a in spec.differentiable]
    out = ref.forward(*args.values(), **dict(variant.attrs))
    outs = out if isinstance(out, tuple) else (out,)
    shapes = [np.shape(o) for o in outs]
    v = {n: rng.uniform(-1, 1, args[n].shape) for n in diff}

    def vjp(cts):
        g = ref.vjp(tuple(cts) if len(cts) > 1 else cts[0], *args.values(), **dict(variant.attrs))
        return {a.name: x for a, x in zip(spec.args, g) if a.name in diff}

    oracle = jvp_oracle(vjp, shapes, v, np.random.default_rng(0))
    for n in diff[:3]:
        fd = fd_jvp_witness(lambda *a: ref.forward(*a, **dict(variant.attrs)), args, n, v[n])
        np.testing.assert_allclose(oracle.exact[n], fd[oracle.rows], rtol=1e-6, atol=1e-7)
        # The framework side: the exact J v passes; one element off by 1e-6 fails, even
        # where no sampled row looks (the dot-product identity sees the whole tangent).
        parts = np.split(fd, np.cumsum([int(np.prod(s)) for s in shapes])[:-1])
        good = tuple(p.reshape(s) for p, s in zip(parts, shapes))
        assert judge_jvp("jvp", good, oracle, n, "float32", 32).passed
        bad = fd.copy()
        unseen = [k for k in range(fd.size) if k not in set(oracle.rows)] or [0]
        bad[unseen[0]] += 1e-6 * (abs(bad[unseen[0]]) + 1.0) * 1e3
        parts = np.split(bad, np.cumsum([int(np.prod(s)) for s in shapes])[:-1])
        assert not judge_jvp("jvp", tuple(p.reshape(s) for p, s in zip(parts, shapes)),
                             oracle, n, "float32", 32).passed


def test_orders_parse():
    assert parse_orders("") == ("1", "jvp", "hvp", "jacobian", "hessian")  # no profile named
    assert parse_orders("jac,hess") == ("jacobian", "hessian")
    assert parse_orders("1,jvp,2") == ("1", "jvp", "hvp")
    assert parse_orders("hvp") == ("hvp",)
    assert parse_orders("", "full") == parse_orders("")
    assert parse_orders("", "quick") == ORDERS  # the CI gate checks every kind (derivative_case.py)
    assert parse_orders("1", "quick") == ("1",)
    with pytest.raises(ValueError, match="valid: 1, jvp, hvp"):
        parse_orders("3")


def _failed(doc):
    return sorted(k for k, r in by_case(doc).items() if r["status"] in ("fail", "error"))


def test_planted_jvp_only_and_second_order_only_faults_are_caught_exactly(tmp_path):
    """One run, two planted adapters: exactly tanh's jvp:x of the first and multiply's
    hvp:a of the second fail, in both dtypes; every other check of both passes."""
    proc = conformance("run", "--adapter", "tests.planted_derivatives:PlantedJvp",
                       "--adapter", "tests.planted_derivatives:DetachedSecondOrder",
                       "--frameworks", "planted-jvp,detached-second-order",
                       "--modules", "tanh,multiply", "--out", str(tmp_path), *COMMON, *ALL)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    assert _failed(doc) == sorted(
        [(f"tanh-planted-jvp-{d}-cpu", "jvp:x@by_hand") for d in ("float32", "float64")]
        + [(f"multiply-detached-second-order-{d}-cpu", "hvp:a@by_hand") for d in ("float32", "float64")])
    cases = by_case(doc)
    assert cases[("tanh-planted-jvp-float64-cpu", "grad:x")]["status"] == "pass"
    assert cases[("tanh-planted-jvp-float64-cpu", "hvp:x@by_hand")]["status"] == "pass"
    for check in ("grad:a", "grad:b", "jvp:a@by_hand", "jvp:b@by_hand", "hvp:b@by_hand"):
        assert cases[("multiply-detached-second-order-float64-cpu", check)]["status"] == "pass"
    bad = cases[("tanh-planted-jvp-float64-cpu", "jvp:x@by_hand")]
    assert "--orders jvp,hvp" in bad["repro"] and bad["ratio"] > 1e6
    replay = run_repro(bad["repro"])
    assert replay.returncode == 1 and "FAIL jvp:x@by_hand" in replay.stdout, replay.stdout + replay.stderr
    wrong = {(c["module"], c["framework"], c["kind"]) for c in doc["derivative_capabilities"]["cells"]
             if c["state"] == "wrong"}
    assert wrong == {("tanh", "planted-jvp", "jvp"), ("multiply", "detached-second-order", "hvp")}


def test_correct_derivatives_pass_and_unimplemented_routes_are_skips(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_derivatives:PartialRoutes",
                       "--modules", "tanh,multiply,sigmoid",
                       "--out", str(tmp_path), *COMMON, *ALL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = results(tmp_path)
    cases = by_case(doc)
    missing = cases[("tanh-partial-routes-float64-cpu", "hvp:x@missing")]
    assert missing["status"] == "skip" and "planted: second order by route 'missing'" in missing["reason"]
    assert cases[("tanh-partial-routes-float64-cpu", "hvp:x@by_hand")]["status"] == "pass"
    states = {(c["module"], c["route"]): c["state"] for c in doc["derivative_capabilities"]["cells"]}
    assert states[("tanh", "missing")] == "not implemented" and states[("tanh", "by_hand")] == "works"
    assert states[("sigmoid", "by_hand")] == "skipped"


def test_references_get_no_derivative_records_and_orders_select(tmp_path):
    hand = "tests.planted_derivatives:HandDerivatives"
    proc = conformance("run", "--frameworks", "numpy,hand-derivatives", "--adapter", hand,
                       "--modules", "tanh", "--out", str(tmp_path / "a"), *COMMON, *ALL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    derivative = {r["framework"] for r in results(tmp_path / "a")["cases"]
                  if r["check"].startswith(("jvp", "hvp"))}
    assert derivative == {"hand-derivatives"}  # never the references themselves
    proc = conformance("run", "--adapter", hand, "--modules", "tanh", "--out", str(tmp_path / "q"),
                       *COMMON, "--orders", "1")  # first order only
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {r["check"] for r in results(tmp_path / "q")["cases"]} == {"forward", "grad:x"}
    proc = conformance("run", "--adapter", hand, "--modules", "tanh", "--out", str(tmp_path / "d"),
                       *COMMON, *ALL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {r["check"] for r in results(tmp_path / "d")["cases"]} == {
        "forward", "grad:x", "jvp:x@by_hand", "hvp:x@by_hand"}
    proc = conformance("run", "--adapter", "tests.planted_derivatives:HandDerivatives", "--orders", "jvp",
                       "--modules", "tanh", "--dtypes", "float64", "--out", str(tmp_path / "b"), *COMMON)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = {r["check"] for r in results(tmp_path / "b")["cases"]}
    assert checks == {"jvp:x@by_hand"}
    assert conformance("run", "--orders", "3", "--out", str(tmp_path / "c")).returncode == 2


@pytest.mark.frameworks
def test_every_torch_route_is_judged_on_smooth_and_piecewise_modules(tmp_path):
    """Every route the torch adapter declares runs and is judged (pass or fail with a
    verdict: how torch fares on this CPU is the run's finding, not this test's)."""
    pytest.importorskip("torch")
    proc = conformance("run", "--frameworks", "torch", "--modules", "softmax,relu",
                       "--dtypes", "float64", "--orders", "jvp,hvp", "--out", str(tmp_path), *COMMON)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    doc = results(tmp_path)
    ran = [r for r in doc["cases"] if r["device"] == "cpu"]
    # Judged, whatever torch does on this CPU: a pass, a failure with a verdict, an expected
    # failure, or an error a known framework error's snippet reproduces (framework-error).
    assert ran and all(r["status"] in ("pass", "fail", "xfail") and r["verdict"]
                       or r.get("verdict") == "framework-error" for r in ran), \
        [(r["case_id"], r["check"], r["status"], r["verdict"]) for r in ran if r["status"] != "pass"]
    assert {r["check"] for r in ran} >= {"jvp:x@func_jvp", "jvp:x@forward_ad", "hvp:x@double_backward",
                                         "hvp:x@func_jvp_of_grad", "hvp:x@func_jvp_of_grad~double_backward"}


def test_derivative_verdicts_pool_the_other_frameworks_routes():
    from conformance.judge.verdicts import assign_derivatives
    from conformance.judge.witnesses import FdWitness

    def rec(fw, check, status, fd=None):
        return {"module": "tanh", "attrs": {}, "dtype": "float32", "device": "cpu", "mode": "eager",
                "framework": fw, "check": check, "status": status,
                "verdict": "unexplained" if status == "fail" else "agree",
                "witnesses": {"finite_differences": fd.to_json()} if fd else {}}

    agree = FdWitness(True, True, "the oracle vs central differences", 1e-9, 1e-5)
    # The sentence is for people: a witness that disagrees while its text reads "(agree" must
    # not settle anything (verdicts read the typed fields).
    disagree = FdWitness(True, False, "(agree: a misleading sentence)", 3e-2, 1e-5)
    records = [rec("a", "jvp:x@r1", "fail", agree), rec("b", "jvp:x@s1", "pass"),
               rec("b", "jvp:x@s2", "pass"), rec("c", "jvp:x@t1", "pass"),
               rec("a", "hvp:x@r2", "fail", agree), rec("b", "hvp:x@s3", "fail", agree),
               rec("a", "jvp:y@r1", "fail", disagree), rec("b", "jvp:y@s1", "pass"),
               rec("a", "jvp:x@r1~r0", "fail", agree)]
    assign_derivatives(records)
    assert records[0]["verdict"] == "framework-discrepancy"
    assert records[0]["witnesses"]["other_frameworks"] == {
        "pass": ["b", "c"], "fail": [], "detail": "pass: b, c; fail: none"}
    assert records[4]["verdict"] == records[5]["verdict"] == "unexplained"  # both fail: who is wrong?
    assert records[6]["verdict"] == "unexplained"  # the oracle itself is in doubt
    assert records[8]["verdict"] == "unexplained"  # a route comparison is information


def test_derivative_orders_alone_skip_the_oracles_own_adapter(tmp_path):
    """--orders jvp,hvp without first order: the NumPy references get no checks at all
    (they are the oracles' source), so their cases are skips, not errors, and the run
    passes on the adapter that offers the routes."""
    proc = conformance("run", "--adapter", "tests.planted_derivatives:HandDerivatives",
                       "--frameworks", "numpy,hand-derivatives", "--modules", "tanh",
                       "--dtypes", "float64", "--devices", "cpu", "--orders", "jvp,hvp",
                       "--out", str(tmp_path), "--max-examples", "3")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = results(tmp_path)
    assert {r["framework"] for r in doc["cases"]} == {"hand-derivatives"}
    assert "1 passed, 3 skipped" in proc.stdout  # numpy cpu, numpy and hand-derivatives gpu


def test_planted_route_faults_are_reported_on_the_failing_route_only(tmp_path):
    """Forward over forward wrong (tanh: a forward rule that is not itself forward-
    differentiable) and reverse over forward wrong (multiply: a JVP rule whose transpose is
    wrong): exactly that route's hvp checks fail, the other compositions pass, and the
    failing route-agreement check names the wrong route, settled by the oracle."""
    proc = conformance("run", "--adapter", "tests.planted_derivatives:ForwardRuleNotDifferentiable",
                       "--adapter", "tests.planted_derivatives:WrongJvpTranspose",
                       "--adapter", "tests.planted_derivatives:AllCompositions",
                       "--frameworks", "forward-rule-not-differentiable,wrong-jvp-transpose,all-compositions",
                       "--modules", "tanh,multiply", "--out", str(tmp_path), *COMMON, *ALL)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    cases = by_case(doc)
    failing = sorted(k for k, r in cases.items() if r["status"] in ("fail", "error") and "~" not in k[1])
    assert failing == sorted(
        [(f"tanh-forward-rule-not-differentiable-{d}-cpu", "hvp:x@fwd_over_fwd") for d in ("float32", "float64")]
        + [(f"multiply-wrong-jvp-transpose-{d}-cpu", f"hvp:{a}@rev_over_fwd")
           for d in ("float32", "float64") for a in ("a", "b")])
    for route in ("rev_over_rev", "fwd_over_rev", "rev_over_fwd"):
        assert cases[("tanh-forward-rule-not-differentiable-float64-cpu", f"hvp:x@{route}")]["status"] == "pass"
    for route in ("rev_over_rev", "fwd_over_rev", "fwd_over_fwd"):
        assert cases[("multiply-wrong-jvp-transpose-float64-cpu", f"hvp:a@{route}")]["status"] == "pass"
    disagree = cases[("tanh-forward-rule-not-differentiable-float64-cpu", "hvp:x@fwd_over_fwd~rev_over_rev")]
    assert disagree["status"] == "fail"
    assert "the oracle settles it: fwd_over_fwd is wrong, rev_over_rev agrees" in disagree["reason"]
    wrong = cases[("multiply-wrong-jvp-transpose-float64-cpu", "hvp:a@rev_over_fwd")]
    # the control passes it and central differences agree with the oracle: the framework's
    assert wrong["verdict"] == "framework-discrepancy" and wrong["ratio"] > 1e3
    assert not any(r["status"] in ("fail", "error") for r in doc["cases"]
                   if r["framework"] == "all-compositions")


def test_planted_hessian_api_fault_is_caught_while_hvps_pass(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_derivatives:WrongHessianApi",
                       "--modules", "tanh,multiply", "--out", str(tmp_path), *COMMON,
                       "--orders", "hvp,hessian")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    cases = by_case(results(tmp_path))
    assert _failed(results(tmp_path)) == [(f"tanh-wrong-hessian-api-{d}-cpu", "hessian:x@hessian_api")
                                          for d in ("float32", "float64")]
    assert cases[("tanh-wrong-hessian-api-float64-cpu", "hvp:x@by_hand")]["status"] == "pass"
    for arg in ("a", "b"):
        assert cases[("multiply-wrong-hessian-api-float64-cpu", f"hessian:{arg}@hessian_api")]["status"] == "pass"


def test_matrix_checks_skip_over_their_size_limits():
    from conformance.run.jacobians import HESSIAN_LIMIT, size_skips

    assert size_skips({"jacobian": ("a",), "hessian": ("b",)}, [(2, 3)], [(2, 3)]) == {}
    over = size_skips({"jacobian": ("a",), "hessian": ("b",)}, [(100, 100)], [(HESSIAN_LIMIT + 1,)])
    assert "over the limit" in over["jacobian"] and "over the limit" in over["hessian"]


def test_jvp_and_jacobian_oracles_share_the_reference_rows():
    """One reference VJP per output element, however many oracles ask for the rows of J."""
    from conformance.judge.oracles import basis_rows
    from conformance.run.jacobians import jacobian_oracle

    a = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
    calls = []

    def vjp(cts):  # f(x) = A x
        calls.append(1)
        return {"x": a.T @ cts[0]}

    row = basis_rows(vjp, [(2,)])
    v = np.array([0.5, -1.0, 2.0])
    jo = jvp_oracle(vjp, [(2,)], {"x": v}, np.random.default_rng(0), row)
    jac = jacobian_oracle(vjp, [(2,)], ["x"], row)
    assert len(calls) == 2
    np.testing.assert_array_equal(jac["x"], a)
    np.testing.assert_allclose(jo.exact["x"], a @ v)


def test_difference_oracle_floor_counts_every_argument_gradient():
    """The rounding floor of the central-difference H v is that of the largest gradient of
    any differentiated argument, not only of the argument's own (a tiny ∇q beside a large
    ∇v errs by ulps of ∇v)."""
    args = {"q": np.array([1e-3]), "v": np.array([1.0])}

    def grad(p):  # s = 1e-3 q² v + v² / 2: ∇q tiny, ∇v ~ 1
        return {"q": 2e-3 * p["q"] * p["v"], "v": 1e-3 * p["q"] ** 2 + p["v"]}

    o = hvp_oracle("", grad, args, ["q", "v"], {"q": np.array([1.0]), "v": np.array([0.0])},
                   None, {})
    h = 2.0**-10  # STEP at argument scale 1
    assert o.error["q"][0] >= 4 * np.finfo(np.float64).eps * 1.0 / h


def test_routes_that_take_different_sides_of_a_kink_are_a_convention_not_a_fault(tmp_path):
    """relu at x = 0: a framework whose forward-mode routes take different known sides of the
    kink passes, each route with the rule it follows and their disagreement a convention; a
    route whose slope at 0 is no known rule (2) fails, on that route and that variant only."""
    proc = conformance("run", "--adapter", "tests.planted_derivatives:KinkSides",
                       "--adapter", "tests.planted_derivatives:WrongAtKink",
                       "--frameworks", "kink-sides,wrong-at-kink", "--modules", "relu",
                       "--out", str(tmp_path), *COMMON, "--orders", "1,jvp")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    cases = by_case(doc)
    assert _failed(doc) == sorted((f"relu[kink]-wrong-at-kink-{d}-cpu", c) for d in ("float32", "float64")
                                  for c in ("jvp:x@other", "jvp:x@other~left_side"))
    for d in ("float32", "float64"):
        left = cases[(f"relu[kink]-kink-sides-{d}-cpu", "jvp:x@left_side")]
        other = cases[(f"relu[kink]-kink-sides-{d}-cpu", "jvp:x@other")]
        assert left["status"] == "pass" and left["verdict"] == "agree"
        assert other["status"] == "pass" and other["verdict"] == "convention"
        assert other["convention"] == {"grad_at_zero": "right"}
        both = cases[(f"relu[kink]-kink-sides-{d}-cpu", "jvp:x@other~left_side")]
        assert both["status"] == "pass" and both["verdict"] == "convention", both
        assert both["convention"] == {"other": "grad_at_zero=right", "left_side": "grad_at_zero=left"}
        # away from the kink both planted adapters are right by every route
        assert cases[(f"relu-wrong-at-kink-{d}-cpu", "jvp:x@other")]["status"] == "pass"
    disagree = cases[("relu[kink]-wrong-at-kink-float64-cpu", "jvp:x@other~left_side")]
    assert disagree["status"] == "fail"
    assert "the oracle settles it: other is wrong, left_side agrees" in disagree["reason"]


def test_batch_jacobian_oracle_sums_each_output_over_the_batch():
    """A batch Jacobian API computes, for sample k, Σ_i ∂y[i, j]/∂x[k, :] (TensorFlow's
    batch_jacobian: the gradient of output element j summed over the batch): the oracle
    gives that from J, element by element, and the adapters' assembly of the API's blocks
    lands in the same places; where samples are independent it is J's block diagonal."""
    from adapters.derivatives import batch_diagonal
    from conformance.run.jacobians import batch_summed

    rng = np.random.default_rng(3)
    b, ro, ri = 3, 2, 4
    jac = rng.normal(size=(b * ro, b * ri))
    want = np.zeros_like(jac)
    for k in range(b):
        for j in range(ro):
            for m in range(ri):
                want[k * ro + j, k * ri + m] = sum(jac[i * ro + j, k * ri + m] for i in range(b))
    got = batch_summed(jac, [(b, ro)], (b, ri))
    np.testing.assert_allclose(got, want)
    blocks = np.stack([want[k * ro:(k + 1) * ro, k * ri:(k + 1) * ri] for k in range(b)])
    np.testing.assert_allclose(batch_diagonal([blocks.reshape(b, ro, 2, 2)], b * ri), want)
    independent = np.zeros_like(jac)
    for k in range(b):
        independent[k * ro:(k + 1) * ro, k * ri:(k + 1) * ri] = jac[k * ro:(k + 1) * ro, k * ri:(k + 1) * ri]
    np.testing.assert_allclose(batch_summed(independent, [(b, ro)], (b, ri)), independent)


def test_planted_batch_jacobian_fault_is_caught_and_the_right_api_passes(tmp_path):
    """A batch Jacobian API is judged against J summed over the batch: the right one passes,
    one whose blocks are 0.05% off where |x| > 1 fails on exactly that check."""
    proc = conformance("run", "--adapter", "tests.planted_derivatives:BatchApi",
                       "--adapter", "tests.planted_derivatives:WrongBatchApi",
                       "--frameworks", "batch-api,wrong-batch-api", "--modules", "tanh",
                       "--out", str(tmp_path), *COMMON, "--orders", "jac")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    assert _failed(doc) == [(f"tanh-wrong-batch-api-{d}-cpu", "jacobian:x@batch_api")
                            for d in ("float32", "float64")]
    cases = by_case(doc)
    assert all(cases[(f"tanh-batch-api-{d}-cpu", "jacobian:x@batch_api")]["status"] == "pass"
               for d in ("float32", "float64"))


def test_forward_over_forward_plan_projects_above_its_limit():
    from adapters.derivatives import forward_over_forward_plan, forward_over_forward_values

    shapes, v = [(2,), (1, 2)], [np.array([0.5, -1.0]), np.array([[2.0, 3.0]])]
    plan, projected = forward_over_forward_plan(shapes, v, np.float64, limit=4)
    assert not projected and len(plan) == 4 and plan[2][1].tolist() == [[1.0, 0.0]]
    assert forward_over_forward_values([1, 2, 3, 4], ["a", "b"], shapes, False, np.float64)["b"].tolist() == [[3, 4]]
    plan, projected = forward_over_forward_plan(shapes, v, np.float64, limit=3)
    assert projected and len(plan) == 2
    assert plan[0][0].tolist() == [0.5, -1.0] and not plan[0][1].any()
    assert plan[1][1].tolist() == [[2.0, 3.0]] and not plan[1][0].any()
    assert forward_over_forward_values([7, 8], ["a", "b"], shapes, True, np.float64) == {"a": 7, "b": 8}


def test_projected_hvp_judge_passes_the_projection_and_fails_a_small_error():
    """⟨v, H v⟩ against the oracle's H v projected on v: the exact value passes, one off
    by 1e-4 of its size fails in float32 and float64; a non-scalar is refused."""
    from conformance.judge.oracles import HvpOracle, judge_hvp_projected

    rng = np.random.default_rng(3)
    hv, v = rng.normal(size=(3, 4)), rng.uniform(-1, 1, size=(3, 4))
    oracle = HvpOracle({"x": hv}, {"x": np.zeros_like(hv)}, "hand-written", 1.0)
    exact = float(np.sum(v * hv))
    for dtype in ("float32", "float64"):
        assert judge_hvp_projected("hvp:x@r", exact, oracle, "x", v, dtype, 4.0).passed
        wrong = judge_hvp_projected("hvp:x@r", exact + 1e-4 * abs(exact), oracle, "x", v, dtype, 4.0)
        assert not wrong.passed and wrong.expected == pytest.approx(exact)
    assert not judge_hvp_projected("hvp:x@r", hv, oracle, "x", v, "float64", 4.0).passed


def test_planted_projected_forward_over_forward_fault_is_caught_and_the_right_one_passes(tmp_path):
    """Forward over forward above its limit of passes, one pass per argument: the right
    route passes, one whose curvature is 0.5% off where |x| > 1 fails on exactly that check."""
    proc = conformance("run", "--adapter", "tests.planted_derivatives:ProjectedForwardOverForward",
                       "--adapter", "tests.planted_derivatives:WrongProjectedForwardOverForward",
                       "--frameworks", "projected-fwd-over-fwd,wrong-projected-fwd-over-fwd",
                       "--modules", "tanh", "--out", str(tmp_path), *COMMON, "--orders", "hvp")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    assert _failed(doc) == [(f"tanh-wrong-projected-fwd-over-fwd-{d}-cpu", "hvp:x@fwd_over_fwd")
                            for d in ("float32", "float64")]
    cases = by_case(doc)
    for d in ("float32", "float64"):
        right = cases[(f"tanh-projected-fwd-over-fwd-{d}-cpu", "hvp:x@fwd_over_fwd")]
        assert right["status"] == "pass" and right["worst_index"] is None
        assert "projected on the tangent" in cases[(f"tanh-wrong-projected-fwd-over-fwd-{d}-cpu",
                                                    "hvp:x@fwd_over_fwd")]["reason"]
