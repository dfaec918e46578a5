"""The JAX/Flax adapters: keys, autograd through jax.vjp, float64 kept as float64, and the standard
battery on each Flax target, which finds exactly what expected-findings.toml names (with the reasons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("flax")

from dropout_verify.properties import load_target  # noqa: E402
from expected_findings import run_against, surprises  # noqa: E402

EXPECTED = Path(__file__).with_name("expected-findings.toml")



def test_float64_stays_float64_and_keys_reproduce():
    target = load_target("jax")
    x = np.linspace(1, 2, 512)
    y = target.forward(x, 0.3, training=True, seed=11)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, target.forward(x, 0.3, training=True, seed=11))
    assert not np.array_equal(y != 0, target.forward(x, 0.3, training=True, seed=12) != 0)


TARGETS = ["jax", "flax-linen", "jax-jit", "jax-broadcast"]


@pytest.mark.parametrize("name", TARGETS)
def test_gradient_flows_through_the_forward_mask(name):
    x = np.linspace(1, 2, 256, dtype=np.float32).reshape(4, 4, 4, 4)
    y, dx = load_target(name).forward_backward(x, np.ones_like(x), 0.25, seed=4)
    np.testing.assert_array_equal(y != 0, dx != 0)


def test_broadcast_dims_share_one_draw_per_sample_and_channel():
    y = load_target("jax-broadcast").forward(np.ones((64, 8, 3, 5), np.float32), 0.5, training=True, seed=2)
    assert (y == y[:, :, :1, :1]).all() and 0 < np.count_nonzero(y[:, :, 0, 0]) < 64 * 8


@pytest.mark.parametrize("name", TARGETS)
def test_standard_battery_finds_exactly_the_expected_findings(name):
    run = run_against(name, EXPECTED)
    assert not surprises(run), surprises(run)
    assert run.property("mask_structure").verdict == ("pass" if name == "jax-broadcast" else "skipped")
