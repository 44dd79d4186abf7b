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
    Known("tensorflow#55545", "tensorflow", "batch-norm moving variance Bessel-corrected only on "
          "the fused path", f"{GH}/tensorflow/tensorflow/issues/55545", ("batch_norm",)),
    Known("tensorflow#40805", "tensorflow", "Keras LSTM: cuDNN and CPU kernels diverge",
          f"{GH}/tensorflow/tensorflow/issues/40805", ("lstm",), needs_gpu=True),
    Known("pytorch#188344", "torch", "CUDA avg_pool2d, channels_last with padding: wrong input "
          "gradients", f"{GH}/pytorch/pytorch/issues/188344", ("avg_pool2d",), needs_gpu=True),
    Known("pytorch#198119", "torch", "torch.compile avg_pool2d with ceil_mode: backward divisor "
          "differs from eager", f"{GH}/pytorch/pytorch/issues/198119", ("avg_pool2d",)),
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
