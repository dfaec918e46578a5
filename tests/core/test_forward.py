"""Deterministic properties of the reference forward pass, checked on inputs Hypothesis draws."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from dropout_verify.dropout_core import dropout_forward
from dropout_verify.properties.exact import correctly_rounded
from dropout_verify.properties.strategies import float_arrays, interior_rates, rates
from hypothesis import given
from hypothesis import strategies as st

seeds = st.integers(0, 2**32 - 1)


def _kept_value_ok(x: float, y: float, q: float, dtype: np.dtype, divide: bool) -> bool:
    exact = Fraction(x) / Fraction(q) if divide else Fraction(x) * Fraction(q)
    if x == 0:
        return y == 0 and np.signbit(y) == np.signbit(x)
    return correctly_rounded(dtype.type(y), exact, dtype)


@given(x=float_arrays(), p=rates, seed=seeds, convention=st.sampled_from(["inverted", "classic"]))
def test_training_output_is_zero_or_exact_kept_value(x, p, seed, convention):
    before = x.copy()
    y, mask = dropout_forward(x, p, rng=np.random.default_rng(seed), convention=convention)
    assert y.shape == x.shape and y.dtype == x.dtype
    assert mask.shape == x.shape and mask.dtype == np.bool_
    np.testing.assert_array_equal(x, before, strict=True)  # the input is never modified
    dropped = y[~mask]
    assert np.all(dropped == 0) and not np.any(np.signbit(dropped))
    q = 1.0 - p
    for xi, yi in zip(x[mask].tolist(), y[mask].tolist(), strict=True):
        if convention == "classic":
            assert x.dtype.type(yi) == x.dtype.type(xi)
        else:
            assert _kept_value_ok(xi, yi, q, x.dtype, divide=True), (xi, yi, q)


@given(x=float_arrays(), p=rates, seed=seeds)
def test_inverted_inference_is_a_bit_identical_copy(x, p, seed):
    y, mask = dropout_forward(x, p, rng=np.random.default_rng(seed), training=False)
    assert mask is None
    assert y.tobytes() == x.tobytes() and y.dtype == x.dtype and y.shape == x.shape
    assert not np.shares_memory(y, x)


@given(x=float_arrays(), p=rates, seed=seeds)
def test_classic_inference_is_correctly_rounded_q_times_x(x, p, seed):
    y, _ = dropout_forward(x, p, rng=np.random.default_rng(seed), training=False, convention="classic")
    assert y.dtype == x.dtype and y.shape == x.shape
    for xi, yi in zip(x.ravel().tolist(), y.ravel().tolist(), strict=True):
        assert _kept_value_ok(xi, yi, 1.0 - p, x.dtype, divide=False), (xi, yi, p)


@given(x=float_arrays(finite=False), seed=seeds)
def test_p_zero_is_the_identity_even_for_nan_and_inf(x, seed):
    y, mask = dropout_forward(x, 0.0, rng=np.random.default_rng(seed))
    assert y.tobytes() == x.tobytes() and mask.all()


@given(x=float_arrays(finite=False), seed=seeds, convention=st.sampled_from(["inverted", "classic"]))
def test_p_one_gives_finite_positive_zeros(x, seed, convention):
    y, mask = dropout_forward(x, 1.0, rng=np.random.default_rng(seed), convention=convention)
    assert not mask.any()
    assert np.all(y == 0) and not np.any(np.signbit(y)) and y.dtype == x.dtype


@given(x=float_arrays(finite=False), p=interior_rates, seed=seeds)
def test_non_finite_inputs_follow_the_documented_policy(x, p, seed):
    y, mask = dropout_forward(x, p, rng=np.random.default_rng(seed))
    assert np.all(y[~mask] == 0)  # dropped: +0.0 whatever the input held
    kept_x, kept_y = x[mask], y[mask]
    assert np.array_equal(np.isnan(kept_x), np.isnan(kept_y))
    infinite = np.isinf(kept_x)
    assert np.array_equal(kept_y[infinite], kept_x[infinite])


@given(x=float_arrays(), p=rates, seed=seeds)
def test_same_generator_state_gives_the_same_mask(x, p, seed):
    _, first = dropout_forward(x, p, rng=np.random.default_rng(seed))
    _, again = dropout_forward(x, p, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(first, again)


@given(data=st.data(), p=interior_rates, seed=seeds)
def test_noise_shape_broadcasts_one_draw(data, p, seed):
    x = data.draw(float_arrays(max_dims=4), label="x")
    noise_shape = tuple(data.draw(st.sampled_from([1, n]), label=f"axis{i}") for i, n in enumerate(x.shape))
    y, mask = dropout_forward(x, p, rng=np.random.default_rng(seed), noise_shape=noise_shape)
    assert y.shape == x.shape and mask.shape == x.shape
    # along every broadcast axis the mask is constant
    for axis, size in enumerate(noise_shape):
        if size == 1 and x.shape[axis] > 1:
            first = np.take(mask, [0], axis=axis)
            assert np.array_equal(mask, np.broadcast_to(first, mask.shape))
    assert np.all(y[~mask] == 0)


def test_large_arrays_split_into_blocks_are_reproducible_and_use_every_block():
    x = np.ones(3 * 2**20 + 5, dtype=np.float32)
    y1, m1 = dropout_forward(x, 0.25, rng=np.random.default_rng(7))
    y2, m2 = dropout_forward(x, 0.25, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(m1, m2)
    np.testing.assert_array_equal(y1, y2)
    blocks = np.array_split(m1[: 3 * 2**20], 3)
    assert len({b.tobytes() for b in blocks}) == 3  # every block has its own stream
    assert np.all(y1[m1] == np.float32(1 / 0.75)) and np.all(y1[~m1] == 0)


def test_successive_calls_draw_fresh_masks():
    rng = np.random.default_rng(3)
    x = np.ones(1000)
    _, first = dropout_forward(x, 0.5, rng=rng)
    _, second = dropout_forward(x, 0.5, rng=rng)
    assert not np.array_equal(first, second)
