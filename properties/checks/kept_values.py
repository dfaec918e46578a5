"""kept_values: every output is 0 or the kept value of the same index, rounded without bias."""

from __future__ import annotations

import math

import numpy as np

from .. import strategies as dst
from ..context import Context
from ..exact import correctly_rounded_quotient, ulp_distance
from ..plan import Scope
from ..result import Case, PropertyResult
from .base import Check, PropertyFailure, guarded, run_hypothesis
from .rounding import (
    SAMPLE_CALL,
    SYMMETRIC_MISS_SHARE,
    ULP_BOUND,
    RoundingTally,
    sample_inputs,
    sign_test_sample_size,
)


def expected_kept(x: np.ndarray, p: float, convention: str) -> np.ndarray:
    return correctly_rounded_quotient(x, 1.0 - p) if convention == "inverted" else x.copy()


class KeptValues(Check):
    """Each training output is exactly 0 or the kept value at the same index: ``x / q`` within one ulp
    of the correctly rounded value (inverted), ``x`` exactly (classic); and the rounding is unbiased.

    Guards bug classes 1 (wrong scale), 4 (a scale ``1/q`` rounded to the dtype before the multiply,
    which biases E[y]) and 15 (values at the wrong index of strided or permuted inputs). Test: a
    deterministic rule on inputs Hypothesis draws (non-contiguous, permuted, with zeros), which it shrinks
    on failure; and on a seeded sample, an exact sign test of H0 "a one-ulp mismatch is as likely to
    round the magnitude up as down". A pre-rounded scale moves every mismatch the same way; power 0.99
    against a one-way bias touching ``kept_mismatch_share`` of kept values, even amid one-ulp misses in both
    directions on ``SYMMETRIC_MISS_SHARE`` of them. The sampled rates have an inexact ``1/q`` in every dtype
    (a rounded scale at p = 0.5 is exact and biases nothing)."""

    name = "kept_values"
    weight = 0.7
    hypothesis = "kept outputs are x/q (inverted) or x (classic) within 1 ulp, at the same index, without bias"
    test = "exact rule on Hypothesis inputs + exact sign test on one-ulp mismatches"
    bug_classes = (1, 4, 15)

    def decisions(self, scope: Scope) -> int:
        return len(scope.dtypes) * len(scope.tier.kept_ps)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        result.effect_size = (f"one-way rounding of >= {ctx.tier.kept_mismatch_share:.1%} of kept values, amid "
                              f"{SYMMETRIC_MISS_SHARE:.0%} symmetric one-ulp misses")
        convention = ctx.target.convention
        for dtype in ctx.dtypes:
            self._rule(ctx, result, dtype, convention)
            for p in ctx.tier.kept_ps:
                result.cases += guarded(dtype, p, self._bias, ctx, dtype, p, convention)
        result.power = ctx.tier.power if any(case.p_value is not None for case in result.cases) else None
        bias = [case.extra["relative_bias_percent"] for case in result.cases if "relative_bias_percent" in case.extra]
        worst = [case.extra["worst_ulps"] for case in result.cases if "worst_ulps" in case.extra]
        if bias:
            result.estimate = max(bias, key=abs)
        if worst:
            summary = f"worst error {max(worst)} ulp, largest bias of E[y] {result.estimate:.3g}%"
            result.message = result.message or summary

    def key_estimate(self, result: PropertyResult) -> str:
        worst = max((case.extra["worst_ulps"] for case in result.cases if "worst_ulps" in case.extra), default=None)
        bias = [(case.extra["relative_bias_percent"], case.dtype) for case in result.cases
                if "relative_bias_percent" in case.extra]
        if worst is None or not bias:
            return super().key_estimate(result)
        value, dtype = max(bias, key=lambda item: abs(item[0]))
        return f"worst {worst} ulp; bias of E[y] {value:+.3g}% ({dtype})"

    def _rule(self, ctx: Context, result: PropertyResult, dtype: np.dtype, convention: str) -> None:
        strategy = dst.rule_examples(dtype)

        def rule(example: dict) -> None:
            x, p = example["x"], example["p"]
            y = ctx.target.forward(x, p, training=True, seed=example["seed"])
            if y.dtype != x.dtype:
                y = y.astype(x.dtype)
            kept = y != 0
            expected = expected_kept(x, p, convention)
            nonzero_expected = expected != 0
            distance = np.abs(ulp_distance(y[kept & nonzero_expected], expected[kept & nonzero_expected]))
            bound = ULP_BOUND if convention == "inverted" else 0
            bad = np.flatnonzero((kept & ~nonzero_expected).ravel())
            if bad.size:
                index = np.unravel_index(bad[0], x.shape)
                raise PropertyFailure(f"at index {index} x = 0 but y = {y[index]!r}")
            if distance.size and distance.max() > bound:
                where = np.argwhere(kept & nonzero_expected)[int(distance.argmax())]
                index = tuple(int(i) for i in where)
                raise PropertyFailure(
                    f"at index {index} (layout strides {x.strides}) x = {x[index]!r}, y = {y[index]!r}, "
                    f"expected {expected[index]!r} ({int(distance.max())} ulp away, bound {bound})"
                )

        explicit = [{"x": x, "p": 0.5, "seed": 7} for x in dst.layout_examples(dtype)]
        result.cases.append(run_hypothesis(ctx, dtype, self.name, strategy, rule, explicit=explicit))

    def _bias(self, ctx: Context, dtype: np.dtype, p: float, convention: str) -> Case:
        q = 1.0 - p
        rng = ctx.rng(self.name, "inputs", dtype.name, repr(p))
        tally = RoundingTally()
        calls = max(1, math.ceil(sign_test_sample_size(ctx) / q / SAMPLE_CALL))
        for call_seed in ctx.call_seeds(calls, self.name, dtype.name, repr(p)):
            x = sample_inputs(rng, dtype)
            y = ctx.target.forward(x, p, training=True, seed=call_seed)
            kept = np.asarray(y != 0)
            exact = x[kept].astype(np.float64) / (q if convention == "inverted" else 1.0)
            tally.add(y[kept], expected_kept(x[kept], p, convention), exact)
        return tally.case(ctx, dtype, p, ULP_BOUND if convention == "inverted" else 0, "kept value")
