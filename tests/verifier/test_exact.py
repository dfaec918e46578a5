"""The verifier's oracle of correctly rounded x/q and q*x, against exact rationals and against the core it
judges (two independent computations of the same numbers)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from dropout_verify.dropout_core._rounding import scaled
from dropout_verify.properties.exact import (
    correctly_rounded,
    correctly_rounded_product,
    correctly_rounded_quotient,
    neighbours,
)

ml_dtypes = pytest.importorskip("ml_dtypes")
RATES = [0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.999999]


def _sample(dtype: np.dtype, rng: np.random.Generator, size: int = 20_000) -> np.ndarray:
    bits = rng.integers(0, 2 ** (8 * np.dtype(dtype).itemsize), size=size, dtype=np.uint64)
    values = bits.astype(f"u{np.dtype(dtype).itemsize}").view(dtype)
    with np.errstate(invalid="ignore"):  # the NaN patterns among the random bits
        return values[np.isfinite(values.astype(np.float64))]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("q", RATES)
def test_the_oracle_and_the_core_agree_bit_for_bit(dtype, q):
    x = _sample(np.dtype(dtype), np.random.default_rng(int(q * 1e6)))
    for divide, oracle in ((True, correctly_rounded_quotient), (False, correctly_rounded_product)):
        with np.errstate(over="ignore"):
            assert oracle(x, q).tobytes() == scaled(x, q, divide=divide).tobytes()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, "bfloat16"])
@pytest.mark.parametrize("q", [0.2, 0.7, 0.9])
def test_the_oracle_is_correctly_rounded_against_fractions(dtype, q):
    dtype = np.dtype(ml_dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(dtype)
    x = _sample(dtype, np.random.default_rng(7), size=3000)
    with np.errstate(over="ignore"):
        quotients, products = correctly_rounded_quotient(x, q), correctly_rounded_product(x, q)
    for xi, yi, zi in zip(x, quotients, products, strict=True):
        assert correctly_rounded(yi, Fraction(float(xi)) / Fraction(q), dtype), (xi, yi)
        assert correctly_rounded(zi, Fraction(float(xi)) * Fraction(q), dtype), (xi, zi)


def test_bit_neighbours_step_through_zero_subnormals_and_the_largest_value():
    values = np.array([0.0, -0.0, 1.0, -1.0, 65504.0, np.inf], dtype=np.float16)
    below, above = neighbours(values)
    tiny = np.float16(2.0**-24)
    assert list(above[:4]) == [tiny, tiny, np.nextafter(np.float16(1), np.float16(2)),
                               np.nextafter(np.float16(-1), np.float16(0))]
    assert list(below[:4]) == [-tiny, -tiny, np.nextafter(np.float16(1), np.float16(0)),
                               np.nextafter(np.float16(-1), np.float16(-2))]
    assert np.isinf(above[4]) and np.isinf(above[5]) and below[5] == np.float16(65504.0)
