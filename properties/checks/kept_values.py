"""kept_values: every output is the dropped value (0) or the kept value of the same index, rounded without bias."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from .. import strategies as dst
from ..context import Context
from ..plan import Scope
from ..result import Case, PropertyResult
from .base import Check, PropertyFailure, guarded, run_hypothesis
from .rounding import (
    SAMPLE_CALL,
    SYMMETRIC_MISS_SHARE,
    RoundingTally,
    sample_inputs,
    sign_test_sample_size,
)


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
    (a rounded scale at p = 0.5 is exact and biases nothing).

    Alpha dropout (``laws.Alpha``): each output is ``a x + b`` or ``a alpha' + b``, within four ulps of the largest
    term (a dtype computation rounds ``a``, ``a x`` and the sum); the sign test runs on positive ``x``, where no
    cancellation occurs and an ulp of the result is an ulp of the largest term. Guards a wrong ``alpha'``, ``a``
    or ``b`` (a relative error above about 4 ulps of the dtype)."""

    name = "kept_values"
    weight = 0.7
    hypothesis = "kept outputs are x/q (inverted) or x (classic) within 1 ulp, at the same index, without bias"
    test = "exact rule on Hypothesis inputs + exact sign test on one-ulp mismatches"
    bug_classes = (1, 4, 15)
    not_for: ClassVar[dict[str, str]] = {
        "gaussian": "the output takes a continuum of values; noise_law tests y / x against its law"}

    def decisions(self, scope: Scope) -> int:
        return len(scope.dtypes) * len(scope.tier.kept_ps)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        result.effect_size = (f"one-way rounding of >= {ctx.tier.kept_mismatch_share:.1%} of kept values, amid "
                              f"{SYMMETRIC_MISS_SHARE:.0%} symmetric one-ulp misses")
        for dtype in ctx.dtypes:
            self._rule(ctx, result, dtype)
            for p in ctx.tier.kept_ps:
                result.cases += guarded(dtype, p, self._bias, ctx, dtype, p)
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

    def _rule(self, ctx: Context, result: PropertyResult, dtype: np.dtype) -> None:
        strategy = dst.rule_examples(dtype)
        law = ctx.target.law
        bound = law.value_bound()

        def rule(example: dict) -> None:
            x, p = example["x"], example["p"]
            y = ctx.target.forward(x, p, training=True, seed=example["seed"])
            if y.dtype != x.dtype:
                y = y.astype(x.dtype)
            kept, clear = law.kept_from(y, x, p)
            kept_value, dropped_value = law.kept(x, p), law.dropped(x, p)
            kept_error, dropped_error = law.value_errors(y, x, p)
            # where the two values are too close to tell which one y is, y must be within the bound of either
            error = np.where(clear, np.where(kept, kept_error, dropped_error), np.minimum(kept_error, dropped_error))
            if error.size and error.max() > bound:
                index = tuple(int(i) for i in np.unravel_index(int(error.argmax()), x.shape))
                branch = "kept" if kept[index] and clear[index] else "dropped" if clear[index] else "either"
                expected = (repr(kept_value[index]) if branch == "kept" else repr(dropped_value[index])
                            if branch == "dropped" else f"{kept_value[index]!r} or {dropped_value[index]!r}")
                raise PropertyFailure(
                    f"at index {index} (layout strides {x.strides}) x = {x[index]!r}, y = {y[index]!r}, expected "
                    f"{expected} ({branch}; {float(error[index]):.3g} {law.value_metric} away, bound {bound})"
                )

        explicit = [{"x": x, "p": 0.5, "seed": 7} for x in dst.layout_examples(dtype)]
        result.cases.append(run_hypothesis(ctx, dtype, self.name, strategy, rule, explicit=explicit))

    def _bias(self, ctx: Context, dtype: np.dtype, p: float) -> Case:
        law = ctx.target.law
        rng = ctx.rng(self.name, "inputs", dtype.name, repr(p))
        tally = RoundingTally()
        calls = max(1, math.ceil(sign_test_sample_size(ctx) / (1.0 - p) / SAMPLE_CALL))
        for call_seed in ctx.call_seeds(calls, self.name, dtype.name, repr(p)):
            x = sample_inputs(rng, dtype)
            if law.name == "alpha":  # positive: a x + b without cancellation (b >= 0)
                x = np.abs(x)
            y = ctx.target.forward(x, p, training=True, seed=call_seed)
            kept, _ = law.kept_from(y, x, p)  # sample inputs are never 0 nor near alpha'
            tally.add(y[kept], law.kept(x[kept], p), law.exact_kept(x[kept], p))
        return tally.case(ctx, dtype, p, law.value_bound(), "kept value")
