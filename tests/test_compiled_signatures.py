"""TensorFlow's compiled mode pins one static input signature per shape (no framework is
needed to check the signatures (the bounded cache: test_program_cache.py); the compiled results themselves are
judged by the conformance run)."""

import numpy as np
import pytest

from adapters.tensorflow.compiled_cache import compiled_signature


def test_signature_is_static_and_distinguishes_shapes_and_dtypes():
    a = compiled_signature([np.zeros((2, 3)), np.zeros((3,))], np.zeros((2, 3)), "float32")
    b = compiled_signature([np.zeros((2, 4)), np.zeros((3,))], np.zeros((2, 4)), "float32")
    c = compiled_signature([np.zeros((2, 3)), np.zeros((3,))], np.zeros((2, 3)), "float64")
    assert a == (((2, 3), (3,)), ((2, 3),), "float32")
    assert len({a, b, c}) == 3 and hash(a) is not None
    multi = compiled_signature([np.zeros((4, 2, 1))], (np.zeros((4, 2, 3)), np.zeros((2, 3))), "float32")
    assert multi[1] == ((4, 2, 3), (2, 3))
    assert all(isinstance(d, int) for s in a[0] for d in s)  # never None: nothing to relax


@pytest.mark.frameworks
def test_compiled_specs_are_fully_defined():
    tf = pytest.importorskip("tensorflow")
    from adapters.tensorflow.compiled_cache import tensor_specs

    specs = tensor_specs(tf, compiled_signature([np.zeros((2, 3))], np.zeros((2, 5)), "float32"))
    assert specs[0][0].shape.is_fully_defined() and specs[1][0].shape.as_list() == [2, 5]
    assert specs[2].shape.as_list() == [2] and specs[2].dtype == tf.int64


def test_torch_compiled_mode_allows_the_graphs_free_shapes_need():
    """Dynamo specialises dims of size 0/1, so the full profile's shapes need up to 2⁴
    graphs of one function: the compiled mode must raise the per-function limit (default
    8, which ended conv2d's full-profile cases in FailOnRecompileLimitHit) and keep failing
    loudly rather than falling back to eager."""
    pytest.importorskip("torch")
    from adapters.torch import TorchAdapter
    from adapters.torch.adapter import RECOMPILE_LIMIT

    adapter = TorchAdapter()
    adapter._forward("relu", {}, ("x",), ("x",), "float32", "cpu", "compiled")
    cfg = adapter.framework._dynamo.config
    assert cfg.recompile_limit >= RECOMPILE_LIMIT >= 2**4
    assert cfg.fail_on_recompile_limit_hit is True


def test_torch_compiled_double_backward_is_answered_by_torch_not_by_donated_buffers():
    """AOTAutograd's donated buffers refuse create_graph=True with a message about the
    optimisation (recorded as an adapter error before); without them torch answers for
    itself: a skip with its own reason (torch 2.13: not supported for a function whose
    gradient depends on x), or a value — then tanh's closed form u·v·(−2 t (1 − t²))."""
    pytest.importorskip("torch")
    from adapters.torch import TorchAdapter

    x = np.array([[0.3, -1.2, 0.7]], np.float32)
    u = np.array([[1.0, -0.5, 2.0]], np.float32)
    v = np.array([[0.25, 1.0, -1.0]], np.float32)
    (result,) = TorchAdapter().derivatives("tanh", [x], ["x"], ["x"], {"x": v}, u, {},
                                           routes={"hvp": ("double_backward",)},
                                           dtype="float32", mode="compiled")
    assert result.error is None, result.error  # never the optimisation's refusal, as an error
    if result.unsupported is not None:  # torch 2.13: "... does not currently support double backward"
        assert "double backward" in result.unsupported and "donated" not in result.unsupported
        return
    t = np.tanh(x.astype(np.float64))
    np.testing.assert_allclose(result.values["x"], u * v * (-2 * t * (1 - t**2)), rtol=1e-5)
