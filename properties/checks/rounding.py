"""Shared by kept_values and backward_mask: tally how scaled values are rounded, and judge the tally.

A correctly rounding target lands on the correctly rounded value; a faithful one may miss by one ulp,
but as often up as down. A scale rounded to the dtype first moves every miss the same way, biasing E[y].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..context import Context
from ..exact import ulp_distance
from ..result import Case, Verdict
from ..stats import sign_test

SAMPLE_CALL = 65536  # elements per call of a rounding sample
ULP_BOUND = 1  # faithful rounding: at most one step from the correctly rounded value
# A faithful target may miss the correctly rounded value by one ulp in both directions (a product computed in
# a wider type and rounded twice, say): the sign test keeps its power against a one-way bias amid this share.
SYMMETRIC_MISS_SHARE = 0.2


def sample_inputs(rng: np.random.Generator, dtype: np.dtype, size: int = SAMPLE_CALL) -> np.ndarray:
    """Nonzero values over 16 binades with random signs, so rounding errors are not aligned
    (and x / q stays finite in float16 for p <= 0.99)."""
    magnitude = np.exp2(rng.uniform(-8, 8, size))
    return (magnitude * rng.choice([-1.0, 1.0], size)).astype(dtype)


def sign_test_power(n: int, share: float, symmetric_share: float, alpha: float) -> float:
    """Power of the two-sided exact sign test at ``alpha`` on ``n`` values of which a share ``share`` miss one
    way and ``symmetric_share`` miss either way at random (normal approximation of up - down, whose mean is
    ``n share`` and variance ``n (share + symmetric_share)``; the test rejects at ``|up - down| >= z sqrt(M)``)."""
    mismatches = n * (share + symmetric_share)
    z = float(stats.norm.isf(alpha / 2))
    return float(stats.norm.sf((z * math.sqrt(mismatches) - n * share) / math.sqrt(mismatches)))


def sign_test_sample_size(ctx: Context) -> int:
    """Scaled values needed so that a one-way bias on a share s of them gives a significant sign test with the
    tier's power: when every miss is one-way, m >= log2(2 / alpha) misses and P(Bin(n, s) >= m) >= power;
    amid ``SYMMETRIC_MISS_SHARE`` of symmetric misses, ``sign_test_power`` >= power."""
    needed = math.ceil(math.log2(2 / ctx.alpha))
    share = ctx.tier.kept_mismatch_share
    n = math.ceil(needed / share)
    while (stats.binom.sf(needed - 1, n, share) < ctx.tier.power
           or sign_test_power(n, share, SYMMETRIC_MISS_SHARE, ctx.alpha) < ctx.tier.power):
        n = math.ceil(n * 1.05)
    return max(n, 10_000)


@dataclass
class RoundingTally:
    """Counts of scaled values equal to, one ulp above or below (in magnitude) the correctly rounded one."""

    up: int = 0
    down: int = 0
    exact: int = 0
    worst: int = 0
    relative_sum: float = 0.0
    relative_max: float = 0.0  # the largest |relative error|: a bound on the relative bias of E[y] it implies

    def add(self, got: np.ndarray, expected: np.ndarray, exact_value: np.ndarray) -> None:
        """``got`` and ``expected`` in the target's dtype; ``exact_value`` the unrounded value in float64."""
        got = got.astype(expected.dtype)
        distance = ulp_distance(got, expected) * np.sign(expected.astype(np.float64)).astype(np.int64)
        self.up += int(np.count_nonzero(distance > 0))
        self.down += int(np.count_nonzero(distance < 0))
        self.exact += int(np.count_nonzero(distance == 0))
        self.worst = max(self.worst, int(np.abs(distance).max(initial=0)))
        with np.errstate(invalid="ignore", divide="ignore"):
            relative = (got.astype(np.float64) - exact_value) / exact_value
        finite = relative[np.isfinite(relative)]
        self.relative_sum += float(np.sum(finite))
        if finite.size < relative.size:  # a NaN or an infinity where the exact value is finite
            self.relative_max = math.inf
        self.relative_max = max(self.relative_max, float(np.abs(finite).max(initial=0.0)))

    @property
    def total(self) -> int:
        return self.up + self.down + self.exact

    def case(self, ctx: Context, dtype: np.dtype, p: float, bound: int, what: str) -> Case:
        """Fail beyond ``bound`` ulps, or when the sign test rejects at the decision's alpha; a failure's effect is
        the largest relative error of a value, which bounds the relative bias of E[y] the rounding implies."""
        p_value = sign_test(self.up, self.down)
        bias_percent = 100 * self.relative_sum / self.total if self.total else 0.0
        message = ""
        if self.worst > bound:
            message = f"a {what} is {self.worst} ulp from the correctly rounded value (bound {bound})"
        elif p_value < ctx.alpha:
            message = (f"{what}s are rounded one way: {self.up} one ulp too large vs {self.down} too small "
                       f"(sign test p = {p_value:.3g}); implied bias {bias_percent:.3g}%")
        return Case(
            dtype=dtype.name, p=p, shape=[SAMPLE_CALL], verdict=Verdict.of(not message), estimate=bias_percent,
            p_value=p_value, samples=self.total, message=message, effect=self.relative_max if message else None,
            extra={"worst_ulps": self.worst, "mismatch_up": self.up, "mismatch_down": self.down,
                   "mismatch_share": (self.up + self.down) / self.total if self.total else 0.0,
                   "relative_bias_percent": bias_percent, "largest_relative_error": self.relative_max},
        )
