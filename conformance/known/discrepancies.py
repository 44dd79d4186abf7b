"""Known real discrepancies (shared/CONVENTIONS.md, last section): one case each that
reproduces that class of behaviour on the installed version.

Each entry names the upstream issue; the framework-specific code that reproduces it lives
in ``adapters/<framework>/known_cases.py`` under the same id and returns ``(reproduces,
detail)``. A case that reproduces is an expected failure (it does not fail the run: the
discrepancy is upstream's), one that does not is reported as fixed on this version, and
one that needs hardware or a framework this run lacks is a skip that says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Callable


@dataclass(frozen=True)
class Known:
    id: str
    framework: str
    title: str
    url: str
    modules: tuple[str, ...]
    needs_gpu: bool = False


GH = "https://github.com"
KNOWN: tuple[Known, ...] = (
    Known("tensorflow#4886", "tensorflow", "max_pool routes a tied maximum's gradient to one "
          "element while reduce_max splits it", f"{GH}/tensorflow/tensorflow/issues/4886",
          ("max", "max_pool2d")),
    Known("jax#37821", "jax", "grad of jnp.maximum(x, 0) at x = 0 is 0.5 while jax.nn.relu'(0) = 0",
          f"{GH}/jax-ml/jax/issues/37821", ("relu",)),
    Known("jax-pr#14682", "jax", "relu6 gradient 0.5 at its kinks (0 and 6), changed in 2023",
          f"{GH}/jax-ml/jax/pull/14682", ("relu",)),
    Known("tensorflow#11092", "tensorflow", "conv2d SAME with stride > kernel: backward "
          "inconsistent with the forward", f"{GH}/tensorflow/tensorflow/issues/11092", ("conv2d",)),
    Known("tf2xla-maxpoolgradgrad-bf16", "tensorflow", "tf.function(jit_compile=True): forward "
          "mode of max pooling (MaxPoolGradGrad) picks each window's maximum by its value "
          "rounded to bfloat16, so a near-maximum within 2⁻⁸ relative may take the tangent "
          "(tf2xla's 16-bit packing, TODO b/73062247 in the source)",
          f"{GH}/tensorflow/tensorflow/blob/master/tensorflow/compiler/tf2xla/kernels/pooling_ops.cc",
          ("max_pool1d", "max_pool2d", "max_pool3d")),
    Known("keras-layer-norm-folded", "tensorflow", "keras.ops.layer_normalization (TF backend) "
          "evaluates y = x·(γr) + (β − μ·γr), r = 1/√(σ²+ε): where σ² ≪ ε (one normalised "
          "feature) the two terms of size |x|γ/√ε cancel and y = β comes out off by a rounding "
          "of them (float32 6e-5, float64 4e-14 at x = 2.75, γ = 1.25)",
          "https://github.com/keras-team/keras/blob/master/keras/src/ops/nn.py", ("layer_norm",)),
    Known("tf-selu-grad-branch-from-output", "tensorflow", "tf.nn.selu's gradient (SeluGrad) "
          "picks its branch from the rounded output (y < 0); in bfloat16 the forward's e^x − 1 "
          "is 0 for −2⁻⁹ < x < 0, so there the slope is λ (x > 0) instead of λα·e^x",
          "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/kernels/relu_op_functor.h",
          ("selu",)),
    Known("tf-depthwise-strided-dilated", "tensorflow", "tf.nn.depthwise_conv2d with strides "
          "and dilations both above 1, which its documentation rules out ('all values of "
          "strides must be 1'), only warns and computes a different convolution (9x9, k=3, "
          "s=2, d=2: O(1) off; 10x10: a 4x4 output for 3x3; small inputs: SpaceToBatchND "
          "errors)", "https://www.tensorflow.org/api_docs/python/tf/nn/depthwise_conv2d",
          ("conv2d",)),
    Known("tensorflow#55545", "tensorflow", "batch-norm moving variance Bessel-corrected only on "
          "the fused path", f"{GH}/tensorflow/tensorflow/issues/55545", ("batch_norm",)),
    Known("tensorflow#40805", "tensorflow", "Keras LSTM: cuDNN and CPU kernels diverge",
          f"{GH}/tensorflow/tensorflow/issues/40805", ("lstm",), needs_gpu=True),
    Known("pytorch#188344", "torch", "CUDA avg_pool2d, channels_last with padding: wrong input "
          "gradients", f"{GH}/pytorch/pytorch/issues/188344", ("avg_pool2d",), needs_gpu=True),
    Known("pytorch#198119", "torch", "torch.compile avg_pool2d with ceil_mode: backward divisor "
          "differs from eager", f"{GH}/pytorch/pytorch/issues/198119", ("avg_pool2d",)),
    Known("pytorch#187284", "torch", "torch.compile (inductor) silently drops forward-mode AD "
          "tangents: a compiled function called on forward_ad dual tensors returns outputs "
          "whose unpack_dual(...).tangent is None (closed upstream, fix PRs #187311 / #189644; "
          "reproduces on the installed version)", f"{GH}/pytorch/pytorch/issues/187284",
          ("relu", "softmax", "batch_norm", "max_pool2d")),
    Known("pytorch#196700", "torch", "layer_norm's forward-mode rule is not differentiable "
          "correctly: a second derivative through forward mode (reverse over forward, forward "
          "over forward) is wrong, forward over reverse and double backward are right (open)",
          f"{GH}/pytorch/pytorch/issues/196700", ("layer_norm",)),
    Known("pytorch#196699", "torch", "batch_norm (training statistics) likewise: a second "
          "derivative through its forward-mode rule is wrong; instance_norm calls batch_norm "
          "and inherits it (open)", f"{GH}/pytorch/pytorch/issues/196699",
          ("batch_norm", "instance_norm")),
    Known("torch-func-hessian-norm-weight", "torch", "torch.func.hessian (jacfwd over jacrev) "
          "of layer_norm / batch_norm with a weight: the (weight, input) block is wrong while "
          "torch.autograd.functional.hessian and vmap(jvp(grad)) are right (upstream not found)",
          "https://pytorch.org/docs/stable/generated/torch.func.hessian.html",
          ("layer_norm", "batch_norm", "instance_norm")),
    Known("torch-safe-softmax-reverse-over-forward", "torch", "torch._safe_softmax (the math "
          "SDPA kernel's softmax, 0 on a fully masked row): reverse over forward is NaN on that "
          "row where forward over reverse and double backward give 0 (upstream not found)",
          "https://pytorch.org/docs/stable/generated/torch.nn.functional.scaled_dot_product_attention.html",
          ("scaled_dot_product_attention",)),
    Known("torch-prelu-kink-sides", "torch", "F.prelu at x = 0: the backward takes the x ≤ 0 "
          "side (slope α) while forward mode and every second-order formula take the x ≥ 0 "
          "side, so the double backward there is not the derivative of the backward along α "
          "(0, where differences of the backward give 1): routes follow different rules at "
          "the kink, a convention (upstream not found)",
          "https://pytorch.org/docs/stable/generated/torch.nn.functional.prelu.html",
          ("prelu",)),
    Known("jax#14022", "jax", "matmul precision argument ignored on GPU: TF32 used",
          f"{GH}/jax-ml/jax/issues/14022", ("linear",), needs_gpu=True),
    Known("pytorch#31829", "torch", "softmax / logsumexp gradients are NaN when inputs contain "
          "-inf (also #49724)", f"{GH}/pytorch/pytorch/issues/31829", ("softmax",)),
    # Attention (code in adapters/<framework>/attention_known.py).
    Known("pytorch#41508", "torch", "nn.MultiheadAttention: a fully padded batch element gives NaN "
          "that reaches the shared in-projection's gradient (need_weights=True path)",
          f"{GH}/pytorch/pytorch/issues/41508", ("multi_head_attention",)),
    Known("pytorch#101967", "torch", "SDPA: NaN in a masked-out value position leaks into the output",
          f"{GH}/pytorch/pytorch/issues/101967", ("scaled_dot_product_attention",)),
    Known("pytorch#119320", "torch", "SDPA memory-efficient kernel (CUDA only): NaN gradients in "
          "blocks of 64 at large batch", f"{GH}/pytorch/pytorch/issues/119320",
          ("scaled_dot_product_attention",), needs_gpu=True),
    Known("pytorch#109517", "torch", "SDPA memory-efficient kernel (CUDA only): NaN for certain "
          "mask patterns", f"{GH}/pytorch/pytorch/issues/109517",
          ("scaled_dot_product_attention",), needs_gpu=True),
    Known("pytorch#178251", "torch", "SDPA memory-efficient kernel (CUDA only): NaN in the backward "
          "with a mask", f"{GH}/pytorch/pytorch/issues/178251",
          ("scaled_dot_product_attention",), needs_gpu=True),
    Known("jax#27184", "jax", "jax.nn.dot_product_attention implementation='cudnn' (NVIDIA GPU "
          "only): no gradient for bias", f"{GH}/jax-ml/jax/issues/27184",
          ("scaled_dot_product_attention",), needs_gpu=True),
)


# -- Framework crashes this suite found ------------------------------------------------------
# Each with the few lines of plain framework code that reproduce it outside the suite. When
# a case crashes its worker and an entry matches (case-id pattern and the example's dims),
# the controller runs the entry's snippet in a fresh process and the crash record says
# whether it reproduced the same failure (``signature`` in both outputs), on the installed
# version, in that run. Nothing here is claimed without that run.

@dataclass(frozen=True)
class KnownCrash:
    id: str
    framework: str
    case: str                                 # fnmatch pattern on the case id ('[' literal)
    applies: Callable[[dict], bool]           # on the example's dims
    signature: str                            # text the crash prints (in the snippet and the case)
    summary: str
    code: str                                 # plain framework code, run with `python -c`


_XLA_WINDOW = "Window dimensions do not match RHS shape"

KNOWN_CRASHES: tuple[KnownCrash, ...] = (
    KnownCrash(
        "xla-cpu-conv-input-grad-window", "jax",
        "conv2d[k=2x3,s=(2,1),p=(1,0)*-jax-*-cpu*", lambda dims: True, _XLA_WINDOW,
        "XLA CPU's algebraic simplifier aborts the process (a failed CHECK, SIGABRT) on the "
        "input gradient of a 2-D convolution with a (2, 3) kernel, strides (2, 1) and "
        "padding ((1, 1), (0, 0)) on a 4x4 input, eager jax.vjp as well as jax.jit",
        """
import jax, jax.numpy as jnp
from jax import lax
x, w = jnp.ones((1, 1, 4, 4)), jnp.ones((1, 1, 2, 3))
conv = lambda x: lax.conv_general_dilated(x, w, (2, 1), ((1, 1), (0, 0)))
print(jax.grad(lambda x: conv(x).sum())(x).shape)
"""),
    KnownCrash(
        "xla-cpu-conv-input-grad-window-tf", "tensorflow",
        "conv2d[k=2x3,s=(2,1),p=(1,0)*-tensorflow-*-cpu-compiled*", lambda dims: True, _XLA_WINDOW,
        "the same XLA CPU check failure (SIGABRT) from TensorFlow: the input gradient of "
        "tf.nn.conv2d with a (2, 3) kernel, strides (2, 1) and explicit padding ((1, 1), (0, 0)) "
        "on a 4x4 input inside tf.function(jit_compile=True); eager TensorFlow and tf.function "
        "without XLA compute it",
        """
import tensorflow as tf
x, w = tf.ones((1, 4, 4, 1)), tf.ones((2, 3, 1, 1))
@tf.function(jit_compile=True)
def grad_x(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.conv2d(x, w, (1, 2, 1, 1), [[0, 0], [1, 1], [0, 0], [0, 0]])
    return tape.gradient(y, x)
print(grad_x(x).shape)
"""),
    KnownCrash(
        "xla-cpu-ynn-attention-bf16-head-dim-1", "jax",
        "scaled_dot_product_attention[*-jax-bfloat16-cpu-compiled*",
        lambda dims: dims.get("D") == 1 and dims.get("Tq", 0) >= 64 and dims.get("Tk", 0) >= 64,
        "Check failed: instr->opcode() == HloOpcode::kBitcast",
        "XLA CPU's YNNPACK emitter (ynn_emitter.cc) aborts the process (a failed CHECK, "
        "'reshape vs. bitcast', SIGABRT) compiling jax.nn.dot_product_attention in bfloat16 "
        "under jax.jit with head dimension 1 and at least 64 queries and 64 keys; measured: "
        "64×64 and 65×66 abort, 33×33, 40×40, 48×48, 64×33, 33×64 and 64×16 run, as do the "
        "same call eagerly, in float32, and with head dimension 2",
        """
import jax, jax.numpy as jnp
q = jnp.ones((1, 64, 1, 1), jnp.bfloat16)
attend = jax.jit(lambda q, k, v: jax.nn.dot_product_attention(q, k, v, implementation="xla"))
print(attend(q, q, q).shape)
"""),
)


def find_crash(case_id: str, dims: dict) -> KnownCrash | None:
    for k in KNOWN_CRASHES:
        if fnmatch(case_id, k.case.replace("[", "[[]")) and k.applies(dims or {}):
            return k
    return None


# -- Framework errors this suite found --------------------------------------------------------
# A route (or a compiled program) that raises inside the framework on a valid program, where
# the same exception comes from a few lines of plain framework code. When an ``error`` record
# matches an entry (case-id pattern, check pattern, and ``signature`` in its reason), the
# controller runs the snippet in a fresh process (once per entry and run) and, only when the
# snippet fails with the same text, gives the record the verdict ``framework-error`` and says
# so; otherwise the record stays ``unexplained`` with what the snippet did.

@dataclass(frozen=True)
class KnownError:
    id: str
    framework: str
    case: str                                 # fnmatch pattern on the case id ('[' literal)
    checks: tuple[str, ...]                   # fnmatch patterns on the check name
    signature: str                            # text of the exception (in the snippet and the record)
    summary: str
    code: str                                 # plain framework code, run with `python -c`


KNOWN_ERRORS: tuple[KnownError, ...] = (
    KnownError(
        "tf-forward-accumulator-tensorarray-graph", "tensorflow",
        "*-tensorflow-*-compiled*", ("jvp:*@forward_accumulator", "hvp:*@fwd_over_rev"),
        "<dtype: 'variant'> is not compatible with",
        "tf.autodiff.ForwardAccumulator cannot trace a tf.while_loop that carries a "
        "tf.TensorArray inside tf.function (TypeError while tracing); eager forward mode "
        "computes it, and the same loop without the TensorArray traces. Keras' recurrent "
        "layers (keras.src.backend.tensorflow.rnn) collect their outputs in a TensorArray, so "
        "forward mode through LSTM/GRU/SimpleRNN cannot be compiled",
        """
import tensorflow as tf
def jvp(x, v):
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        ta = tf.TensorArray(tf.float32, size=3)
        body = lambda i, h, ta: (i + 1, tf.tanh(h * x), ta.write(i, tf.tanh(h * x)))
        _, _, ta = tf.while_loop(lambda i, *_: i < 3, body, (tf.constant(0), x, ta))
        y = ta.stack()
    return acc.jvp(y)
x = tf.constant([0.5, 0.3])
print("eager", jvp(x, tf.ones_like(x)).numpy().ravel())
print("tf.function", tf.function(jvp)(x, tf.ones_like(x)).numpy().ravel())
"""),
    KnownError(
        "tf-pfor-conv2d-filter-explicit-paddings", "tensorflow", "conv*-tensorflow-*",
        ("jacobian:*@tape_jacobian", "jacobian:*@tape_batch_jacobian", "hessian:*@tape_jacobian_of_gradient"),
        "explicit_paddings attribute must contain 8 values, but got: 0",
        "GradientTape.jacobian and batch_jacobian (vectorized by pfor; also the Hessian as the "
        "tape's Jacobian of its gradient) of tf.nn.conv2d (and conv1d, built on it) with "
        "explicit paddings with respect to the filter: pfor's converter for "
        "Conv2DBackpropFilter drops the explicit_paddings attribute and the op refuses to run "
        "(eager and tf.function alike); tape.gradient computes it, and 'SAME'/'VALID' padding "
        "vectorizes (upstream not found)",
        """
import tensorflow as tf
x = tf.reshape(tf.range(8.0, dtype=tf.float64), (1, 2, 4, 1)) / 10.0
w = tf.reshape(tf.range(6.0, dtype=tf.float64), (2, 3, 1, 1)) / 5.0
with tf.GradientTape(persistent=True) as tape:
    tape.watch(w)
    y = tf.nn.conv2d(x, w, strides=[1, 2, 1, 1], padding=[[0, 0], [1, 1], [0, 0], [0, 0]])
print("gradient", tape.gradient(y, w).shape)
print("jacobian", tape.jacobian(y, w).shape)
"""),
    KnownError(
        "pytorch#162350", "torch", "*-torch-*", ("hvp:*@backward_of_forward_ad",),
        "which is output 0 of Exp",  # "of Exp, is at version 1"; torch 2.4: "of ExpBackward0, ..."
        "torch's forward-mode formula of softmax / log_softmax / logsumexp (logsumexp_jvp) "
        "multiplies the output of exp() in place, so the autograd engine cannot differentiate "
        "the tangent: backward over forward_ad dual tensors raises 'modified by an inplace "
        "operation'. torch.func.vjp of torch.func.jvp (the same composition in functorch) and "
        "the other routes compute it; open upstream (fix PR #188270 open)",
        """
import torch
import torch.autograd.forward_ad as fwad
x = torch.tensor([[0.3, -1.2, 2.0]], dtype=torch.float64, requires_grad=True)
with fwad.dual_level():
    t = fwad.unpack_dual(torch.softmax(fwad.make_dual(x, torch.ones_like(x)), -1)).tangent
    print(torch.autograd.grad((t * t).sum(), x))
"""),
)


def find_error(case_id: str, check: str, reason: str) -> KnownError | None:
    for k in KNOWN_ERRORS:
        if (fnmatch(case_id, k.case.replace("[", "[[]")) and any(fnmatch(check, c) for c in k.checks)
                and k.signature in (reason or "")):
            return k
    return None
