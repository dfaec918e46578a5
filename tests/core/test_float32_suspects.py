"""Both ways of finding float32 suspects (per-element check, enumeration per q) give correctly rounded
results, including subnormal inputs and quotients that overflow."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import dropout_core._rounding as rounding
from properties.exact import correctly_rounded


def _inputs() -> np.ndarray:
    rng = np.random.default_rng(2024)
    normal = (rng.standard_normal(3000) * np.exp2(rng.uniform(-120, 120, 3000))).astype(np.float32)
    subnormal = rng.integers(1, 2**23, 500, dtype=np.uint32).view(np.float32)
    huge = np.array([3.0e38, -3.3e38, np.finfo(np.float32).max], dtype=np.float32)
    return np.concatenate([normal, subnormal, -subnormal, huge])


@pytest.mark.parametrize("q", [0.9, 0.7, 0.123, 1e-3, 0.999999])
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
