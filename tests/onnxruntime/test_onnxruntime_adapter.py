"""The ONNX Runtime adapter: the one-node model, seeding through onnxruntime.set_seed, forward only (the gradient
properties are skipped and say why), and the standard battery, which finds exactly what expected-findings.toml
names (with the reasons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from dropout_verify.properties import load_target  # noqa: E402
from expected_findings import run_against, surprises  # noqa: E402

EXPECTED = Path(__file__).with_name("expected-findings.toml")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_and_shape_kept_and_the_same_seed_reproduces(dtype):
    target = load_target("onnxruntime")
    x = np.ones((8, 4, 16), dtype=dtype)
    first = target.forward(x, 0.5, training=True, seed=9)
    assert first.dtype == x.dtype and first.shape == x.shape
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=9))
    assert not np.array_equal(first, target.forward(x, 0.5, training=True, seed=10))
    np.testing.assert_array_equal(target.forward(x, 0.5, training=False, seed=9), x)


def test_the_seed_attribute_repeats_its_sequence_in_every_new_session():
    """onnxruntime#1487, as documented: a model with a seed attribute draws a fresh mask on every run of one
    session, and each new session starts the same sequence again (reported, not a property failure: the seed
    is the model author's choice)."""
    from dropout_verify.properties.adapters.onnxruntime import session_with_seed

    x = {"x": np.ones(4096, np.float32), "ratio": np.array(0.5, np.float32), "training_mode": np.array(True)}
    first, second = session_with_seed(7), session_with_seed(7)
    a1, a2 = (first.run(["y"], x)[0] for _ in range(2))
    b1 = second.run(["y"], x)[0]
    assert not np.array_equal(a1, a2)
    np.testing.assert_array_equal(a1, b1)


def test_standard_battery_finds_exactly_the_expected_findings():
    run = run_against("onnxruntime", EXPECTED)
    assert not surprises(run), surprises(run)
    assert run.property("backward_mask").verdict == "skipped"
