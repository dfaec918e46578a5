"""The PaddlePaddle adapters: conversions, seeding that restores the caller's generator, paddle.grad, both
conventions, and the standard battery on each target, which finds exactly what expected-findings.toml names (with
the reasons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

paddle = pytest.importorskip("paddle")

from dropout_verify.properties import load_target  # noqa: E402
from dropout_verify.properties.adapters.paddle import to_numpy, to_paddle  # noqa: E402
from expected_findings import run_against, surprises  # noqa: E402
from round_trip import DTYPES, SHAPES, assert_same_array, example  # noqa: E402

EXPECTED = Path(__file__).with_name("expected-findings.toml")
TARGETS = ["paddle", "paddle-downscale", "paddle-dropout2d"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_conversion_round_trips_values_dtype_and_shape(dtype, shape):
    x = example(dtype, shape)
    assert_same_array(to_numpy(to_paddle(x), x), x)


def test_seeding_restores_the_callers_generator_and_reproduces():
    target = load_target("paddle")
    paddle.seed(99)
    expected = paddle.rand([4]).numpy()
    paddle.seed(99)
    x = np.ones(1000, dtype=np.float32)
    first = target.forward(x, 0.5, training=True, seed=9)
    np.testing.assert_array_equal(paddle.rand([4]).numpy(), expected)
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=9))


@pytest.mark.parametrize("name", TARGETS)
def test_gradient_flows_through_the_forward_mask(name):
    x = np.linspace(1, 2, 256, dtype=np.float32).reshape(4, 4, 4, 4)
    y, dx = load_target(name).forward_backward(x, np.ones_like(x), 0.25, seed=4)
    np.testing.assert_array_equal(y != 0, dx != 0)


def test_downscale_keeps_values_in_training_and_scales_at_inference():
    target = load_target("paddle-downscale")
    x = np.full((4, 8), 2.0, np.float32)
    assert set(np.unique(target.forward(x, 0.25, training=True, seed=1))) <= {0.0, 2.0}
    np.testing.assert_array_equal(target.forward(x, 0.25, training=False, seed=1), np.full_like(x, 1.5))


@pytest.mark.parametrize("name", TARGETS)
def test_standard_battery_finds_exactly_the_expected_findings(name):
    run = run_against(name, EXPECTED)
    assert not surprises(run), surprises(run)
    assert run.property("mask_structure").verdict == ("pass" if name == "paddle-dropout2d" else "skipped")


def test_alpha_dropout_follows_the_alpha_law():
    run = run_against("paddle-alpha", EXPECTED, ["mask_rate", "kept_values", "backward_mask", "invalid_rate"])
    assert not surprises(run), surprises(run)
    assert run.law == "alpha" and run.property("mask_rate").verdict == "pass"
