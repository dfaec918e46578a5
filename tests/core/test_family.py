"""The reference's alpha and Gaussian dropout: each value exact against rational arithmetic, the laws' moments."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from dropout_verify.dropout_core import (
    ALPHA_PRIME,
    alpha_constants,
    alpha_dropout_backward,
    alpha_dropout_forward,
    gaussian_dropout_backward,
    gaussian_dropout_forward,
)
from dropout_verify.properties.exact import correctly_rounded
from dropout_verify.properties.strategies import float_arrays
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

seeds = st.integers(0, 2**32 - 1)
open_rates = st.one_of(st.sampled_from([0.1, 0.5, 0.9, 1e-9, 1 - 1e-9]), st.floats(0.0, 1.0, exclude_max=True))


def test_alpha_prime_is_selu_negative_saturation_correctly_rounded():
    with localcontext() as context:
        context.prec = 40
        exact = -Decimal("1.0507009873554804934193349852946") * Decimal("1.6732632423543772848170429916717")
    assert abs(Fraction(ALPHA_PRIME) - Fraction(exact)) <= abs(Fraction(np.spacing(ALPHA_PRIME))) / 2
    assert ALPHA_PRIME == -1.7580993408473768  # PyTorch's constant ...766 is one ulp off


@pytest.mark.parametrize("p", [0.05, 0.2, 0.5, 0.8])
def test_alpha_constants_hold_106_bits(p):
    with localcontext() as context:
        context.prec = 60
        law, drop = alpha_constants(p), Decimal(p)
        a = 1 / ((1 - drop) * (1 + drop * Decimal(ALPHA_PRIME) ** 2)).sqrt()
        assert abs(Decimal(law.a) + Decimal(law.a_low) - a) < a * Decimal(2) ** -104
        b = -a * Decimal(ALPHA_PRIME) * drop
        assert abs(Decimal(law.b) + Decimal(law.b_low) - b) < b * Decimal(2) ** -104


@pytest.mark.parametrize("p", [0.05, 0.2, 0.5, 0.8])
def test_alpha_law_keeps_zero_mean_and_unit_variance(p):
    """Exact moments of the two-point law for x ~ N(0, 1): E[y] = a q E[x] + a alpha' p + b = 0 and
    Var[y] = a^2 (q + p q alpha'^2) = 1, in rational arithmetic on the float64 constants."""
    law = alpha_constants(p)
    a, b, ap, q = (Fraction(v) for v in (law.a, law.b, ALPHA_PRIME, 1 - p))
    drop = 1 - q
    mean = a * ap * drop + b
    second = a * a * (q + drop * ap * ap) + 2 * a * b * ap * drop + b * b
    assert abs(mean) < Fraction(1, 10**15) and abs(second - mean * mean - 1) < Fraction(1, 10**14)


@given(x=float_arrays(), p=open_rates, seed=seeds)
def test_alpha_training_output_is_one_of_two_correctly_rounded_values(x, p, seed):
    before = x.copy()
    y, mask = alpha_dropout_forward(x, p, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(x, before, strict=True)
    assert y.dtype == x.dtype and y.shape == x.shape and mask.shape == x.shape
    law = alpha_constants(p)
    exact_a, exact_b = Fraction(law.a) + Fraction(law.a_low), Fraction(law.b) + Fraction(law.b_low)
    assert np.all(y[~mask] == law.dropped(x.dtype))
    for xi, yi in zip(x[mask].tolist(), y[mask].tolist(), strict=True):
        assert correctly_rounded(x.dtype.type(yi), exact_a * Fraction(xi) + exact_b, x.dtype), (xi, yi, p)


@given(x=float_arrays(), p=open_rates, seed=seeds)
def test_alpha_backward_is_a_times_dy_through_the_forward_mask(x, p, seed):
    _, mask = alpha_dropout_forward(np.ones(x.shape, x.dtype), p, rng=np.random.default_rng(seed))
    dx = alpha_dropout_backward(x, mask, p)
    assert np.all(dx[~mask] == 0)
    law = alpha_constants(p)
    a = Fraction(law.a) + Fraction(law.a_low)
    for dyi, dxi in zip(x[mask].tolist(), dx[mask].tolist(), strict=True):
        assert correctly_rounded(x.dtype.type(dxi), a * Fraction(dyi), x.dtype)


@given(x=float_arrays(), p=open_rates, seed=seeds)
def test_gaussian_output_is_x_times_its_noise_correctly_rounded(x, p, seed):
    y, noise = gaussian_dropout_forward(x, p, rng=np.random.default_rng(seed))
    dx = gaussian_dropout_backward(x, noise)
    for xi, ei, yi, dxi in zip(x.ravel().tolist(), noise.ravel().tolist(), y.ravel().tolist(),
                               dx.ravel().tolist(), strict=True):
        exact = Fraction(xi) * Fraction(ei)
        assert correctly_rounded(x.dtype.type(yi), exact, x.dtype) and yi == dxi


def test_gaussian_noise_follows_its_law():
    """H0: e ~ N(1, p/q); KS test at alpha 1e-6 (the seed is fixed, so this is a regression check)."""
    p = 0.3
    _, noise = gaussian_dropout_forward(np.ones(200_000), p, rng=np.random.default_rng(3))
    assert stats.kstest(noise, stats.norm(1.0, (p / (1 - p)) ** 0.5).cdf).pvalue > 1e-6


def test_feature_alpha_draws_one_value_per_channel():
    y, mask = alpha_dropout_forward(np.ones((8, 16, 5)), 0.5, rng=np.random.default_rng(0), noise_shape=(8, 16, 1))
    assert np.all(y == y[:, :, :1]) and np.all(mask == mask[:, :, :1])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_inference_is_a_copy_and_edge_rates(dtype):
    x = np.linspace(-3, 3, 7).astype(dtype)
    rng = np.random.default_rng(0)
    for forward in (alpha_dropout_forward, gaussian_dropout_forward):
        y, extra = forward(x, 0.4, rng=rng, training=False)
        assert extra is None and y.tobytes() == x.tobytes() and not np.shares_memory(x, y)
        y, _ = forward(x, 0.0, rng=rng)
        assert y.tobytes() == x.tobytes()
    y, mask = alpha_dropout_forward(x, 1.0, rng=rng)
    assert not mask.any() and np.all(y == 0)  # the law's limit as p -> 1
    with pytest.raises(ValueError, match="finite for p in"):
        gaussian_dropout_forward(x, 1.0, rng=rng)


def test_bad_input_raises():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="p must be in"):
        alpha_dropout_forward(np.ones(3), 1.5, rng=rng)
    with pytest.raises(TypeError, match="float16, float32 or float64"):
        gaussian_dropout_forward(np.ones(3, dtype=int), 0.5, rng=rng)
    with pytest.raises(TypeError, match="rng must be"):
        alpha_dropout_forward(np.ones(3), 0.5, rng=0)
    with pytest.raises(TypeError, match="bool array"):
        alpha_dropout_backward(np.ones(3), np.ones(3), 0.5)
    with pytest.raises(ValueError, match="noise must be"):
        gaussian_dropout_backward(np.ones(3), np.ones(2))
