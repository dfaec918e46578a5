"""Correctly rounded ``x / q`` and ``x * q`` in float16/float32 without a low-precision scale.

Multiplying by ``1/q`` rounded to the input dtype biases E[y] (bug class 4). We multiply in float64 by
``factor`` (``1/q`` or ``q``), which lands within a few float64 ulps of the exact result, and round once
to the output dtype. That rounding can only go wrong where the float64 value sits within those few ulps
of a midpoint of the output dtype; such elements are flagged and decided exactly, vectorised: the exact
product of the midpoint and ``q`` (Dekker's two-product in float64) is compared with ``x``. Every output
is the correctly rounded (round-half-to-even) value.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from fractions import Fraction
from functools import lru_cache

import numpy as np

# Bits of a float64 significand below the output dtype's rounding position.
_DROPPED_BITS = {np.dtype(np.float16): 42, np.dtype(np.float32): 29}
# |float64(x * factor) - x/q| <= 2**-52 |x/q| < 2 float64 ulps; flag twice that to leave a margin.
_SLACK_ULPS = 4
# Subnormal steps are below 2**23, so a few float64 ulps of them stay below 2**-26 of a step.
_SUBNORMAL_SLACK = 2.0**-26
_LOW_WORD = 0 if sys.byteorder == "little" else 1
_ENUM_CHUNK = 1 << 18
# Enumerating once per q whether any float32 input can land near a midpoint (2**24 products, at most
# 0.2 s, cached) can spare the check of every element (about 1 ns an element). It pays from one call of
# this many elements on, or once this many elements have been scaled with the same q (a training loop
# with a fixed p). Either way the results are identical: the check finds every suspect.
F32_ENUMERATE_AT = 1 << 20
F32_ENUMERATE_AFTER = 1 << 27
_f32_elements_seen: OrderedDict[float, int] = OrderedDict()


def round_fraction(value: Fraction, dtype: np.dtype) -> np.floating:
    """Round an exact rational to ``dtype`` (round half to even, overflow to inf)."""
    dtype = np.dtype(dtype)
    if value == 0:
        return dtype.type(0.0)
    magnitude = abs(value)
    with np.errstate(over="ignore"):
        try:
            approx = dtype.type(float(magnitude))
        except OverflowError:
            approx = dtype.type(np.inf)
        zero, inf = dtype.type(0.0), dtype.type(np.inf)
        candidates = {approx, np.nextafter(approx, zero), np.nextafter(approx, inf)}
    beyond_max = Fraction(2) ** int(np.finfo(dtype).maxexp)  # what inf stands for when rounding
    uint = np.dtype(f"u{dtype.itemsize}")

    def distance_then_oddness(c: np.floating) -> tuple[Fraction, int]:
        exact = beyond_max if np.isinf(c) else Fraction(float(c))
        return abs(exact - magnitude), int(np.array(c, dtype=dtype).view(uint)) & 1

    best = min(candidates, key=distance_then_oddness)
    return -best if value < 0 else best


def exact_scaled(value: float, q: float, divide: bool, dtype: np.dtype) -> np.floating:
    """``value / q`` (or ``value * q``) correctly rounded to ``dtype``; non-finite values follow IEEE."""
    dtype = np.dtype(dtype)
    if not np.isfinite(value) or value == 0:
        with np.errstate(all="ignore"):
            return dtype.type(value / q if divide else value * q)
    exact = Fraction(value) / Fraction(q) if divide else Fraction(value) * Fraction(q)
    return round_fraction(exact, dtype)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Veltkamp's split of float64 ``a`` into two halves of 26 bits: ``a == hi + lo`` exactly."""
    c = 134217729.0 * a  # 2**27 + 1
    hi = c - (c - a)
    return hi, a - hi


def _two_product(a: np.ndarray, b: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dekker's product: ``a * b == p + e`` exactly, ``p`` the rounded float64 product."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(np.float64(b))
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def exactly_rounded(x: np.ndarray, q: float, divide: bool) -> np.ndarray:
    """``x / q`` (or ``x * q``) correctly rounded to ``x``'s dtype (float16/float32), for finite ``x``.

    The two values of the dtype around the float64 result bracket the exact one; the midpoint ``m``
    between them is exact in float64, and the sign of ``x - m*q`` (or ``x*q - m``) is computed exactly
    with a two-product and one subtraction that Sterbenz's lemma makes exact. Vectorised, so a q whose
    quotients often sit on a midpoint (q = 0.8) costs a few passes, not a Python loop per element."""
    dtype = x.dtype
    big = 2.0 ** int(np.finfo(dtype).maxexp)  # where the dtype's rounding puts inf
    magnitude = np.abs(x.astype(np.float64))
    with np.errstate(over="ignore", invalid="ignore"):
        wide = magnitude * _factor(q, divide)
        first = wide.astype(dtype)
        first_wide = first.astype(np.float64)
        other = np.nextafter(first, np.where(wide > first_wide, np.inf, 0.0).astype(dtype))
        other_wide = other.astype(np.float64)
    first_wide[np.isinf(first_wide)] = big
    other_wide[np.isinf(other_wide)] = big
    midpoint = (first_wide + other_wide) * 0.5
    if divide:  # sign(|x|/q - m) = sign(|x| - m*q); |x| - p is exact since p is within 2x of |x|
        product, error = _two_product(midpoint, q)
        excess, bound = magnitude - product, error
    else:  # sign(|x|*q - m); p - m is exact since p is within 2x of m
        product, error = _two_product(magnitude, q)
        excess, bound = product - midpoint, -error
    low, high = np.minimum(first, other), np.maximum(first, other)
    uint = np.dtype(f"u{dtype.itemsize}")
    even = np.where(low.view(uint) & 1 == 0, low, high)
    result = np.where(excess > bound, high, np.where(excess < bound, low, even))
    return np.copysign(result, x)


def near_midpoint(wide: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Where float64 ``wide`` lies within ``_SLACK_ULPS`` float64 ulps of a midpoint of ``dtype``."""
    dropped = _DROPPED_BITS[dtype]
    half, span = (1 << (dropped - 1)) - _SLACK_ULPS, 2 * _SLACK_ULPS
    if dropped < 32:
        low = wide.view(np.uint32)[_LOW_WORD::2]
        flags = np.bitwise_and(low - np.uint32(half), np.uint32((1 << dropped) - 1)) <= span
    else:
        bits = wide.view(np.uint64)
        flags = np.bitwise_and(bits - np.uint64(half), np.uint64((1 << dropped) - 1)) <= span
    # Subnormal outputs round on a fixed grid of smallest_subnormal steps; there a midpoint is an odd
    # number of half steps (dividing by a power of two is exact in float64).
    finfo = np.finfo(dtype)
    small = np.abs(wide) < finfo.smallest_normal
    if small.any():
        steps = np.abs(wide[small]) / float(finfo.smallest_subnormal)
        flags[small] = np.abs(steps - np.floor(steps) - 0.5) <= _SUBNORMAL_SLACK
    return flags


def _factor(q: float, divide: bool) -> float:
    return 1.0 / q if divide else q


@lru_cache(maxsize=64)
def _float16_table(q: float, divide: bool) -> np.ndarray:
    """The correctly rounded result for each of the 65536 float16 bit patterns, as bit patterns: a float16
    input is then one table look-up, exact by construction and faster than numpy's float16 casts."""
    patterns = np.arange(1 << 16, dtype=np.uint16)
    values = patterns.view(np.float16)
    table = np.empty_like(values)
    with np.errstate(all="ignore"):
        wide = values.astype(np.float64) * _factor(q, divide)
        np.copyto(table, wide, casting="same_kind")
        suspects = np.flatnonzero(near_midpoint(wide, np.dtype(np.float16)) & np.isfinite(wide))
    table[suspects] = exactly_rounded(values[suspects], q, divide)
    return table.view(np.uint16)


@lru_cache(maxsize=64)
def float32_divide_is_exact(q: float) -> bool:
    """Whether float64 ``x * (1/q)`` rounded to float32 is correctly rounded for every float32 ``x``.

    Enumerates the 2**23 significands (a normal ``x`` is its significand times a power of two, which moves
    the quotient exactly and keeps it normal since ``|x/q| >= |x|``) and the 2**23 subnormal patterns, and
    looks for a float64 quotient near a float32 midpoint. For q = 0.9, 0.7, 0.5 there is none and no
    element needs a check; for q = 0.8 (``1/q`` = 1.25 in float64) a quarter of all significands do."""
    f32, factor = np.dtype(np.float32), 1.0 / q
    with np.errstate(all="ignore"):
        for start in range(0, 1 << 23, _ENUM_CHUNK):
            low_bits = np.arange(start, start + _ENUM_CHUNK, dtype=np.uint32)
            significands = (low_bits | np.uint32(0x3F800000)).view(np.float32).astype(np.float64)
            subnormals = low_bits.view(np.float32).astype(np.float64)
            if near_midpoint(significands * factor, f32).any() or near_midpoint(subnormals * factor, f32).any():
                return False
    return True


def _enumeration_pays(q: float, size: int) -> bool:
    """Count the float32 elements scaled with ``q`` and say whether enumerating its suspects pays."""
    seen = _f32_elements_seen.pop(q, 0) + size
    _f32_elements_seen[q] = seen
    while len(_f32_elements_seen) > 64:
        _f32_elements_seen.popitem(last=False)
    return size >= F32_ENUMERATE_AT or seen >= F32_ENUMERATE_AFTER


class Scaler:
    """Writes correctly rounded ``x / q`` (``divide``) or ``x * q`` into an output of ``x``'s dtype.

    float64 uses IEEE arithmetic, float16 a table of all 65536 results, float32 float64 arithmetic with
    the elements near a midpoint decided exactly. ``size`` (the elements of the call) only decides
    whether to enumerate once per q that no float32 input can land near a midpoint (then none is checked)."""

    def __init__(self, dtype: np.dtype, q: float, divide: bool, size: int) -> None:
        self.dtype, self.q, self.divide = np.dtype(dtype), q, divide
        self.factor = _factor(q, divide)
        self.f16_table: np.ndarray | None = None
        self.f32_exact = False
        if self.dtype == np.float16:
            self.f16_table = _float16_table(q, divide)
        elif self.dtype == np.float32 and divide and _enumeration_pays(q, size):
            self.f32_exact = float32_divide_is_exact(q)

    def __call__(self, x: np.ndarray, out: np.ndarray, wide: np.ndarray | None = None) -> None:
        """``x`` and ``out`` are 1-D and contiguous; ``wide`` is an optional float64 scratch buffer."""
        with np.errstate(over="ignore", invalid="ignore"):
            if self.dtype == np.float64:  # IEEE division and multiplication are correctly rounded
                (np.divide if self.divide else np.multiply)(x, self.q, out=out)
                return
            if self.f16_table is not None:
                np.take(self.f16_table, x.view(np.uint16), out=out.view(np.uint16))
                return
            if self.f32_exact and wide is None:  # one pass, the products stay in numpy's small cast buffers
                np.multiply(x, self.factor, out=out, dtype=np.float64, casting="same_kind")
                return
            # widen, multiply, narrow: three plain loops beat the buffered mixed-type multiply 1.7-fold
            # on inputs that are not in cache (10^7 float32 elements, one core: 4.3 ms against 7.2 ms)
            wide = np.empty(x.shape, np.float64) if wide is None else wide[: x.size]
            np.copyto(wide, x)
            np.multiply(wide, self.factor, out=wide)
            np.copyto(out, wide, casting="same_kind")
            if self.f32_exact:
                return
            suspects = np.flatnonzero(near_midpoint(wide, self.dtype))
            suspects = suspects[np.isfinite(wide[suspects])]  # a NaN's payload may look near a midpoint
        if suspects.size:
            out[suspects] = exactly_rounded(x[suspects], self.q, self.divide)


def scaled(x: np.ndarray, q: float, *, divide: bool) -> np.ndarray:
    """A new array of ``x``'s shape and dtype holding correctly rounded ``x / q`` or ``x * q``."""
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty_like(flat)
    Scaler(x.dtype, q, divide, flat.size)(flat, out)
    return out.reshape(x.shape)
