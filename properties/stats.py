"""Statistical building blocks: tests, confidence intervals, power and the sample sizes they imply.

Every decision of the battery goes through here, so each states its null hypothesis, its alpha and its
power against a named effect size. Distributions come from scipy.stats; nothing here is approximated
where scipy has the exact distribution.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import stats


def two_sided_z(alpha: float) -> float:
    """The standard normal quantile that a two-sided test at level ``alpha`` rejects beyond."""
    return float(stats.norm.isf(alpha / 2))


def clopper_pearson(k: np.ndarray | int, n: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) two-sided ``1 - alpha`` interval for a binomial proportion, vectorised over k.

    The same beta quantiles as ``scipy.stats.binomtest(k, n).proportion_ci(method="exact")``."""
    k = np.asarray(k, dtype=float)
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
        high = np.where(k < n, stats.beta.isf(alpha / 2, k + 1, n - k), 1.0)
    return low, high


@dataclass(frozen=True)
class RateDesign:
    """Sample size and operating characteristics of one keep-rate decision.

    H0: the keep probability is ``q``. The decision fails the target when the exact binomial test rejects
    at ``alpha_test`` or when the Clopper-Pearson ``1 - alpha_test`` interval is not inside ``q +/- delta``
    (equivalence: a pass is a confirmation, not a failure to reject)."""

    q: float
    delta: float
    alpha: float  # the whole decision's false-alarm budget
    n: int
    false_alarm: float  # exact P(fail | rate == q)
    power: float  # exact P(fail | rate == q +/- delta), the worse side

    @property
    def alpha_test(self) -> float:
        return self.alpha / 2


def _first_true(predicate: Callable[[np.ndarray], np.ndarray], low: int, high: int, probes: int = 8) -> int:
    """The smallest k in [low, high] with ``predicate(k)`` for a predicate false then true; high + 1 if none.

    ``predicate`` is vectorised over k: each round evaluates ``probes`` points in one call, so the range
    shrinks 8-fold per round instead of 2-fold per scalar call (beta quantiles cost per point, so more
    points per round stop paying: 8 was fastest of 4 to 64)."""
    if low > high:
        return low
    while True:
        ks = np.unique(np.linspace(low, high, min(probes, high - low + 1)).round().astype(np.int64))
        hits = np.asarray(predicate(ks), dtype=bool)
        if not hits.any():
            return high + 1
        first = int(np.argmax(hits))
        if first == 0:
            return int(ks[0])
        low, high = int(ks[first - 1]) + 1, int(ks[first])
        if low == high:
            return low


def _acceptance(n: int, q: float, delta: float, alpha_test: float) -> tuple[int, int]:
    """The counts k that pass, ``[first, last]``: the Clopper-Pearson interval inside ``q +/- delta`` and
    containing ``q``. Each of the four conditions is monotone in k, so the passing counts are one interval,
    found by bisection on its ends instead of computing the interval of every k."""

    def low(k: np.ndarray) -> np.ndarray:
        return clopper_pearson(k, n, alpha_test)[0]

    def high(k: np.ndarray) -> np.ndarray:
        return clopper_pearson(k, n, alpha_test)[1]

    first = max(_first_true(lambda k: low(k) >= q - delta, 0, n), _first_true(lambda k: high(k) >= q, 0, n))
    last = min(_first_true(lambda k: high(k) > q + delta, 0, n), _first_true(lambda k: low(k) > q, 0, n)) - 1
    return first, last


def _fail_probability(n: int, rate: float, first: int, last: int) -> float:
    """P(k outside [first, last]) for k ~ Binomial(n, rate), summed from both tails (no 1 - x cancellation)."""
    if first > last:
        return 1.0
    return float(stats.binom.cdf(first - 1, n, rate) + stats.binom.sf(last, n, rate))


@lru_cache(maxsize=256)
def rate_design(q: float, delta: float, alpha: float) -> RateDesign:
    """The smallest sample (on a 2% grid) whose exact false-alarm probability is at most ``alpha``.
    Cached: every dtype of a run asks for the same designs."""
    alpha_test = alpha / 2
    z = two_sided_z(alpha_test)
    n = max(32, math.ceil(q * (1 - q) * (2 * z / delta) ** 2))
    while True:
        first, last = _acceptance(n, q, delta, alpha_test)
        false_alarm = _fail_probability(n, q, first, last)
        if false_alarm <= alpha:
            break
        n = math.ceil(n * 1.02)
    power = min(_fail_probability(n, min(1.0, q + delta), first, last),
                _fail_probability(n, max(0.0, q - delta), first, last))
    return RateDesign(q=q, delta=delta, alpha=alpha, n=n, false_alarm=false_alarm, power=power)


class ConfidenceInterval(NamedTuple):
    """``(low, high)`` with names, as scipy's ``ConfidenceInterval``."""

    low: float
    high: float


@dataclass(frozen=True)
class RateDecision:
    """One keep-rate decision, as scipy's ``BinomTestResult``: the count, the exact p-value, the interval."""

    kept: int
    n: int
    pvalue: float
    low: float
    high: float
    passed: bool

    @property
    def estimate(self) -> float:
        return self.kept / self.n

    def confidence_interval(self) -> ConfidenceInterval:
        """The Clopper-Pearson interval at the design's ``1 - alpha_test``."""
        return ConfidenceInterval(low=self.low, high=self.high)


def rate_decision(k: int, n: int, design: RateDesign) -> RateDecision:
    """The decision for ``k`` kept out of ``n`` under ``design``."""
    test = stats.binomtest(k, n, design.q)
    ci = test.proportion_ci(confidence_level=1 - design.alpha_test, method="exact")
    inside = design.q - design.delta <= ci.low and ci.high <= design.q + design.delta
    return RateDecision(kept=k, n=n, pvalue=float(test.pvalue), low=float(ci.low), high=float(ci.high),
                        passed=bool(test.pvalue >= design.alpha_test and inside))


@dataclass(frozen=True)
class BernsteinMeanDesign:
    """A test on the total ``S`` of ``calls`` calls, each a sum of independent terms with an exactly known null
    mean ``mean`` and variance ``variance`` per call, every centred term bounded by ``bound`` in magnitude.

    H0: E[S] = calls * mean. Bernstein's inequality bounds each tail without asymptotics:
    ``P(|S - E S| >= t) <= 2 exp(-t**2 / (2 (V + bound t / 3)))`` with ``V = calls * variance``. The decision
    fails when that bound, as a p-value, is below ``alpha / 2``, or when the interval of the relative bias
    (``S`` relative to its null mean, plus or minus the deviation at which the bound reaches ``alpha / 2``) is
    not inside ``+/- delta``. ``calls`` is the smallest for which a correct target's interval is inside the
    margin whenever the test does not reject, so P(fail | H0) <= alpha / 2 by the bound alone. Power against a
    relative bias of ``delta`` is a normal approximation."""

    delta: float
    alpha: float
    mean: float
    variance: float
    bound: float
    calls: int
    power: float

    def deviation(self, calls: int | None = None) -> float:
        """The t at which the two-sided Bernstein bound equals alpha / 2."""
        level = math.log(4 / self.alpha)
        total_variance = (self.calls if calls is None else calls) * self.variance
        linear = self.bound * level / 3
        return linear + math.sqrt(linear * linear + 2 * total_variance * level)

    def pvalue(self, total: float) -> float:
        t = abs(total - self.calls * self.mean)
        exponent = t * t / (2 * (self.calls * self.variance + self.bound * t / 3))
        return float(min(1.0, 2 * math.exp(-exponent)))

    def interval(self, total: float) -> tuple[float, float]:
        """The relative bias of ``total`` and its half-width at alpha / 2, as an interval."""
        centre = total / (self.calls * self.mean) - 1
        half = self.deviation() / (self.calls * self.mean)
        return centre - half, centre + half


def bernstein_mean_design(delta: float, alpha: float, mean: float, variance: float, bound: float,
                          power_bias: float | None = None) -> BernsteinMeanDesign:
    """Calls so that ``2 * deviation(calls) <= delta * calls * mean`` (a correct target's interval fits)."""
    if not (mean > 0 and variance >= 0 and bound >= 0 and 0 < delta < 1 and 0 < alpha < 1):
        raise ValueError(f"bad design: mean={mean}, variance={variance}, bound={bound}, delta={delta}, alpha={alpha}")
    level = math.log(4 / alpha)
    half_margin = delta * mean / 2
    # (c K - b L / 3)**2 >= (b L / 3)**2 + 2 K V L  <=>  K >= (2 c b L / 3 + 2 V L) / c**2, c = delta mean / 2
    calls = max(1, math.ceil((2 * half_margin * bound * level / 3 + 2 * variance * level) / half_margin**2))
    design = BernsteinMeanDesign(delta=delta, alpha=alpha, mean=mean, variance=variance, bound=bound, calls=calls,
                                 power=0.0)
    shift = (delta if power_bias is None else power_bias) * calls * mean
    spread = math.sqrt(calls * variance) or 1.0
    t = design.deviation()
    power = float(stats.norm.sf((t - shift) / spread) + stats.norm.cdf((-t - shift) / spread))
    return BernsteinMeanDesign(delta=delta, alpha=alpha, mean=mean, variance=variance, bound=bound, calls=calls,
                               power=max(power, 0.0))


def sign_test(up: int, down: int) -> float:
    """Two-sided exact sign test p-value, H0: a rounding mismatch is as likely upward as downward."""
    if up + down == 0:
        return 1.0
    return float(stats.binomtest(up, up + down, 0.5).pvalue)


class BernoulliEProcess:
    """An anytime-valid test of H0: P(X = 1) = q for a stream of Bernoulli draws, seen as running counts.

    The e-process is the average, over a grid of bets lambda, of the wealth prod(1 + lambda (X_i - q)):
    each is a nonnegative martingale with mean 1 under H0, so their average is too, and by Ville's
    inequality P(sup_t E_t >= 1/alpha) <= alpha under H0, however often it is looked at and whenever the
    sampling stops. It depends on the draws only through the counts (kept, total). The grid spans bets
    from 2**-25 to 1/2 of the largest allowed on each side, so it adapts to rate errors from about 1e-7
    to 0.5 at a cost of log(50) nats against the best single bet (Waudby-Smith and Ramdas 2024, "Estimating
    means of bounded random variables by betting", JRSS B)."""

    SCALES = np.exp2(-np.arange(1, 26))

    def __init__(self, q: float, alpha: float) -> None:
        if not 0 < q < 1:
            raise ValueError(f"q must be in (0, 1) for a sequential test, got {q!r}")
        self.q, self.alpha = q, alpha
        bets = np.concatenate([self.SCALES / q, -self.SCALES / (1 - q)])  # 1 + lambda (X - q) > 0 for X in {0, 1}
        self._log_up = np.log1p(bets * (1 - q))  # log factor of a kept draw, per bet
        self._log_down = np.log1p(-bets * q)  # ... of a dropped draw
        self.kept = self.total = 0

    def update(self, kept: int, total: int) -> None:
        self.kept += kept
        self.total += total

    @property
    def log_e(self) -> float:
        """log of the e-value: the average wealth over the grid of bets."""
        log_wealth = self.kept * self._log_up + (self.total - self.kept) * self._log_down
        return float(np.logaddexp.reduce(log_wealth) - math.log(log_wealth.size))

    @property
    def rejected(self) -> bool:
        return self.log_e >= math.log(1 / self.alpha)
