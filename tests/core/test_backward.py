"""The gradient flows through exactly the forward pass's mask, zeros in the input included."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from dropout_verify.dropout_core import Dropout, dropout_backward, dropout_forward
from dropout_verify.properties.exact import correctly_rounded
from dropout_verify.properties.strategies import float_arrays, interior_rates
from hypothesis import given
from hypothesis import strategies as st

seeds = st.integers(0, 2**32 - 1)


@given(data=st.data(), p=interior_rates, seed=seeds, convention=st.sampled_from(["inverted", "classic"]))
def test_backward_zero_pattern_and_values_follow_the_forward_mask(data, p, seed, convention):
    x = data.draw(float_arrays(), label="x")
    x = np.where(np.arange(x.size).reshape(x.shape) % 3 == 0, 0, x).astype(x.dtype)  # zeros in the input
    dy = data.draw(float_arrays(dtype=x.dtype).filter(lambda a: a.shape == x.shape) | st.just(np.ones_like(x)),
                   label="dy")
    _, mask = dropout_forward(x, p, rng=np.random.default_rng(seed), convention=convention)
    dx = dropout_backward(dy, mask, p, convention=convention)
    assert dx.shape == dy.shape and dx.dtype == dy.dtype
    assert np.all(dx[~mask] == 0)
    q = 1.0 - p
    for gi, di in zip(dy[mask].tolist(), dx[mask].tolist(), strict=True):
        if convention == "classic":
            assert dy.dtype.type(di) == dy.dtype.type(gi)
        elif gi == 0:
            assert di == 0
        else:
            assert correctly_rounded(dy.dtype.type(di), Fraction(gi) / Fraction(q), dy.dtype)


@given(x=float_arrays(), seed=seeds)
def test_p_one_backward_is_zero(x, seed):
    _, mask = dropout_forward(x, 1.0, rng=np.random.default_rng(seed))
    dx = dropout_backward(np.ones_like(x), mask, 1.0)
    assert np.all(dx == 0) and np.all(np.isfinite(dx))


def test_layer_backward_uses_the_saved_mask_and_layer_reproduces_with_its_seed():
    x = np.linspace(-1, 1, 64, dtype=np.float32).reshape(8, 8)
    x[::2] = 0.0  # where x == 0, a mask inferred from y != 0 would be wrong (bug class 11)
    a, b = Dropout(0.4, seed=11), Dropout(0.4, seed=11)
    ya1, ya2 = a(x), a(x)
    yb1, yb2 = b(x), b(x)
    np.testing.assert_array_equal(ya1, yb1)
    np.testing.assert_array_equal(ya2, yb2)
    assert not np.array_equal(ya1, ya2)
    dx = a.backward(np.ones_like(x))
    kept = (ya2 != 0) | (x == 0)
    assert np.all(dx[dx != 0] == np.float32(1 / 0.6))
    assert np.all(kept[dx != 0])
    assert (dx != 0).sum() > (ya2 != 0).sum()  # zeros of x were kept too and carry gradient


def test_layer_eval_is_identity_forward_and_backward():
    layer = Dropout(0.5, seed=0).eval()
    x = np.arange(6, dtype=np.float64)
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.backward(np.ones(6)), np.ones(6))
    classic = Dropout(0.5, convention="classic", seed=0).eval()
    np.testing.assert_array_equal(classic(x), 0.5 * x)
    np.testing.assert_array_equal(classic.backward(np.ones(6)), np.full(6, 0.5))


def test_layer_noise_shape_and_train_switch():
    layer = Dropout(keep_prob=0.5, noise_shape=(4, 1), seed=1)
    y = layer(np.ones((4, 3)))
    assert all(len(set(row.tolist())) == 1 for row in y)
    assert layer.eval().training is False and layer.train().training is True
    assert "Dropout(p=0.5" in repr(layer)
