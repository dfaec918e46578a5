"""Exact reference values: is an output the correctly rounded value of an exact rational?

The check compares the result with its two neighbours in exact arithmetic; it does not re-derive the
rounding the way the reference core does, so it can judge the core as well as any target."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np


def _finfo(dtype: np.dtype) -> Any:
    """numpy's finfo, or ml_dtypes' for bfloat16."""
    try:
        return np.finfo(dtype)
    except ValueError:
        import ml_dtypes

        return ml_dtypes.finfo(dtype)


def _value(c: Any, dtype: np.dtype) -> Fraction:
    if np.isinf(float(c)):  # infinity stands for the first power of two beyond the largest finite number
        return Fraction(2) ** int(_finfo(dtype).maxexp) * (1 if float(c) > 0 else -1)
    return Fraction(float(c))


def correctly_rounded(result: np.floating, exact: Fraction, dtype: np.dtype) -> bool:
    """True when ``result`` is the round-half-to-even value of ``exact`` in ``dtype``."""
    dtype = np.dtype(dtype)
    value = np.array(result, dtype=dtype)
    if np.isnan(float(value)):
        return False
    below, above = neighbours(value.reshape(1))
    mine = abs(_value(value[()], dtype) - exact)
    uint = np.dtype(f"u{dtype.itemsize}")
    even = int(value.view(uint)) % 2 == 0
    for other in (below[0], above[0]):
        if other == value or np.isnan(float(other)):
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


def neighbours(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The next representable values below and above each value, by stepping its bit pattern (works for
    bfloat16 too, where numpy has no nextafter). Zeros step to the smallest subnormals, an infinity steps
    towards zero to the largest finite value and stays itself away from zero; NaN stays NaN."""
    unsigned = np.dtype(f"u{values.dtype.itemsize}")
    bits = np.ascontiguousarray(values).view(unsigned)
    sign = unsigned.type(1 << (8 * values.dtype.itemsize - 1))
    one = unsigned.type(1)
    negative = (bits & sign) != 0
    magnitude = bits & ~sign
    zero = magnitude == 0
    larger, smaller = (magnitude + one) | (bits & sign), (magnitude - one) | (bits & sign)  # in magnitude
    up = np.where(zero, one, np.where(negative, smaller, larger)).view(values.dtype)
    down = np.where(zero, one | sign, np.where(negative, larger, smaller)).view(values.dtype)
    wide = values.astype(np.float64)
    keep_down, keep_up = np.isnan(wide) | (wide == -np.inf), np.isnan(wide) | (wide == np.inf)
    return np.where(keep_down, values, down), np.where(keep_up, values, up)


def _round_exactly(x: np.ndarray, q: float, divide: bool) -> np.ndarray:
    """``x / q`` (or ``q * x``) correctly rounded to ``x``'s dtype, with no code shared with the core.

    float64: IEEE division and multiplication are correctly rounded. Narrower dtypes: the float64 result is
    the correctly rounded value at 53 bits, and rounding it again is wrong only when it lies within a float64
    step of a midpoint of the narrow grid; those elements are decided in exact rational arithmetic."""
    wide = x.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        value = wide / q if divide else wide * q
        if x.dtype == np.float64:
            return value
        rounded = value.astype(x.dtype)
        below, above = neighbours(rounded)
        here = rounded.astype(np.float64)
        gaps = np.minimum(np.abs(value - (here + below.astype(np.float64)) / 2),
                          np.abs(value - (here + above.astype(np.float64)) / 2))
        suspect = np.isfinite(value) & ~(gaps > 2 * np.spacing(np.abs(value)))
        suspect |= np.isfinite(value) & ~np.isfinite(here)  # at the edge of overflow
    exact_q = Fraction(q)
    for index in np.flatnonzero(suspect.ravel()):
        exact = Fraction(float(wide.flat[index])) / exact_q if divide else Fraction(float(wide.flat[index])) * exact_q
        for candidate in (rounded.flat[index], below.flat[index], above.flat[index]):
            if correctly_rounded(candidate, exact, x.dtype):
                rounded.flat[index] = candidate
                break
    return rounded


def correctly_rounded_quotient(x: np.ndarray, q: float) -> np.ndarray:
    """The correctly rounded ``x / q`` in ``x``'s dtype (the verifier's own oracle, independent of the core)."""
    return _round_exactly(np.asarray(x), q, divide=True)


def correctly_rounded_product(x: np.ndarray, q: float) -> np.ndarray:
    """The correctly rounded ``q * x`` in ``x``'s dtype (classic inference)."""
    return _round_exactly(np.asarray(x), q, divide=False)


def smallest_normal(dtype: np.dtype) -> float:
    """The smallest positive normal number of ``dtype`` (numpy's finfo, or ml_dtypes' for bfloat16)."""
    return float(_finfo(dtype).smallest_normal)
