"""float32 scaling is correctly rounded with and without the enumeration per q, including subnormal inputs,
quotients that overflow, and q whose float64 quotients often sit exactly on a float32 midpoint (q = 0.8:
1/q rounds to 1.25, so a quarter of all significands are decided by the exact two-product test)."""

from __future__ import annotations

from fractions import Fraction

import dropout_verify.dropout_core._rounding as rounding
import numpy as np
import pytest
from dropout_verify.properties.exact import correctly_rounded


def _inputs() -> np.ndarray:
    rng = np.random.default_rng(2024)
    normal = (rng.standard_normal(3000) * np.exp2(rng.uniform(-120, 120, 3000))).astype(np.float32)
    subnormal = rng.integers(1, 2**23, 500, dtype=np.uint32).view(np.float32)
    huge = np.array([3.0e38, -3.3e38, np.finfo(np.float32).max], dtype=np.float32)
    return np.concatenate([normal, subnormal, -subnormal, huge])


@pytest.mark.parametrize("q", [0.9, 0.7, 0.123, 1e-3, 0.999999, 0.8, 0.75, 2 / 3, 1 / 3, 0.6, 0.2])
@pytest.mark.parametrize("enumerate_at", [1, 1 << 40], ids=["enumerated", "per-element"])
def test_quotients_are_correctly_rounded(q, enumerate_at, monkeypatch):
    monkeypatch.setattr(rounding, "F32_ENUMERATE_AT", enumerate_at)
    monkeypatch.setattr(rounding, "F32_ENUMERATE_AFTER", 1 << 60)
    x = _inputs()
    with np.errstate(over="ignore"):
        y = rounding.scaled(x, q, divide=True)
    bad = [(xi, yi) for xi, yi in zip(x.tolist(), y.tolist(), strict=True)
           if not correctly_rounded(np.float32(yi), Fraction(xi) / Fraction(q), np.float32)]
    assert not bad, bad[:3]


@pytest.mark.parametrize("q", [0.9, 0.8, 0.75, 2 / 3, 1 / 3, 0.123, 1e-3])
def test_products_are_correctly_rounded(q):
    """Classic inference multiplies by q: the same exact decision, with the two-product of x and q."""
    x = _inputs()
    y = rounding.scaled(x, q, divide=False)
    bad = [(xi, yi) for xi, yi in zip(x.tolist(), y.tolist(), strict=True)
           if not correctly_rounded(np.float32(yi), Fraction(xi) * Fraction(q), np.float32)]
    assert not bad, bad[:3]


def test_exact_ties_round_to_even():
    """x * q exactly on a float32 midpoint rounds to the even neighbour: (1 + 2**-23) * 0.75 is
    0.75 + 1.5 * 2**-24, between 0.75 + 2**-24 (odd) and 0.75 + 2**-23 (even). (A quotient x / q of a
    24-bit x by a float64 q can never be a 25-bit midpoint exactly.)"""
    x = np.array([1 + 2.0**-23, -(1 + 2.0**-23)], dtype=np.float32)
    y = rounding.exactly_rounded(x, 0.75, divide=False)
    assert y.tolist() == [0.75 + 2.0**-23, -(0.75 + 2.0**-23)]
    assert rounding.scaled(x, 0.75, divide=False).tolist() == y.tolist()
