"""Every one of the 65536 float16 inputs is scaled to its correctly rounded value: the whole domain,
checked against exact rationals, for a division (inverted training) and a product (classic inference)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from dropout_verify.dropout_core._rounding import scaled
from dropout_verify.properties.exact import correctly_rounded

ALL_FLOAT16 = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
FINITE = ALL_FLOAT16[np.isfinite(ALL_FLOAT16)]


@pytest.mark.parametrize(("q", "divide"), [(0.9, True), (0.7, False), (1 / 3, True)])
def test_every_finite_float16_is_correctly_rounded(q, divide):
    with np.errstate(over="ignore"):
        result = scaled(FINITE, q, divide=divide)
    wrong = []
    for x, y in zip(FINITE.tolist(), result.tolist(), strict=True):
        exact = Fraction(x) / Fraction(q) if divide else Fraction(x) * Fraction(q)
        if x == 0:
            ok = y == 0 and np.signbit(y) == np.signbit(x)
        else:
            ok = correctly_rounded(np.float16(y), exact, np.float16)
        if not ok:
            wrong.append((x, y))
    assert not wrong, wrong[:5]


def test_non_finite_float16_follow_ieee():
    special = np.array([np.inf, -np.inf, np.nan], dtype=np.float16)
    out = scaled(special, 0.5, divide=True)
    assert out[0] == np.inf and out[1] == -np.inf and np.isnan(out[2])
