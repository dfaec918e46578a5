"""The PyTorch adapters (and Keras on PyTorch): conversions, seeding that restores the caller's generator,
autograd, and the standard battery on each target, which finds exactly what expected-findings.toml names (with the
reasons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from dropout_verify.properties import load_target  # noqa: E402
from dropout_verify.properties.adapters.pytorch import to_numpy, to_torch  # noqa: E402
from expected_findings import run_against, surprises  # noqa: E402
from round_trip import DTYPES, SHAPES, assert_same_array, example  # noqa: E402

EXPECTED = Path(__file__).with_name("expected-findings.toml")



@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_conversion_round_trips_values_dtype_and_shape(dtype, shape):
    x = example(dtype, shape)
    assert_same_array(to_numpy(to_torch(x), x), x)


def test_seeding_restores_the_callers_generator_and_reproduces():
    target = load_target("torch")
    torch.manual_seed(123)
    before = torch.get_rng_state()
    x = np.ones(1000, dtype=np.float32)
    first = target.forward(x, 0.5, training=True, seed=9)
    assert torch.equal(torch.get_rng_state(), before)
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=9))


TARGETS = ["torch", "torch-module", "torch-dropout1d", "torch-dropout2d", "torch-dropout3d",
           "torch-dropout2d-unbatched", "torch-compile", "torch-compile-recompute",
           "keras-torch", "keras-torch-spatial2d"]
STRUCTURE = {"torch-dropout1d": "pass", "torch-dropout2d": "pass", "torch-dropout3d": "pass",
             "torch-dropout2d-unbatched": "xfail", "keras-torch-spatial2d": "pass"}


def _load(name):
    if name.startswith("keras"):
        pytest.importorskip("keras")
    return load_target(name)


@pytest.mark.parametrize("name", [name for name in TARGETS if name != "torch-compile-recompute"])
def test_gradient_flows_through_the_forward_mask(name):
    target = _load(name)
    shape = {3: (4, 8, 8), 4: (4, 4, 4, 4), 5: (2, 2, 4, 4, 4)}[getattr(target, "ndim", 4)]
    x = np.linspace(1, 2, 256, dtype=np.float64).reshape(shape)
    y, dx = target.forward_backward(x, np.ones_like(x), 0.25, seed=4)
    np.testing.assert_array_equal(y != 0, dx != 0)


def test_dropout2d_shares_one_draw_per_sample_and_channel():
    y = load_target("torch-dropout2d").forward(np.ones((64, 8, 3, 5), np.float32), 0.5, training=True, seed=2)
    assert (y == y[:, :, :1, :1]).all() and 0 < np.count_nonzero(y[:, :, 0, 0]) < 64 * 8


def test_recomputed_dropout_draws_another_mask_in_backward():
    """pytorch#190758, as the target meets it: with no activation memory budget the backward pass recomputes the
    mask from fresh randomness, so the gradient's zeros are not the output's."""
    x = np.ones(4096, dtype=np.float32)
    y, dx = load_target("torch-compile-recompute").forward_backward(x, np.ones_like(x), 0.5, seed=4)
    assert not np.array_equal(y != 0, dx != 0)


def test_keras_torch_seeds_its_own_generator():
    target = _load("keras-torch")
    x = np.ones((8, 64), dtype=np.float32)
    first = target.forward(x, 0.5, training=True, seed=9)
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=9))
    assert not np.array_equal(first, target.forward(x, 0.5, training=True, seed=10))


@pytest.mark.parametrize("name", TARGETS)
def test_standard_battery_finds_exactly_the_expected_findings(name):
    _load(name)
    run = run_against(name, EXPECTED)
    assert not surprises(run), surprises(run)
    assert run.property("mask_structure").verdict == STRUCTURE.get(name, "skipped")
