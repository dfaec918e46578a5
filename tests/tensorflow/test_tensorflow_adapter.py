"""The TensorFlow/Keras adapters: conversions, seeding, GradientTape, and the standard battery on each
target, which finds exactly what expected-findings.toml names (with the reasons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
pytest.importorskip("keras")

from dropout_verify.properties import load_target, verify  # noqa: E402
from dropout_verify.properties.adapters.tensorflow import to_numpy, to_tensor  # noqa: E402
from expected_findings import run_against, surprises  # noqa: E402
from round_trip import DTYPES, SHAPES, assert_same_array, example  # noqa: E402

EXPECTED = Path(__file__).with_name("expected-findings.toml")

TARGETS = ["tensorflow", "tf-stateless", "keras", "keras-spatial2d"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_conversion_round_trips_values_dtype_and_shape(dtype, shape):
    x = example(dtype, shape)
    assert_same_array(to_numpy(to_tensor(x)), x)


@pytest.mark.parametrize("name", TARGETS)
def test_the_same_seed_gives_the_same_mask_and_another_seed_another(name):
    target = load_target(name)
    x = np.ones((8, 4, 4, 16), dtype=np.float32)
    first = target.forward(x, 0.5, training=True, seed=9)
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=9))
    assert not np.array_equal(first, target.forward(x, 0.5, training=True, seed=10))


@pytest.mark.parametrize("name", TARGETS)
def test_gradient_flows_through_the_forward_mask(name):
    target = load_target(name)
    x = np.linspace(1, 2, 4 * 64, dtype=np.float64).reshape(4, 2, 2, 16)
    y, dx = target.forward_backward(x, np.ones_like(x), 0.25, seed=4)
    np.testing.assert_array_equal(y != 0, dx != 0)


def test_keras_gradient_at_p_one_is_zero_not_missing():
    y, dx = load_target("keras").forward_backward(np.ones(5, np.float32), np.ones(5, np.float32), 1.0, seed=0)
    assert not y.any() and not dx.any() and dx.dtype == np.float32


FAMILY = ["keras-alpha", "keras-gaussian"]


@pytest.mark.parametrize(("name", "shape", "shared"), [("keras-spatial1d", (64, 5, 8), (1,)),
                                                       ("keras-spatial3d", (16, 2, 3, 2, 8), (1, 2, 3))])
def test_spatial_variants_share_one_draw_per_sample_and_channel(name, shape, shared):
    """The structured variants on the machinery keras-spatial2d's battery runs on: their structure and independence
    across samples (the arithmetic is Dropout's, whose findings the keras battery names)."""
    y = load_target(name).forward(np.ones(shape, np.float32), 0.5, training=True, seed=2)
    first = y[tuple(slice(0, 1) if axis in shared else slice(None) for axis in range(len(shape)))]
    assert (y == first).all() and 0 < np.count_nonzero(first) < first.size
    run = verify(name, tier="standard", seed=0, properties=["mask_structure", "independence_samples"])
    assert [prop.verdict for prop in run.properties] == ["pass", "pass"], run.to_json()
EXPECTED_FAMILY = Path(__file__).with_name("expected-family.toml")


def test_keras_gaussian_multiplies_and_raises_at_rate_one():
    target = load_target("keras-gaussian")
    x = np.full(65536, 2.0, dtype=np.float32)
    e = target.forward(x, 0.5, training=True, seed=3) / x
    assert abs(e.mean() - 1) < 0.02 and abs(e.var() - 1) < 0.03  # N(1, 1): both above 5 standard errors
    with pytest.raises(Exception):  # noqa: B017 - Keras raises ZeroDivisionError from sqrt(p / (1 - p))
        target.forward(x, 1.0, training=True, seed=3)


@pytest.mark.parametrize("name", FAMILY)
def test_standard_battery_finds_exactly_the_expected_family_findings(name):
    # each law's own tests (README has the whole battery's run; the generator is keras's, whose battery runs above)
    own = {"keras-alpha": ["kept_values", "backward_mask", "edge_rates", "contract"],
           "keras-gaussian": ["noise_law", "backward_mask", "edge_rates", "contract"]}
    run = run_against(name, EXPECTED_FAMILY, own[name])
    assert not surprises(run), surprises(run)
    assert run.law == name.removeprefix("keras-")


@pytest.mark.parametrize("name", TARGETS)
def test_standard_battery_finds_exactly_the_expected_findings(name):
    run = run_against(name, EXPECTED)
    assert not surprises(run), surprises(run)
    assert run.property("mask_structure").verdict == ("pass" if name == "keras-spatial2d" else "skipped")
