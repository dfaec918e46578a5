"""The PyTorch adapter: conversions, seeding that restores the caller's generator, autograd, and the
standard battery on each PyTorch target, which finds exactly what expected-findings.toml names (with the
reasons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from dropout_verify.properties import load_target  # noqa: E402
from dropout_verify.properties.adapters.pytorch import to_numpy, to_torch  # noqa: E402
from expected_findings import run_against, surprises  # noqa: E402

EXPECTED = Path(__file__).with_name("expected-findings.toml")



@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "bfloat16"])
@pytest.mark.parametrize("shape", [(), (0,), (3, 4)])
def test_conversion_round_trips_values_dtype_and_shape(dtype, shape):
    if dtype == "bfloat16":
        dtype = pytest.importorskip("ml_dtypes").bfloat16
    x = (np.arange(int(np.prod(shape))).reshape(shape) / 7).astype(dtype)
    back = to_numpy(to_torch(x), x)
    assert back.dtype == x.dtype and back.shape == x.shape
    assert back.tobytes() == x.tobytes()


def test_seeding_restores_the_callers_generator_and_reproduces():
    target = load_target("torch")
    torch.manual_seed(123)
    before = torch.get_rng_state()
    x = np.ones(1000, dtype=np.float32)
    first = target.forward(x, 0.5, training=True, seed=9)
    assert torch.equal(torch.get_rng_state(), before)
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=9))


TARGETS = ["torch", "torch-module", "torch-dropout2d", "torch-dropout2d-unbatched", "torch-compile"]


@pytest.mark.parametrize("name", TARGETS)
def test_gradient_flows_through_the_forward_mask(name):
    target = load_target(name)
    x = np.linspace(1, 2, 256, dtype=np.float64).reshape(4, 4, 4, 4)
    y, dx = target.forward_backward(x, np.ones_like(x), 0.25, seed=4)
    np.testing.assert_array_equal(y != 0, dx != 0)


def test_dropout2d_shares_one_draw_per_sample_and_channel():
    y = load_target("torch-dropout2d").forward(np.ones((64, 8, 3, 5), np.float32), 0.5, training=True, seed=2)
    assert (y == y[:, :, :1, :1]).all() and 0 < np.count_nonzero(y[:, :, 0, 0]) < 64 * 8


@pytest.mark.parametrize("name", TARGETS)
def test_standard_battery_finds_exactly_the_expected_findings(name):
    run = run_against(name, EXPECTED)
    assert not surprises(run), surprises(run)
    structure = {"torch-dropout2d": "pass", "torch-dropout2d-unbatched": "xfail"}.get(name, "skipped")
    assert run.property("mask_structure").verdict == structure
