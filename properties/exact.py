"""Exact reference values: is an output the correctly rounded value of an exact rational?

The check compares the result with its two neighbours in exact arithmetic; it does not re-derive the
rounding the way the reference core does, so it can judge the core as well as any target."""

from __future__ import annotations

from fractions import Fraction

import numpy as np


def _value(c: np.floating, dtype: np.dtype) -> Fraction:
    if np.isinf(c):  # infinity stands for the first power of two beyond the largest finite number
        return Fraction(2) ** int(np.finfo(dtype).maxexp) * (1 if c > 0 else -1)
    return Fraction(float(c))


def correctly_rounded(result: np.floating, exact: Fraction, dtype: np.dtype) -> bool:
    """True when ``result`` is the round-half-to-even value of ``exact`` in ``dtype``."""
    dtype = np.dtype(dtype)
    result = dtype.type(result)
    if np.isnan(result):
        return False
    with np.errstate(over="ignore"):
        neighbours = [np.nextafter(result, dtype.type(-np.inf)), np.nextafter(result, dtype.type(np.inf))]
    mine = abs(_value(result, dtype) - exact)
    uint = np.dtype(f"u{dtype.itemsize}")
    even = int(np.array(result, dtype=dtype).view(uint)) % 2 == 0
    for other in neighbours:
        if other == result or np.isnan(other):
            continue
        theirs = abs(_value(other, dtype) - exact)
        if theirs < mine or (theirs == mine and not even):
            return False
    return True


def ordered_bits(values: np.ndarray) -> np.ndarray:
    """Map floats to integers that count representable steps, so that a difference is a distance in ulps."""
    signed = np.dtype(f"i{values.dtype.itemsize}")
    bits = np.ascontiguousarray(values).view(signed).astype(np.int64)
    sign_bit = 1 << (8 * values.dtype.itemsize - 1)
    return np.where(bits < 0, -(bits & (sign_bit - 1)), bits)


def ulp_distance(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Signed distance of ``got`` from ``expected`` in representable steps (same dtype, finite values)."""
    return ordered_bits(got) - ordered_bits(expected)


def correctly_rounded_quotient(x: np.ndarray, q: float) -> np.ndarray:
    """The correctly rounded ``x / q`` in ``x``'s dtype (from the reference core, which the tests check
    against exact rationals); bfloat16 through float64, whose one extra rounding is almost always exact."""
    from dropout_core._rounding import scaled

    if x.dtype in (np.float16, np.float32, np.float64):
        return scaled(x, q, divide=True)
    return (x.astype(np.float64) / q).astype(x.dtype)


def correctly_rounded_product(x: np.ndarray, q: float) -> np.ndarray:
    """The correctly rounded ``q * x`` in ``x``'s dtype (classic inference)."""
    from dropout_core._rounding import scaled

    if x.dtype in (np.float16, np.float32, np.float64):
        return scaled(x, q, divide=False)
    return (x.astype(np.float64) * q).astype(x.dtype)


def smallest_normal(dtype: np.dtype) -> float:
    """The smallest positive normal number of ``dtype`` (numpy's finfo, or ml_dtypes' for bfloat16)."""
    try:
        return float(np.finfo(dtype).smallest_normal)
    except ValueError:
        import ml_dtypes

        return float(ml_dtypes.finfo(dtype).smallest_normal)
