"""Every bad argument raises an exception that names it; nothing is silently accepted (bug class 17)."""

from __future__ import annotations

import numpy as np
import pytest
from dropout_verify.dropout_core import Dropout, dropout_backward, dropout_forward

X = np.ones((2, 3), dtype=np.float32)
RNG = np.random.default_rng(0)


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), float("inf"), -float("inf"), 256])
def test_rate_out_of_range_raises_value_error(p):
    with pytest.raises(ValueError, match="p must be in"):
        dropout_forward(X, p, rng=RNG)
    with pytest.raises(ValueError, match="keep_prob must be in"):
        dropout_forward(X, keep_prob=p, rng=RNG)
    with pytest.raises(ValueError):
        Dropout(p)


@pytest.mark.parametrize("p", [True, np.bool_(False), "0.5", 0.5j, [0.5], np.array([0.5])])
def test_rate_of_wrong_type_raises_type_error(p):
    with pytest.raises(TypeError, match="p must be a real number"):
        dropout_forward(X, p, rng=RNG)


def test_exactly_one_of_p_and_keep_prob():
    with pytest.raises(TypeError, match="exactly one"):
        dropout_forward(X, 0.5, keep_prob=0.5, rng=RNG)
    with pytest.raises(TypeError, match="exactly one"):
        dropout_forward(X, rng=RNG)
    with pytest.raises(TypeError, match="exactly one"):
        dropout_backward(X, np.ones(X.shape, bool))


def test_numpy_scalars_are_accepted():
    y, _ = dropout_forward(X, np.float32(0.25), rng=RNG)
    assert y.dtype == np.float32
    dropout_forward(X, keep_prob=np.float64(0.75), rng=RNG)


@pytest.mark.parametrize("x", [np.ones(3, dtype=np.int32), np.ones(3, dtype=bool), np.ones(3, dtype=np.complex64),
                               [1, 2, 3], np.array(["a"])])
def test_non_floating_input_raises_type_error(x):
    with pytest.raises(TypeError, match="x must be a float16, float32 or float64 array"):
        dropout_forward(x, 0.5, rng=RNG)


@pytest.mark.parametrize("noise_shape", [(2,), (2, 3, 1), (3, 3), (2, 2), "ab", 5, (2.0, 1)])
def test_bad_noise_shape_raises_value_error(noise_shape):
    with pytest.raises(ValueError, match="noise_shape"):
        dropout_forward(X, 0.5, rng=RNG, noise_shape=noise_shape)


def test_bad_rng_convention_and_mask():
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        dropout_forward(X, 0.5, rng=0)
    with pytest.raises(ValueError, match="convention must be one of"):
        dropout_forward(X, 0.5, rng=RNG, convention="inverse")
    with pytest.raises(TypeError, match="mask must be a bool array"):
        dropout_backward(X, np.ones(X.shape), 0.5)
    with pytest.raises(ValueError, match="does not broadcast"):
        dropout_backward(X, np.ones((3, 2), bool), 0.5)
    with pytest.raises(ValueError, match="p = 1 drops every element"):
        dropout_backward(X, np.ones(X.shape, bool), 1.0)
    with pytest.raises(RuntimeError, match="before any forward"):
        Dropout(0.5).backward(X)
