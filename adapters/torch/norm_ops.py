"""torch ops for the normalisation modules (000/001 section 'BN'; LN/IN/GN: 001 'Normalization').

``F.batch_norm`` in training mode (batch statistics; no running buffers for the gradient
module), ``F.batch_norm`` on cloned buffers for the running statistics (updated in place
with torch's momentum = the weight of the new batch statistic, Bessel-corrected variance),
``F.layer_norm`` over the last axis, ``F.instance_norm`` (use_input_stats) and
``F.group_norm``. ``eps`` is always passed explicitly.
"""

from __future__ import annotations

from typing import Any

COMPOSED = frozenset()


def build(torch) -> dict[str, Any]:
    F = torch.nn.functional

    def batch_norm(x, gamma, beta, *, eps):
        return F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)

    def batch_norm_running_stats(x, running_mean, running_var, *, momentum):
        mean, var = running_mean.clone(), running_var.clone()
        F.batch_norm(x, mean, var, training=True, momentum=momentum, eps=1e-5)
        return mean, var

    return {
        "batch_norm": batch_norm,
        "batch_norm_running_stats": batch_norm_running_stats,
        "layer_norm": lambda x, gamma, beta, *, eps: F.layer_norm(x, gamma.shape, gamma, beta, eps),
        "instance_norm": lambda x, gamma, beta, *, eps: F.instance_norm(
            x, weight=gamma, bias=beta, use_input_stats=True, eps=eps),
        "group_norm": lambda x, gamma, beta, *, groups, eps: F.group_norm(x, groups, gamma, beta, eps),
    }
