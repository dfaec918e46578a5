"""backward_mask: the gradient flows through exactly the forward pass's mask."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .. import strategies as dst
from ..context import Context
from ..exact import correctly_rounded_quotient, smallest_normal, ulp_distance
from ..plan import Scope
from ..result import Case, PropertyResult, Verdict
from .base import Check, PropertyFailure, guarded, run_hypothesis
from .rounding import SAMPLE_CALL, ULP_BOUND, RoundingTally, sample_inputs, sign_test_sample_size

ZERO_INPUTS = 8192  # positions with x == 0 per statistical case
BACKWARD_P = 0.5


class BackwardMask(Check):
    """``dx`` of one ``forward_backward`` call is 0 exactly where that call's ``y`` dropped, and ``dy / q``
    (inverted, within one ulp) or ``dy`` (classic) where it kept, including where ``x == 0``.

    Guards bug classes 10 (backward draws another mask) and 11 (backward infers the mask from
    ``y != 0``, wrong where x is 0) and 4 in the backward pass (a scale rounded to the dtype). Test: an
    exact rule on Hypothesis inputs at normal x (the kept pattern of dx must equal that of y); at x == 0,
    where y cannot show the mask, an exact binomial test of H0 "P(dx != 0) = q" (a mask inferred from y
    keeps none there: p-value 2**-8191); on a seeded sample, the kept gradients against the correctly
    rounded dy/q with kept_values' sign test (power 0.99 against a one-way bias on 1% of them)."""

    name = "backward_mask"
    weight = 0.65
    hypothesis = "dx is zero exactly where y dropped; dy/q (inverted) or dy (classic) where kept"
    test = "exact rule on Hypothesis inputs + exact binomial test at x == 0 + sign test on gradient rounding"
    bug_classes = (4, 10, 11)
    needs_backward = True

    def decisions(self, scope: Scope) -> int:
        # one zero-input test per dtype, one sign test per dtype and rate
        return len(scope.dtypes) * (1 + len(scope.tier.kept_ps)) if scope.has_backward else 0

    def run(self, ctx: Context, result: PropertyResult) -> None:
        if not ctx.target.has_backward:
            result.verdict = Verdict.SKIPPED
            result.message = "the target has no forward_backward()"
            return
        result.effect_size = "a backward pass that keeps no element where x == 0"
        inverted = ctx.target.convention == "inverted"
        for dtype in ctx.dtypes:
            self._rule(ctx, result, dtype, inverted)
            result.cases += guarded(dtype, BACKWARD_P, self._zeros, ctx, dtype)
            for p in ctx.tier.kept_ps:
                result.cases += guarded(dtype, p, self._scale, ctx, dtype, p, inverted)
        result.power = ctx.tier.power  # the sign tests' (the zero-input tests have power 1)

    def _rule(self, ctx: Context, result: PropertyResult, dtype: np.dtype, inverted: bool) -> None:
        strategy = dst.rule_examples(dtype)

        def rule(example: dict) -> None:
            x, p = example["x"], example["p"]
            dy = np.ones_like(x) + np.arange(x.size, dtype=np.float64).reshape(x.shape).astype(x.dtype) % 3
            y, dx = ctx.target.forward_backward(x, dy, p, seed=example["seed"])
            # y shows the mask where x is a normal number; zeros (bug class 11) are tested below, and
            # subnormals may be flushed to zero by the framework (XLA on CPU does) without any dropout bug
            informative = np.asarray(np.abs(x.astype(np.float64)) >= smallest_normal(x.dtype))
            y_kept, dx_kept = np.asarray(y != 0), np.asarray(dx != 0)
            differ = informative & (y_kept != dx_kept)
            if differ.any():
                index = tuple(int(i) for i in np.argwhere(differ)[0])
                raise PropertyFailure(f"at {index}: y = {y[index]!r} but dx = {dx[index]!r} (x = {x[index]!r}): "
                                      "backward used another mask")
            expected = correctly_rounded_quotient(dy, 1.0 - p) if inverted else dy
            distance = np.abs(ulp_distance(dx[dx_kept].astype(x.dtype), expected[dx_kept]))
            if distance.size and distance.max() > (1 if inverted else 0):
                index = tuple(int(i) for i in np.argwhere(dx_kept)[int(distance.argmax())])
                raise PropertyFailure(f"at {index}: dx = {dx[index]!r}, expected {expected[index]!r}")

        result.cases.append(run_hypothesis(ctx, dtype, self.name, strategy, rule))

    def _scale(self, ctx: Context, dtype: np.dtype, p: float, inverted: bool) -> Case:
        """On a seeded sample, the gradient's kept values are dy/q within one ulp and rounded without bias
        (the same sign test as kept_values: a scale rounded to the dtype moves every miss one way)."""
        q = 1.0 - p
        rng = ctx.rng(self.name, "scale", dtype.name, repr(p))
        tally = RoundingTally()
        calls = max(1, math.ceil(sign_test_sample_size(ctx) / q / SAMPLE_CALL))
        for call_seed in ctx.call_seeds(calls, self.name, "scale", dtype.name, repr(p)):
            x, dy = sample_inputs(rng, dtype), sample_inputs(rng, dtype)
            _, dx = ctx.target.forward_backward(x, dy, p, seed=call_seed)
            kept = np.asarray(dx != 0)
            expected = correctly_rounded_quotient(dy[kept], q) if inverted else dy[kept]
            tally.add(dx[kept], expected, dy[kept].astype(np.float64) / (q if inverted else 1.0))
        return tally.case(ctx, dtype, p, ULP_BOUND if inverted else 0, "gradient value")

    def _zeros(self, ctx: Context, dtype: np.dtype) -> Case:
        x = np.zeros(ZERO_INPUTS, dtype=dtype)
        x[1::2] = 1  # half the inputs nonzero, so that the target sees an ordinary tensor
        zeros = ZERO_INPUTS // 2
        kept = 0
        for call_seed in ctx.call_seeds(2, self.name, "zeros", dtype.name):
            _, dx = ctx.target.forward_backward(x, np.ones_like(x), BACKWARD_P, seed=call_seed)
            kept += int(np.count_nonzero(np.asarray(dx)[x == 0]))
        n = 2 * zeros
        test = stats.binomtest(kept, n, 1 - BACKWARD_P)
        passed = test.pvalue >= ctx.alpha
        return Case(
            dtype=dtype.name, p=BACKWARD_P, shape=[ZERO_INPUTS], verdict=Verdict.of(passed),
            estimate=kept / n, p_value=float(test.pvalue), samples=n,
            message="" if passed else f"where x == 0 the gradient kept {kept}/{n}, expected about {n // 2}",
        )
