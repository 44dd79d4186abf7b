"""The expected failures' entries: framework discrepancies this suite found, investigated
and explained, each saying who is wrong and why, with the evidence (none is a tolerance
loosened). Matching, the run's xfail/xpass and the table's validation against the spec
table: ``expected_failures.py``."""

from __future__ import annotations

from conformance.known.expected_entry import Expected

def _differentiable_names() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(module, its differentiable arguments) for every module of the table."""
    from conformance.specs import SPECS

    return tuple((spec.name, tuple(a.name for a in spec.differentiable)) for spec in SPECS)


_DIFFERENTIABLE = _differentiable_names()

EXPECTED: tuple[Expected, ...] = (
    Expected("gelu", "tensorflow", ("forward", "grad:x"), dtype="float64", why=
             "tensorflow: tf.nn.gelu builds its constants (1/√2 for the erf form, 0.044715 and "
             "√(2/π) for the tanh form) as float32 and casts them to float64, so float64 GELU is "
             "off by up to ~5e-9 relative; finite differences and torch/jax agree with the reference"),
    *(Expected("max_pool3d", "tensorflow", ("grad:x",), variant="ties*", dtype=dtype, why=
               "tensorflow: the same 3-D max-pool tie rule as the float32 entry below (every "
               f"tied maximum gets the full gradient), measured again in {dtype}")
      for dtype in ("bfloat16",)),
    Expected("max_pool3d", "tensorflow", ("grad:x",), variant="ties*", dtype="float32", why=
             "tensorflow: the 3-D max-pool gradient gives the full gradient to every tied maximum "
             "(x=[1,1,1], k=2, s=1, dy=[1,10] gives [1,11,10]): not a subgradient (the document's "
             "erratum max-ties-full-gradient, in a framework); its own 2-D max-pool routes to the "
             "first maximum, as torch and jax do"),
    Expected(("max_pool1d", "max_pool2d", "max_pool3d"), "tensorflow", ("jvp:x@forward_accumulator",),
             variant="k=*", mode="compiled", why=
             "tensorflow (tf.function(jit_compile=True)): forward mode of max pooling goes "
             "through MaxPoolGradGrad, whose XLA lowering (tf2xla pooling_ops.cc) compares the "
             "window's values rounded to bfloat16 and packs the tangent into the low 16 bits: "
             "where two elements of a window are equal in bfloat16 but not in float32, the first "
             "one's tangent is taken (max_pool2d[k=2x3,s=1x2], 1×2×33×33 float32: 4 of 1,024 "
             "outputs, ⟨u, Jv⟩ off by 16%). Eager forward mode and the reverse mode under XLA "
             "are right; known case tf2xla-maxpoolgradgrad-bf16 reproduces it in plain "
             "TensorFlow. It shows only when a drawn window has such a near-tie (large windows, "
             "many outputs), so a run without one reports this entry as passing"),
    Expected("prelu", "tensorflow", ("grad:x",), variant="kink", why=
             "tensorflow: keras.layers.PReLU computes relu(x) − α·relu(−x), whose gradient at x = 0 "
             "is 0: outside the subdifferential [min(α,1), max(α,1)], so neither slope, unlike torch "
             "(α) and jax"),
    # -- attention (measured on torch 2.13, jax 0.10.2, keras 3.15 / tf 2.21) --
    Expected("scaled_dot_product_attention", "jax", dtype="float64", checks=
             ("forward", "grad:q", "grad:k", "grad:v", "grad:bias"),
             why="jax: jax.nn.dot_product_attention (implementation xla / None) always takes the "
             "softmax in float32 ('Softmax and it is always carried out in fp32', "
             "jax/_src/nn/functions.py _dot_product_attention_core), so float64 inputs get float32 "
             "accuracy (relative errors ~3e-8, ratio ~1e6); finite differences, torch and the "
             "TensorFlow cases with exact scales agree with the float64 reference. Also makes the "
             "fully masked row's float64 output (otherwise 'uniform') fail"),
    *(Expected("scaled_dot_product_attention", "tensorflow", variant=f"{v}kernel=math", dtype="float64", checks=
               ("forward", "grad:q", "grad:k", "grad:v", "grad:bias"),
               why="tensorflow (keras.ops.dot_product_attention, TF backend): the scale reaches the "
               "float64 logits through float32 — the default is 1/tf.sqrt(tf.cast(d, 'float32')) "
               "and an explicit Python float goes through tf.cast(scale, float64), which builds a "
               "float32 constant first — so float64 attention errs by ~1e-8 relative unless the "
               "scale is a power of 2 (d = 1, 4, 16, 64 pass: variants d=1, d=64, large)")
      for v in ("", "causal,", "padding,", "fully-masked-row,", "bias,", "tiles,")),
    Expected("multi_head_attention", "tensorflow", dtype="float64", checks=
             ("forward", "grad:xq", "grad:xk", "grad:xv", "grad:w_q", "grad:w_k", "grad:w_v",
              "grad:b_q", "grad:b_v", "grad:w_o", "grad:b_o"),
             why="tensorflow (keras.layers.MultiHeadAttention): 1/√key_dim is a Python float that "
             "reaches float64 through a float32 constant (see the dot_product_attention entry), "
             "so float64 layers err by ~1e-9–1e-8 relative for key_dim 2, 3; float32 passes"),
    Expected("multi_head_attention", "tensorflow", variant="h=2,d=1*", checks=
             ("forward", "grad:xq", "grad:xk", "grad:xv", "grad:w_q", "grad:w_k", "grad:w_v",
              "grad:b_q", "grad:b_v", "grad:w_o", "grad:b_o"),
             why="keras (TF backend): keras.ops.add takes a BiasAdd shortcut whenever the second "
             "operand squeezes to a vector whose length equals x1's axis 1 or last axis; with "
             "key_dim = 1 the projection bias (heads, 1) meets x1 (B, T, heads, 1) and, when "
             "T == heads, is added along the time axis (NCHW) instead of the heads axis: "
             "keras.ops.add(x (1,3,3,1), b (3,1)) differs from x + b by O(1). Both dtypes; "
             "torch and flax agree with the reference"),
    Expected("multi_head_attention", "tensorflow", variant="h=2,d=1*", checks=
             tuple(f"{kind}:{arg}@{route}" for arg in ("xq", "xk", "xv", "w_q", "w_k", "w_v", "b_q",
                                                        "b_v", "w_o", "b_o")
                   for kind, route in (("jvp", "forward_accumulator"), ("hvp", "nested_tapes"),
                                       ("hvp", "fwd_over_rev"), ("hvp", "rev_over_fwd"),
                                       ("hvp", "fwd_over_fwd"), ("hessian", "tape_jacobian_of_gradient"))),
             why="keras (TF backend): the BiasAdd shortcut of the entry above makes the layer a "
             "different function at key_dim = 1 and T == heads, so its forward mode and both "
             "second-order routes differ from the reference by O(1) too (jvp ratio ~1e4 in "
             "float32); the two hvp routes agree with each other"),
    Expected("multi_head_attention", "torch", variant="fully-padded,weights", checks=
             ("forward", "grad:xq", "grad:xk", "grad:xv", "grad:w_q", "grad:w_k", "grad:w_v",
              "grad:b_q", "grad:b_v", "grad:w_o", "grad:b_o"),
             why="torch (pytorch#41508, open): nn.MultiheadAttention with need_weights=True takes a "
             "plain softmax over a row whose keys are all padded: NaN output for that batch "
             "element, and NaN reaches the other elements' inputs' gradients and every shared "
             "projection weight; need_weights=False (SDPA's safe softmax) returns 0 there"),
    # -- forward mode and second order (checks jvp:<arg>@<route>, hvp:<arg>@<route>) --------
    Expected("gelu", "tensorflow", ("jvp:x@forward_accumulator",), dtype="float64", why=
             "tensorflow: forward mode through tf.nn.gelu inherits its float32 constants (the "
             "entry above): J v off by ~1e-7 relative in float64; the HVP's oracle tolerance "
             "(~1e-10) absorbs it there; torch and jax agree with the reference"),
    Expected("prelu", "tensorflow", variant="kink", checks=
             ("jvp:x@forward_accumulator", "jacobian:x@tape_jacobian", "jacobian:x@tape_batch_jacobian",
              *(f"hvp:{a}@{r}" for a in ("x", "alpha")
                for r in ("nested_tapes", "fwd_over_rev", "rev_over_fwd", "fwd_over_fwd",
                          "rev_over_fwd~nested_tapes", "fwd_over_fwd~nested_tapes",
                          "fwd_over_rev~nested_tapes")),
              "hessian:x@tape_jacobian_of_gradient", "hessian:alpha@tape_jacobian_of_gradient"),
             why="tensorflow: keras.layers.PReLU's relu(x) − α·relu(−x) has slope 0 at x = 0 (the "
             "first-order entry above), so forward mode and the Jacobian give J v = 0 there and "
             "the mixed second derivative ∂²y/∂x∂α is 0 at x = 0 too, by every second-order route "
             "and the Hessian API (measured: 0 where each rule has α, 1 or their mean): outside "
             "every rule (left α / 1, right 1 / 0, mean); torch and jax follow one"),
    *(Expected(module, "tensorflow", ("hvp:x@nested_tapes", "hvp:x@fwd_over_rev", "hvp:x@rev_over_fwd",
                                      "hvp:x@fwd_over_fwd", "hessian:x@tape_jacobian_of_gradient"),
               dtype=dtype, why=
               "tensorflow: tf.nn.moments computes the variance as mean((x − stop_gradient(mean))²); "
               "the stop_gradient leaves the first derivative right (∂var/∂mean = 0 at the mean) but "
               "drops the −(2/n²)·1ᵀv·1 term of the variance's Hessian, so every normalization built "
               "on it has a wrong Hessian in x, by every TF route alike (the four compositions and "
               "the tape's Jacobian of its gradient): Keras Layer/Group/BatchNormalization (float64 BN; float32 BN is the fused "
               "op, right). Reproduced on a 6-vector: TF's H v of tf.nn.moments' variance differs "
               "from (2/n)(I − 11ᵀ/n) v and from TF's own H v of mean((x − mean(x))²), which agrees; "
               "torch and jax agree with the reference")
      for module, dtype in (("batch_norm", "float64"), ("layer_norm", None),
                             ("instance_norm", None), ("group_norm", None))),
    *(Expected("scaled_dot_product_attention", "tensorflow", variant=f"{v}kernel=math", dtype="float64", checks=
               tuple(f"jvp:{a}@forward_accumulator" for a in ("q", "k", "v", "bias")),
               why="tensorflow: forward mode through keras.ops.dot_product_attention inherits the "
               "float32-rounded scale of the first-order entry above (J v off by ~1.7e-8 relative "
               "in float64, e.g. tiles: ratio 3e5)")
      for v in ("", "causal,", "padding,", "fully-masked-row,", "bias,", "tiles,")),
    Expected("multi_head_attention", "tensorflow", dtype="float64", checks=
             tuple(f"jvp:{a}@forward_accumulator" for a in ("xq", "xk", "xv", "w_q", "w_k", "w_v",
                                                            "b_q", "b_v", "w_o", "b_o")),
             why="tensorflow: forward mode through keras.layers.MultiHeadAttention inherits the "
             "float32-rounded 1/√key_dim of the first-order entry above (J v off by ~1.7e-8 "
             "relative in float64)"),
    # The Jacobian APIs inherit the same float32 constants (entries above): J off by ~1e-7
    # (gelu) and ~1.7e-8 (attention) relative in float64, by the full and the batch API alike.
    Expected("gelu", "tensorflow", ("jacobian:x@tape_jacobian", "jacobian:x@tape_batch_jacobian"),
             dtype="float64", why="tensorflow: the Jacobian APIs through tf.nn.gelu inherit its "
             "float32 constants (the first entry): J off by ~2.5e-7 relative in float64"),
    *(Expected("scaled_dot_product_attention", "tensorflow", variant=f"{v}kernel=math", dtype="float64", checks=
               tuple(f"jacobian:{a}@{r}" for a in ("q", "k", "v", "bias")
                     for r in ("tape_jacobian", "tape_batch_jacobian"))
               + tuple(f"hessian:{a}@tape_jacobian_of_gradient" for a in ("q", "k", "v", "bias")),
               why="tensorflow: the Jacobian APIs through keras.ops.dot_product_attention inherit "
               "the float32-rounded scale of the first-order entry above")
      for v in ("", "causal,", "padding,", "fully-masked-row,", "bias,", "tiles,")),
    Expected("multi_head_attention", "tensorflow", dtype="float64", checks=
             tuple(f"jacobian:{a}@{r}" for a in ("xq", "xk", "xv", "w_q", "w_k", "w_v", "b_q",
                                                  "b_v", "w_o", "b_o")
                   for r in ("tape_jacobian", "tape_batch_jacobian")),
             why="tensorflow: the Jacobian APIs through keras.layers.MultiHeadAttention inherit the "
             "float32-rounded 1/√key_dim of the first-order entry above (J off by ~1.7e-8 relative "
             "in float64)"),
    Expected("multi_head_attention", "tensorflow", variant="h=2,d=1*", checks=
             tuple(f"jacobian:{a}@{r}" for a in ("xq", "xk", "xv", "w_q", "w_k", "w_v", "b_q",
                                                  "b_v", "w_o", "b_o")
                   for r in ("tape_jacobian", "tape_batch_jacobian")),
             why="keras (TF backend): the BiasAdd shortcut of the entries above (key_dim = 1, "
             "T == heads) makes the layer another function: its Jacobian differs by O(1) too"),
    Expected("multi_head_attention", "tensorflow", variant="fully-padded*", dtype="float64", checks=
             tuple(f"hvp:{a}@{route}" for a in ("xq", "xk", "xv", "w_q", "w_k", "w_v", "b_q",
                                                 "b_v", "w_o", "b_o")
                   for route in ("nested_tapes", "fwd_over_rev", "rev_over_fwd", "fwd_over_fwd")),
             why="tensorflow: second order through keras.layers.MultiHeadAttention with a fully "
             "padded batch element; Keras gives that row uniform weights (float32 passes under "
             "the masked_row=uniform convention), but in float64 the float32-rounded 1/√key_dim "
             "(entries above, ~1.7e-8 relative) keeps the convention from matching, so the "
             "errors shown are against the documented rule (zeros): O(1) at the padded row"),
    Expected("scaled_dot_product_attention", "jax", dtype="float64", checks=
             tuple(f"{kind}:{arg}@{route}" for arg in ("q", "k", "v", "bias")
                   for kind, routes, first in (
                       ("jvp", ("jvp", "linearize"), "jvp"),
                       ("hvp", ("fwd_over_rev", "rev_over_rev", "rev_over_fwd", "fwd_over_fwd"),
                        "fwd_over_rev"),
                       ("jacobian", ("jacrev", "jacfwd", "linear_transpose"), "jacrev"),
                       ("hessian", ("hessian",), "hessian"))
                   for route in routes + tuple(f"{r}~{first}" for r in routes if r != first)),
             why="jax: jax.nn.dot_product_attention's float32 softmax (the first-order entry above) "
             "gives forward mode, every second-order route and the Jacobian and Hessian APIs "
             "float32 accuracy in float64 (J v off by up to ~2e-5 relative at small elements; "
             "the routes differ by it too)"),
    Expected("multi_head_attention", "torch", variant="fully-padded,weights", checks=
             tuple(f"{kind}:{arg}@{route}" for arg in ("xq", "xk", "xv", "w_q", "w_k", "w_v", "b_q",
                                                        "b_v", "w_o", "b_o")
                   for kind, routes, first in (
                       ("jvp", ("func_jvp", "forward_ad"), "func_jvp"),
                       ("hvp", ("double_backward", "func_jvp_of_grad", "func_vjp_of_jvp",
                                "backward_of_forward_ad", "func_jvp_of_jvp", "functional_hvp",
                                "functional_vhp"), "double_backward"),
                       ("jacobian", ("func_jacrev", "func_jacfwd", "functional_jacobian"),
                        "func_jacrev"),
                       ("hessian", ("func_hessian", "functional_hessian"), "func_hessian"))
                   for route in routes + tuple(f"{r}~{first}" for r in routes if r != first)),
             why="torch (pytorch#41508, the entry above): the NaN of the fully padded row's plain "
             "softmax reaches forward mode, every second-order route and the Jacobian APIs as "
             "well (measured: NaN where the oracle has 0 or finite values, by every route)"),
    Expected(("layer_norm", "instance_norm", "batch_norm"), "torch", checks=tuple(
        check for route in ("func_vjp_of_jvp", "backward_of_forward_ad", "func_jvp_of_jvp")
        for check in (f"hvp:x@{route}", f"hvp:x@{route}~double_backward")), why=
             "torch (pytorch#196700 layer_norm, pytorch#196699 batch_norm, both open; "
             "instance_norm calls batch_norm): the forward-mode rules of the normalizations are "
             "not differentiable correctly, so every route that differentiates them again "
             "(reverse over forward by torch.func and by forward_ad dual tensors, forward over "
             "forward) gives the same wrong x part of H v, off by O(1) (ratio ~1e3 in float32, "
             "~1e7 in float64), while double backward and forward over reverse agree with the "
             "oracle; a composite layer norm (mean, var, rsqrt) through the same routes is "
             "right. Known cases pytorch#196700 and pytorch#196699 reproduce it in plain torch"),
    Expected(("layer_norm", "instance_norm", "batch_norm"), "torch", checks=(
        "hessian:gamma@func_hessian", "hessian:gamma@functional_hessian~func_hessian"), why=
             "torch: torch.func.hessian (jacfwd over jacrev) gets the weight's rows of the "
             "Hessian wrong — the mixed block d(∇γ)/dx is off by O(1) — while "
             "torch.autograd.functional.hessian and vmap(jvp(grad)) over the same basis agree "
             "with the oracle, so the fault is forward mode over the batched (vmapped) "
             "normalization backward; known case torch-func-hessian-norm-weight reproduces it "
             "in plain torch (upstream not found)"),
    Expected("scaled_dot_product_attention", "torch", variant="fully-masked-row,kernel=math",
             checks=tuple(c for a in ("q", "k") for c in (f"hvp:{a}@func_vjp_of_jvp",
                                                          f"hvp:{a}@func_vjp_of_jvp~double_backward")),
             why="torch: the math kernel's torch._safe_softmax gives 0 on a fully masked row, and "
             "so do its gradient, double backward and forward over reverse, but reverse over "
             "forward (torch.func.vjp of torch.func.jvp) is NaN there; known case "
             "torch-safe-softmax-reverse-over-forward reproduces it in plain torch (upstream "
             "not found). backward_of_forward_ad raises pytorch#162350 first"),
    *(Expected(name, "torch", mode="compiled", checks=tuple(
        f"{kind}:{arg}@{route}" for arg in args
        for kind, route in (("jvp", "forward_ad"), ("jvp", "forward_ad~func_jvp"),
                            ("hvp", "backward_of_forward_ad"),
                            ("hvp", "backward_of_forward_ad~double_backward"))), why=
               "torch (pytorch#187284, closed upstream, fix PRs #187311 / #189644; reproduces on "
               "torch 2.13.0): a function compiled by torch.compile (inductor) and called on "
               "forward_ad dual tensors returns outputs with no tangent (unpack_dual(...).tangent "
               "is None, no error or warning), so forward mode by dual tensors gives exact zeros "
               "and the gradient of ⟨u, J v⟩ is zero too; the same function in eager mode and "
               "under backend='aot_eager' carries the tangent (known case pytorch#187284). A case "
               "whose tangent or H v is zero anyway (relu at negative inputs) passes")
      for name, args in _DIFFERENTIABLE),
    Expected("layer_norm", "tensorflow", ("forward",), form="*D=1*", why=
             "keras (TF backend): keras.ops.layer_normalization evaluates y = x·(γr) + (β − μ·γr), "
             "r = 1/√(σ²+ε), so at one normalised feature (x = μ, y = β exactly) it returns β plus "
             "a rounding of two terms of size |x|γ/√ε that cancel: float32 −0.19226074 for "
             "β = −0.1922 at x = 2.75, γ = 1.25, ε = 1e-5 (6.1e-5 off, ratio 13.8), float64 "
             "4.3e-14 off (ratio ~10). The evaluation is not backward stable: every perturbation "
             "of the inputs keeps x = μ and y = β. torch F.layer_norm and jax (x − μ)·r·γ + β "
             "return β exactly; known case keras-layer-norm-folded reproduces it in plain "
             "TensorFlow. Keras is wrong; it shows wherever σ² ≪ ε (the drawn rows have "
             "distinct values, so only the D=1 forms)"),
    Expected("selu", "tensorflow", ("grad:x",), variant="", dtype="bfloat16", why=
             "tensorflow: tf.nn.selu in bfloat16 computes y = λα(e^x − 1) with e^x rounded to "
             "bfloat16, which is 1 for −2⁻⁹ < x < 0, so y = 0 there; SeluGrad then picks its "
             "branch from the output (y < 0 ? g·(y + λα) : g·λ, relu_op_functor.h) and returns "
             "the slope λ = 1.05 of x > 0 where the slope is λα·e^x ≈ 1.76 (x = −0.00126: 1.047, "
             "float32 1.756; 40% off, ratio 5.3 at selu-tensorflow-bfloat16-cpu, example N=3, "
             "D=8, seed 1188188514, found by the quick profile's bfloat16 large shape and "
             "shrunk there). Known case tf-selu-grad-branch-from-output reproduces it in plain "
             "TensorFlow; torch and jax branch on x. It shows only when a drawn x lies in "
             "(−2⁻⁹, 0), so a run without one reports this entry as passing"),
    Expected("conv2d", "tensorflow", ("grad:w",), dtype="float16", why=
             "tensorflow: the CPU Conv2D weight gradient (Conv2DBackpropFilter) in float16 "
             "accumulates its N·H·W-long sums in float16: conv2d[k=3] at the quick profile's "
             "large shape (N=2, C=3, H=36, W=37, 2,664 terms per weight) is 1.56× the "
             "float32-accumulation tolerance (grad:w 55.84 for 56.88), and the conv1d "
             "accumulation probe (cancelling cotangent over 16 × 64 positions, exact in "
             "float32) errs by 32 u in grad:w; torch and jax pass the same case. tensorflow "
             "is wrong by the float32-accumulation model"),
    # Low precision: reductions accumulated in the input type, measured by the accumulation
    # probes (results.json conventions) and outside the float32-accumulation model.
    *(Expected("layer_norm", "torch", ("grad:gamma", "grad:beta", "grad:x"), dtype=dtype, why=
               f"torch: the CPU layer-norm backward in {dtype} accumulates its reductions in "
               f"{dtype} — dβ = Σ_rows dy over 4096 rows of a bfloat16 cotangent comes out "
               "-5.375 where the exact sum is -6.43 (42 u), and the accumulation probe (layer "
               "norm over 8192 cancelling values) errs by 22 u (bfloat16) / 1186 u (float16) in "
               "dL/dx, where a float32 accumulator is exact: torch is wrong, the reference and "
               "the model (float32 accumulation) stand")
      for dtype in ("bfloat16", "float16")),
    *(Expected(modules, "jax", checks, dtype=dtype, why=
               f"jax in {dtype}: the bias gradients of the recurrent layers sum dL/d(pre-activation) "
               "over T·N steps through the transpose of the bias broadcast, a reduce_sum kept in "
               "the input type: the accumulation probe's bias gradient (a cancelling cotangent "
               "over 512 rows, exact in float32) errs by 36–56 u (bfloat16) and 12–24 u "
               "(float16), while jnp.sum and the matmul inner products accumulate in float32; "
               "torch passes the same cases. jax is wrong by the float32-accumulation model. "
               "With the stored tensors' roundings in the model the quick profile's sums (T·N "
               "<= 256) pass (xpass); the full profile's T·N = 780–792 fail (gru[reset_after] "
               "bfloat16 grad:b_z 1.14, lstm[standard] float16 grad:b_o 1.11)")
      for modules, checks in (
          (("lstm",), ("grad:b_i", "grad:b_f", "grad:b_g", "grad:b_o")),
          (("gru",), ("grad:b_r", "grad:b_z", "grad:b_n", "grad:b_hn")),
          (("gru_softmax_ce",), ("grad:b_r", "grad:b_z", "grad:b_n")))
      for dtype in ("bfloat16", "float16")),
    Expected("scaled_dot_product_attention", "tensorflow", variant="large,kernel=*", dtype="bfloat16", checks=
             ("forward", "grad:q", "grad:k", "grad:v"),
             why="tensorflow (keras.ops.dot_product_attention, composed) stores the logits in "
             "bfloat16: the 'large' variant's logits lie in [194, 206] in steps of ½, and "
             "bfloat16 has steps of 1 there, so storing them moves a logit by up to 0.5 and exp "
             "turns that into a factor 1.65 in its probability (forward off by 0.39 at 0.61). "
             "torch and jax keep the logits in float32 and err by 0.002–0.003 on the same "
             "inputs. One rounding of a stored tensor, as the model allows, but far from small "
             "for what follows it, so the model's first-order stored-tensor term does not "
             "cover it: an accuracy cost of tensorflow's bfloat16 attention, shown, not "
             "absorbed"),
    Expected("scaled_dot_product_attention", "tensorflow", ("grad:q", "grad:k"), variant="large,kernel=*",
             dtype="float16", why=
             "tensorflow (composed attention) in float16, 'large' variant: dL/dq is exactly 0 "
             "in feature 0 by construction (every key's feature 0 is 20 and each row of dS sums "
             "to 0) and comes out 0.0045 at Tk = 67 (2.1× the tolerance, full profile). The "
             "inputs are integers, so the probabilities take few distinct values and their "
             "float16 roundings repeat and add coherently instead of as the independent "
             "errors the stored-tensor term assumes. Measured on the same inputs: the same "
             "attention written with tf.matmul (float32 accumulation) errs by 0.0055, with "
             "tf.einsum by 0.0045, so it is the stored roundings, not the accumulation; torch "
             "(float32 inside its math kernel) passes. Who is wrong is open: the model's "
             "independence assumption, not a formula, fails here"),
    Expected("multi_head_attention", "tensorflow", ("grad:b_o",), dtype="bfloat16", why=
             "tensorflow in bfloat16: the output-projection bias gradient, Σ of the cotangent "
             "over N·Tq rows (exact inputs), accumulates in bfloat16 — 1.61× the tolerance at "
             "N·Tq = 195 (full profile; every other check of that example passes under "
             "masked_row=uniform), and the linear accumulation probe's bias gradient errs by "
             "83 u where a float32 accumulator is exact: tensorflow is wrong by the "
             "float32-accumulation model"),
    Expected("sum", "tensorflow", ("forward",), variant="near_overflow", dtype="float16", why=
             "tensorflow: tf.reduce_sum in float16 on CPU accumulates in float16: prefix sums "
             "past 65,504 overflow to inf where the exact total (and a float32 accumulator's) is "
             "small; the accumulation probe (8192 cancelling values, exact in float32) errs by "
             "64 u; in bfloat16 the same op accumulates in float32 (0 u), as torch and jax do "
             "in both: tensorflow is wrong by the float32-accumulation model. It depends on the "
             "length: on this domain (the first half's values, then their negatives) the row sum "
             "overflows at D = 4, 32, 256, 1024 and not at D = 8, 16, 64 (vector lanes pair a "
             "positive with a negative), so the quick profile's one float16 shape (D = 16) "
             "passes: this entry's xpass there is not a fix"),
)
