"""mask_rate: the fraction of kept elements is the keep probability q."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from ..context import Context, calls_for
from ..plan import Scope
from ..result import Case, PropertyResult, Verdict
from ..stats import BernoulliEProcess, RateDesign, rate_decision, rate_design
from .base import Check, guarded

SEQUENTIAL_SHARE = 0.1  # of each decision's alpha, spent on the anytime-valid early rejection


class MaskRate(Check):
    """The keep rate equals ``q = 1 - p`` for every tested dtype and ``p``.

    Guards bug classes 2 (keep and drop swapped: shows at any ``p != 0.5``), 3 (rate slightly off: 8-bit
    or bf16 thresholds, off-by-one comparisons, a rate rounded to fp16) and 12 (dropout never active).
    Test: exact binomial test of H0 ``P(keep) = q`` on ``y != 0`` for ``x = 1`` (alpha dropout: ``y`` nearer the
    kept value than the dropped one), plus equivalence: the
    Clopper-Pearson interval must lie inside ``q +/- delta``. The sample size is the smallest whose exact
    false-alarm probability is within the decision's alpha; power against a rate error of ``delta`` is
    then computed exactly from the binomial distribution (about 1 - 1e-9 by construction).

    Early stopping: a tenth of each decision's alpha goes to an anytime-valid test (``BernoulliEProcess``)
    looked at after every call, which fails a grossly wrong rate after a few calls instead of the whole
    sample; the fixed-sample test above gets the other nine tenths, so the decision's false-alarm
    probability stays within its alpha (union bound)."""

    name = "mask_rate"
    weight = 1.4  # in a fresh worker it pays the reference's one-off float32 enumerations (0.45 s)
    hypothesis = "P(element kept) = q = 1 - p"
    test = "exact binomial test + Clopper-Pearson interval inside q +/- delta"
    bug_classes = (2, 3, 12)
    not_for: ClassVar[dict[str, str]] = {
        "gaussian": "no element is dropped; the noise's law (noise_law) fixes P(e > 1) and every other quantile"}

    def decisions(self, scope: Scope) -> int:
        return len(scope.dtypes) * len(scope.tier.rate_ps)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        delta = ctx.tier.rate_delta
        result.effect_size = f"keep-rate error of {delta}"
        powers = []
        for dtype in ctx.dtypes:
            for p in ctx.tier.rate_ps:
                design = rate_design(1.0 - p, delta, ctx.alpha * (1 - SEQUENTIAL_SHARE))
                powers.append(design.power)
                result.cases += guarded(dtype, p, self._case, ctx, design, dtype, p)
        result.power = min(powers) if powers else None

    def _case(self, ctx: Context, design: RateDesign, dtype: np.dtype, p: float) -> Case:
        sequential = BernoulliEProcess(1.0 - p, ctx.alpha * SEQUENTIAL_SHARE)
        sizes = list(calls_for(design.n))
        seeds = ctx.call_seeds(len(sizes), self.name, dtype.name, repr(p))
        for size, call_seed in zip(sizes, seeds, strict=True):
            y = ctx.target.forward(np.ones(size, dtype=dtype), p, training=True, seed=call_seed)
            sequential.update(ctx.target.law.count(y, p), size)
            if sequential.rejected:
                return self._stopped(sequential, design.n, dtype, p)
        decision = rate_decision(sequential.kept, design.n, design)
        rate = decision.estimate
        low, high = decision.confidence_interval()
        message = "" if decision.passed else (
            f"keep rate {rate:.6f} vs q = {1 - p:.6f} (interval [{low:.6f}, {high:.6f}], "
            f"p-value {decision.pvalue:.3g})"
        )
        return Case(
            dtype=dtype.name, p=p, shape=[design.n], verdict=Verdict.of(decision.passed),
            estimate=rate, ci=[low, high], p_value=decision.pvalue, samples=design.n, message=message,
            extra={"q": 1 - p, "rate_error": rate - (1 - p), "power": design.power, "planned": design.n,
                   "delta": design.delta},
        )

    def key_estimate(self, result: PropertyResult) -> str:
        errors = [case.extra["rate_error"] for case in result.cases if "rate_error" in case.extra]
        return f"max rate error {max(errors, key=abs):+.2e}" if errors else super().key_estimate(result)

    @staticmethod
    def _stopped(sequential: BernoulliEProcess, planned: int, dtype: np.dtype, p: float) -> Case:
        """A rate rejected early: the estimate at the stop, and the anytime-valid p-value 1/E."""
        rate = sequential.kept / sequential.total
        p_value = min(1.0, math.exp(-sequential.log_e))
        e_value = math.exp(min(sequential.log_e, 700.0))
        return Case(
            dtype=dtype.name, p=p, shape=[sequential.total], verdict=Verdict.FAIL, estimate=rate, p_value=p_value,
            samples=sequential.total,
            message=f"keep rate {rate:.6f} vs q = {1 - p:.6f}: rejected by the anytime-valid test after "
                    f"{sequential.total:,} of {planned:,} planned samples (e-value {e_value:.3g})",
            extra={"q": 1 - p, "rate_error": rate - (1 - p), "planned": planned, "stopped_early": True},
        )
