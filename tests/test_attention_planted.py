"""Planted attention faults (tests/planted_attention.py) fail exactly the checks they touch,
and the mask domains of the attention specs hold what their variants promise."""

import numpy as np
import pytest

from conformance.specs.attention import KeyPadding, RowMask
from tests.cli_helpers import conformance, results

COMMON = ["--devices", "cpu", "--max-examples", "3", "--dtypes", "float64",
          "--modules", "scaled_dot_product_attention"]


def _failed(doc):
    return {(f'{r["module"]}[{r["attrs"]["variant"]}]', r["check"]) for r in doc["cases"]
            if r["status"] == "fail"}


def test_nan_from_a_fully_masked_row_fails_only_there(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_attention:PlainSoftmaxRows",
                       "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doc = results(tmp_path)
    module = "scaled_dot_product_attention[fully-masked-row,kernel=math]"
    assert _failed(doc) == {(module, c) for c in ("forward", "grad:q", "grad:k", "grad:v")}
    passed = {r["case_id"] for r in doc["cases"] if r["status"] == "pass"}
    assert any("[padding,kernel=math]" in c for c in passed)  # partially masked rows are fine


def test_unscaled_key_gradient_under_causal_masks_fails_only_grad_k(tmp_path):
    proc = conformance("run", "--adapter", "tests.planted_attention:UnscaledCausalKeys",
                       "--out", str(tmp_path), *COMMON)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert _failed(results(tmp_path)) == {
        ("scaled_dot_product_attention[causal,kernel=math]", "grad:k"),
        ("scaled_dot_product_attention[tiles,kernel=math]", "grad:k")}


@pytest.mark.parametrize("seed", range(20))
def test_mask_domains(seed):
    rng = np.random.default_rng(seed)
    n, tq, tk = (int(v) for v in rng.integers(1, 6, 3))
    tk = max(tk, 2)
    live = RowMask().sample((n, 1, tq, tk), rng).sum(axis=-1)
    assert live.min() >= 2
    rows = RowMask(full_rows=1).sample((n, 1, max(tq, 2), tk), rng).reshape(-1, tk).sum(axis=-1)
    assert (rows == 0).sum() == 1 and (rows[rows > 0] >= 2).all()
    pad = KeyPadding(empty=1).sample((max(n, 2), tk), rng)
    assert pad[0].sum() == 0 and (pad[1:].sum(axis=-1) >= 2).all()
    assert all(np.all(np.diff(row) <= 0) for row in pad)  # a prefix of valid keys
