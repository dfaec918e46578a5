"""Correctly rounded ``A * x + B`` (float64 ``A``, ``B``) in ``x``'s dtype: alpha dropout's kept values, and
with ``B = 0`` and an array ``A`` the products ``x * e`` of Gaussian dropout.

The exact value is held as an unevaluated float64 sum: Dekker's two-product gives ``A * x = P + e`` and
Knuth's two-sum ``P + B = S + t``, both exactly, so ``A * x + B = S + (t + e)``. Rounding ``S + fl(t + e)``
once to float64, and from there to a narrower dtype, is the correctly rounded value except where that sum
lies within a few float64 ulps of a rounding midpoint; such elements are decided in exact rational
arithmetic. Cancellation (``A * x`` near ``-B``) costs nothing: ``S`` is then exact and so is the rest.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ._rounding import _two_product, near_midpoint, round_fraction

# |fl(t + e) - (t + e)| <= 2**-53 |t + e| <= 2**-105 |S| (about): far below this slack of float64 ulps
_SLACK = 4.0


def _two_sum(a: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Knuth's two-sum: ``a + b == s + t`` exactly, ``s`` the rounded float64 sum."""
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


def _float64_suspects(s: np.ndarray, c: np.ndarray, rounded: np.ndarray) -> np.ndarray:
    """Where ``s + c`` may lie within ``_SLACK`` float64 ulps of a midpoint between two float64 values, so that
    ``fl(s + c)`` could be the wrong neighbour."""
    residual = (s - rounded) + c  # s - rounded is exact (Sterbenz) while |c| is small against |s|
    half = np.spacing(np.abs(rounded)) * 0.5
    near = np.abs(np.abs(residual) - half) <= _SLACK * np.spacing(half) + np.spacing(np.abs(c))
    # heavy cancellation (|c| not small against |s|), or a power of two, whose lower gap is half the upper:
    # rare, and decided exactly rather than reasoned about
    return near | ~(np.abs(c) <= 2.0**-20 * np.abs(s)) | (np.frexp(rounded)[0] == 0.5)


def affine_rounded(x: np.ndarray, a: float | np.ndarray, b: float, dtype: np.dtype | None = None,
                   a_low: float = 0.0, b_low: float = 0.0) -> np.ndarray:
    """``(a + a_low) * x + (b + b_low)`` correctly rounded (half to even) to ``dtype`` (default ``x``'s), elementwise;
    ``a`` is a float64 scalar or an array of ``x``'s shape, ``a_low`` and ``b_low`` the float64 tails of constants
    held to 106 bits. Non-finite results follow IEEE arithmetic in float64 (overflow to inf)."""
    dtype = np.dtype(x.dtype if dtype is None else dtype)
    shape = np.shape(x)
    wide = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)  # near_midpoint reads flat float64 words
    factor = np.broadcast_to(np.asarray(a, dtype=np.float64), shape).reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        product, product_error = _two_product(wide, factor)
        s, t = _two_sum(product, b)
        # the tails' terms are below 2**-50 of the result: their own rounding errors (2**-103) are in the slack
        c = t + (product_error + (a_low * wide + b_low))
        rounded = s + c
        suspects = _float64_suspects(s, c, rounded)
        if dtype == np.float64:
            out = rounded.copy()
        else:
            out = rounded.astype(dtype)
            suspects |= near_midpoint(rounded, dtype)
        # Veltkamp's split overflows above about 2**996: there the error terms are NaN, decided exactly too
        suspects = (suspects & np.isfinite(rounded)) | (~np.isfinite(rounded) & np.isfinite(wide))
    exact_b, exact_a_low = Fraction(b) + Fraction(b_low), Fraction(a_low)
    for index in np.flatnonzero(suspects):
        exact = (Fraction(float(factor[index])) + exact_a_low) * Fraction(float(wide[index])) + exact_b
        out[index] = round_fraction(exact, dtype)  # an exact value beyond the dtype's range rounds to inf
    return out.reshape(shape)
