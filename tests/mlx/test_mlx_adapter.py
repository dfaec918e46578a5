"""The MLX adapters: conversions (float64 kept float64, bfloat16 through float32), seeding, autograd through
mx.vjp, compiled calls with and without the random state, and the standard battery on each target, which finds
exactly what expected-findings.toml names (with the reasons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

mx = pytest.importorskip("mlx.core")

from dropout_verify.properties import load_target  # noqa: E402
from dropout_verify.properties.adapters.mlx import to_mlx, to_numpy  # noqa: E402
from expected_findings import run_against, surprises  # noqa: E402
from round_trip import DTYPES, SHAPES, assert_same_array, example  # noqa: E402

EXPECTED = Path(__file__).with_name("expected-findings.toml")
TARGETS = ["mlx", "mlx-compile", "mlx-compile-nostate", "mlx-dropout2d", "mlx-dropout3d"]
STRUCTURED = {"mlx-dropout2d", "mlx-dropout3d"}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_conversion_round_trips_values_dtype_and_shape(dtype, shape):
    x = example(dtype, shape)
    assert_same_array(to_numpy(to_mlx(x), x), x)


@pytest.mark.parametrize("name", [name for name in TARGETS if name != "mlx-compile-nostate"])
def test_the_same_seed_gives_the_same_mask_and_another_seed_another(name):
    target = load_target(name)
    x = np.ones((8, 4, 4, 16), dtype=np.float32) if name != "mlx-dropout3d" else np.ones((8, 2, 2, 2, 16), np.float32)
    first = target.forward(x, 0.5, training=True, seed=9)
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=9))
    assert not np.array_equal(first, target.forward(x, 0.5, training=True, seed=10))


def test_compiled_without_the_random_state_repeats_the_traced_mask():
    """ml-explore/mlx#1321, as the target meets it: the key is a constant of the compiled graph."""
    target = load_target("mlx-compile-nostate")
    x = np.ones(256, dtype=np.float32)
    np.testing.assert_array_equal(target.forward(x, 0.5, training=True, seed=1),
                                  target.forward(x, 0.5, training=True, seed=2))


@pytest.mark.parametrize("name", ["mlx", "mlx-compile", "mlx-dropout2d"])
def test_gradient_flows_through_the_forward_mask(name):
    x = np.linspace(1, 2, 256, dtype=np.float32).reshape(4, 4, 4, 4)
    y, dx = load_target(name).forward_backward(x, np.ones_like(x), 0.25, seed=4)
    np.testing.assert_array_equal(y != 0, dx != 0)


@pytest.mark.parametrize("name", TARGETS)
def test_standard_battery_finds_exactly_the_expected_findings(name):
    run = run_against(name, EXPECTED)
    assert not surprises(run), surprises(run)
    assert run.property("mask_structure").verdict == ("pass" if name in STRUCTURED else "skipped")
