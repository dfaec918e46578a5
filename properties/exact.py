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
