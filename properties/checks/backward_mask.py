"""backward_mask: the gradient flows through exactly the forward pass's mask."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .. import strategies as dst
from ..context import Context
from ..exact import smallest_normal, ulp_distance
from ..plan import Scope
from ..result import Case, PropertyResult, Verdict
from .base import Check, PropertyFailure, guarded, run_hypothesis
from .rounding import SAMPLE_CALL, RoundingTally, sample_inputs, sign_test_sample_size

GAUSSIAN_RULE_RATES = (0.5, 0.1, 1 / 3, 0.9)  # where e's variance p / q stays moderate
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
    rounded dy/q with kept_values' sign test (power 0.99 against a one-way bias on 1% of them).

    Alpha dropout: the same with ``a * dy`` where kept (``y`` shows the mask through its two values). Gaussian
    dropout: with ``dy = s * x`` for powers of two ``s``, ``dx = dy * e = s * (x * e)`` must equal ``s * y``
    bit for bit when the gradient uses the forward pass's own draw and rounding (a fresh draw differs almost
    everywhere); deterministic, so it spends no alpha."""

    name = "backward_mask"
    weight = 0.65
    hypothesis = "dx is zero exactly where y dropped; dy/q (inverted) or dy (classic) where kept"
    test = "exact rule on Hypothesis inputs + exact binomial test at x == 0 + sign test on gradient rounding"
    bug_classes = (4, 10, 11)
    needs_backward = True

    def decisions(self, scope: Scope) -> int:
        # one zero-input test per dtype, one sign test per dtype and rate (the Gaussian rule decides exactly)
        if not scope.has_backward or scope.law == "gaussian":
            return 0
        return len(scope.dtypes) * (1 + len(scope.tier.kept_ps))

    def run(self, ctx: Context, result: PropertyResult) -> None:
        if not ctx.target.has_backward:
            result.verdict = Verdict.SKIPPED
            result.message = "the target has no forward_backward()"
            return
        if not ctx.target.law.two_point:
            for dtype in ctx.dtypes:
                self._same_draw(ctx, result, dtype)
            return
        result.effect_size = "a backward pass that keeps no element where x == 0"
        for dtype in ctx.dtypes:
            self._rule(ctx, result, dtype)
            result.cases += guarded(dtype, BACKWARD_P, self._zeros, ctx, dtype)
            for p in ctx.tier.kept_ps:
                result.cases += guarded(dtype, p, self._scale, ctx, dtype, p)
        result.power = ctx.tier.power  # the sign tests' (the zero-input tests have power 1)

    def _same_draw(self, ctx: Context, result: PropertyResult, dtype: np.dtype) -> None:
        """Gaussian noise: ``dx == s * y`` exactly for ``dy = s * x``, ``s`` a power of two per element."""
        strategy = dst.rule_examples(dtype, GAUSSIAN_RULE_RATES)
        finfo = np.finfo(dtype)

        def rule(example: dict) -> None:
            x, p = example["x"], example["p"]
            s = np.resize(np.array([1.0, -2.0, 0.5, -1.0, 2.0, -0.5]), x.shape)
            with np.errstate(over="ignore"):
                dy = (s * x.astype(np.float64)).astype(dtype)
            y, dx = ctx.target.forward_backward(x, dy, p, seed=example["seed"])
            wide_y, wide_dx = y.astype(np.float64), dx.astype(np.float64)

            def exact_range(values: np.ndarray) -> np.ndarray:  # where s * values is exact in the dtype
                magnitude = np.abs(values.astype(np.float64))
                return (magnitude >= 4 * float(finfo.smallest_normal)) & (magnitude <= float(finfo.max) / 4)

            informative = exact_range(x) & exact_range(y)
            differ = informative & (wide_dx != s * wide_y)
            if differ.any():
                index = tuple(int(i) for i in np.argwhere(differ)[0])
                raise PropertyFailure(
                    f"at {index}: x = {x[index]!r}, dy = {dy[index]!r} = {s[index]} x, y = {y[index]!r}, so "
                    f"dx = dy * e = {s[index] * wide_y[index]!r}, got {dx[index]!r} "
                    f"({int(differ.sum())} of {int(informative.sum())} differ): the gradient's e is not the "
                    "forward pass's")

        result.cases.append(run_hypothesis(ctx, dtype, self.name, strategy, rule))

    def _rule(self, ctx: Context, result: PropertyResult, dtype: np.dtype) -> None:
        strategy = dst.rule_examples(dtype)
        law = ctx.target.law

        def rule(example: dict) -> None:
            x, p = example["x"], example["p"]
            dy = np.ones_like(x) + np.arange(x.size, dtype=np.float64).reshape(x.shape).astype(x.dtype) % 3
            y, dx = ctx.target.forward_backward(x, dy, p, seed=example["seed"])
            y = y.astype(x.dtype) if y.dtype != x.dtype else y  # a changed dtype is contract's finding
            # y shows the mask where x is a normal number; zeros (bug class 11) are tested below, and
            # subnormals may be flushed to zero by the framework (XLA on CPU does) without any dropout bug
            y_kept, clear = law.kept_from(y, x, p)
            informative = clear & np.asarray(np.abs(x.astype(np.float64)) >= smallest_normal(x.dtype))
            dx_kept = np.asarray(dx != 0)
            differ = informative & (y_kept != dx_kept)
            if differ.any():
                index = tuple(int(i) for i in np.argwhere(differ)[0])
                raise PropertyFailure(f"at {index}: y = {y[index]!r} but dx = {dx[index]!r} (x = {x[index]!r}): "
                                      "backward used another mask")
            expected = law.gradient(dy, p)
            distance = np.abs(ulp_distance(dx[dx_kept].astype(x.dtype), expected[dx_kept]))
            if distance.size and distance.max() > law.gradient_bound():
                index = tuple(int(i) for i in np.argwhere(dx_kept)[int(distance.argmax())])
                raise PropertyFailure(f"at {index}: dx = {dx[index]!r}, expected {expected[index]!r}")

        result.cases.append(run_hypothesis(ctx, dtype, self.name, strategy, rule))

    def _scale(self, ctx: Context, dtype: np.dtype, p: float) -> Case:
        """On a seeded sample, the gradient's kept values are dy/q (a dy for alpha) within one ulp and rounded
        without bias (the same sign test as kept_values: a scale rounded to the dtype moves every miss one way)."""
        q = 1.0 - p
        law = ctx.target.law
        rng = ctx.rng(self.name, "scale", dtype.name, repr(p))
        tally = RoundingTally()
        calls = max(1, math.ceil(sign_test_sample_size(ctx) / q / SAMPLE_CALL))
        for call_seed in ctx.call_seeds(calls, self.name, "scale", dtype.name, repr(p)):
            x, dy = sample_inputs(rng, dtype), sample_inputs(rng, dtype)
            _, dx = ctx.target.forward_backward(x, dy, p, seed=call_seed)
            kept = np.asarray(dx != 0)
            tally.add(dx[kept], law.gradient(dy[kept], p), law.exact_gradient(dy[kept], p))
        return tally.case(ctx, dtype, p, law.gradient_bound(), "gradient value")

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
