"""Tests of a sample of Gaussian dropout's factor ``e`` against N(1, sigma^2), each with an exact or bounded tail.

- mean: ``z = (mean - 1) sqrt(n) / sigma`` is exactly standard normal under H0 (a sum of normals);
- variance: ``S = sum((e - 1)^2) / sigma^2`` is exactly chi-square with n degrees of freedom (known mean);
- distribution: the Kolmogorov distance ``D`` has ``P(D > t) <= 2 exp(-2 n t^2)`` for every n and every law
  (Dvoretzky-Kiefer-Wolfowitz with Massart's constant), so its p-value is a bound, not an asymptotic; it holds for
  the law of ``e`` rounded to the dtype, which is the CDF ``rounded_cdf`` compares against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .exact import neighbours


@dataclass(frozen=True)
class VarianceDesign:
    """A two-sided chi-square test of ``Var(e) = sigma^2`` on ``n`` draws at ``alpha``, with its power against
    a variance ``(1 +/- delta) sigma^2``."""

    n: int
    alpha: float
    delta: float
    power: float

    def pvalue(self, statistic: float) -> float:
        """Two-sided: twice the smaller tail of chi-square(n) at ``statistic`` (= sum((e-1)^2) / sigma^2)."""
        tail = min(stats.chi2.sf(statistic, self.n), stats.chi2.cdf(statistic, self.n))
        return float(min(1.0, 2 * tail))


def _variance_power(n: int, alpha: float, delta: float) -> float:
    low, high = stats.chi2.ppf(alpha / 2, n), stats.chi2.isf(alpha / 2, n)
    # under a variance ratio r the statistic is r * chi2(n): the smaller of the two sides' powers
    up = stats.chi2.sf(high / (1 + delta), n) + stats.chi2.cdf(low / (1 + delta), n)
    down = stats.chi2.sf(high / (1 - delta), n) + stats.chi2.cdf(low / (1 - delta), n)
    return float(min(up, down))


def variance_design(delta: float, alpha: float, power: float) -> VarianceDesign:
    """The smallest n (to 1%) whose chi-square test at ``alpha`` has ``power`` against a relative variance error
    of ``delta`` either way."""
    high = 1024
    while _variance_power(high, alpha, delta) < power:
        high *= 2
    low = high // 2
    while high - low > max(1, high // 100):
        middle = (low + high) // 2
        low, high = (low, middle) if _variance_power(middle, alpha, delta) >= power else (middle, high)
    return VarianceDesign(n=high, alpha=alpha, delta=delta, power=_variance_power(high, alpha, delta))


def mean_pvalue(mean: float, n: int, sigma: float) -> float:
    """Two-sided p-value of ``E[e] = 1`` from the sample mean of n draws (exact normal)."""
    return float(2 * stats.norm.sf(abs(mean - 1.0) * math.sqrt(n) / sigma))


def mean_detectable(n: int, sigma: float, alpha: float, power: float) -> float:
    """The mean shift (in units of e) the two-sided z-test at ``alpha`` detects with ``power`` on n draws."""
    return float((stats.norm.isf(alpha / 2) + stats.norm.isf(1 - power)) * sigma / math.sqrt(n))


def dkw_pvalue(distance: float, n: int) -> float:
    """Massart's bound on ``P(D_n >= distance)`` under H0, for any law: a valid p-value."""
    return float(min(1.0, 2 * math.exp(-2 * n * distance * distance)))


def dkw_detectable(n: int, alpha: float, power: float) -> float:
    """A Kolmogorov distance between the true law and H0 that the DKW test at ``alpha`` detects with ``power``:
    the critical distance plus the deviation the sample reaches with probability ``1 - power`` (DKW again)."""
    return math.sqrt(math.log(2 / alpha) / (2 * n)) + math.sqrt(math.log(2 / (1 - power)) / (2 * n))


def rounded_cdf(values: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """For sorted distinct ``values`` of e in their dtype: ``P(round(e) < v)`` and ``P(round(e) <= v)`` under
    e ~ N(1, sigma^2), ``round`` to the nearest value of the dtype (each value collects the interval between the
    midpoints to its neighbours)."""
    below, above = neighbours(values)
    wide = values.astype(np.float64)
    low = 0.5 * (wide + below.astype(np.float64))
    high = 0.5 * (wide + above.astype(np.float64))
    law = stats.norm(1.0, sigma)
    return law.cdf(low), law.cdf(high)


def kolmogorov_distance(sample: np.ndarray, sigma: float) -> tuple[float, float]:
    """``(D, where)``: the largest gap between the sample's CDF and the rounded law's, and the value of e where
    it lies."""
    values, counts = np.unique(sample, return_counts=True)
    cumulative = np.cumsum(counts) / sample.size
    before = np.concatenate(([0.0], cumulative[:-1]))
    law_before, law_after = rounded_cdf(values, sigma)
    gaps = np.maximum(np.abs(cumulative - law_after), np.abs(before - law_before))
    worst = int(gaps.argmax())
    return float(gaps[worst]), float(values[worst])
