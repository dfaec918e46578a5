"""The PyTorch adapters (and Keras on PyTorch): conversions, seeding that restores the caller's generator,
autograd, and the standard battery on each target, which finds exactly what expected-findings.toml names (with the
reasons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from dropout_verify.dropout_core import alpha_constants  # noqa: E402
from dropout_verify.properties import load_target, verify  # noqa: E402
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


ALPHA_TARGETS = ["torch-alpha", "torch-feature-alpha"]
EXPECTED_FAMILY = Path(__file__).with_name("expected-family.toml")


@pytest.mark.parametrize("name", ALPHA_TARGETS)
def test_alpha_dropout_keeps_standardized_moments_and_its_gradient_is_a_dy(name):
    target = load_target(name)
    x = np.random.default_rng(0).standard_normal((256, 16, 4, 4))
    y = target.forward(x, 0.2, training=True, seed=3)
    # 10 standard errors: 0.002 with a draw per element; with one per channel (4096 draws of 16 elements each)
    # the channel means vary by about 0.5 (p q (b - d)^2 from the mask), a standard error of 0.011
    tolerance = 0.02 if name == "torch-alpha" else 0.11
    assert abs(y.mean()) < tolerance and abs(y.var() - 1) < tolerance
    _, dx = target.forward_backward(x, np.ones_like(x), 0.2, seed=3)
    kept = np.unique(dx[dx != 0])  # one value, a, computed by PyTorch in float64
    assert kept.size == 1 and abs(kept[0] - alpha_constants(0.2).a) < 1e-12 and np.any(dx == 0)


def test_refs_alpha_dropout_changes_the_dtype_of_half_inputs():
    """pytorch#195705, as the target meets it: the PrimTorch reference returns float32 for float16 input."""
    y = load_target("torch-refs-alpha").forward(np.ones(8, np.float16), 0.5, training=True, seed=1)
    assert y.dtype == np.float32


# the alpha law's rounding findings; its unbiased sample (1.3e9 elements, the two values far apart) and the
# generator's properties (torch's, which the Bernoulli targets' batteries run) stay out of CI: README has the run
ALPHA_CI_PROPERTIES = ["kept_values", "backward_mask", "inference", "edge_rates", "contract"]


def test_alpha_standard_battery_finds_exactly_the_expected_family_findings():
    run = run_against("torch-alpha", EXPECTED_FAMILY, ALPHA_CI_PROPERTIES)
    assert not surprises(run), surprises(run)
    assert run.law == "alpha"


def test_feature_alpha_drops_channels_whole_and_independently():
    """torch-feature-alpha shares torch-alpha's arithmetic and generator (its full battery finds the same, in 4x the
    time: each cell is 4 elements): the properties that tell the two apart, structure and independence across
    samples."""
    run = verify("torch-feature-alpha", tier="standard", seed=0, properties=["mask_structure", "independence_samples"])
    assert [prop.verdict for prop in run.properties] == ["pass", "pass"], run.to_json()


@pytest.mark.parametrize("name", TARGETS)
def test_standard_battery_finds_exactly_the_expected_findings(name):
    _load(name)
    run = run_against(name, EXPECTED)
    assert not surprises(run), surprises(run)
    assert run.property("mask_structure").verdict == STRUCTURE.get(name, "skipped")


def test_data_parallel_ranks_seeded_alike_share_one_mask_and_offset_seeds_do_not():
    """torch.distributed with gloo on local ranks (the rank battery, quick tier: identical masks are found by any
    sample): the same seed on every rank gives every rank's samples one mask (huggingface/transformers#31412);
    seed + rank passes."""
    same = verify("torch-ddp", tier="quick", seed=0)
    assert same.world_size == 4 and same.contract == "independent"
    assert same.property("rank_independence").verdict == "fail"
    assert "drew identical masks" in same.property("rank_independence").message
    offset = verify("torch-ddp-offset", tier="quick", seed=0, world_size=3)
    assert offset.verdict == "pass", [(prop.name, prop.message) for prop in offset.properties]
    assert offset.world_size == 3 and offset.property("rank_backward").verdict == "pass"  # autograd on each rank
