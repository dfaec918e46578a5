"""unbiased: the training output's expectation equals the inference output."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from ..context import Context
from ..laws import Bernoulli, Law
from ..plan import Scope
from ..result import Case, PropertyResult, Verdict
from ..stats import bernstein_mean_design
from .base import Check, guarded

ROW = 1 << 16  # elements of the fixed input vector; every call sees the same x (long: fewer, cheaper calls)


class Unbiased(Check):
    """E[y_train] = y_eval: inverted dropout's mean output is ``x``, classic dropout's is ``q * x``, the
    value each returns at inference. Both conventions share this train/inference consistency.

    Guards bug classes 1 (wrong scale: mixing the conventions) and 12 (dropout active at inference or
    never in training). Test: on a fixed positive ``x``, over K calls, the sum of all outputs is a sum of
    independent Bernoulli-weighted kept values with an exactly known null mean and variance, each term
    bounded; Bernstein's inequality bounds both tails without asymptotics, the test rejects where that bound
    is below alpha / 2, and the interval of the relative bias must lie inside ``+/- bias_delta``
    (equivalence). K is the smallest that keeps a correct target's interval inside the margin whenever the
    test does not reject; power against a relative bias of ``bias_delta`` follows (about 1 - 1e-9).

    The law (``laws``) supplies each element's two values, kept ``v1`` with probability q and dropped ``v0``:
    null mean ``q v1 + p v0``, variance ``p q (v1 - v0)^2``. Alpha dropout's mean ``a q x`` is not its inference
    output ``x``: its train/inference agreement holds for standardized input only (mean 0, variance 1), which
    the exact ``a``, ``b``, ``alpha'`` (kept_values) and rate (mask_rate) imply."""

    name = "unbiased"
    weight = 0.5
    hypothesis = "E[y_train] = the law's mean: y_eval (x inverted, q*x classic); a*q*x for alpha dropout"
    test = "Bernstein-bounded test on the total output (exact null mean and variance) + equivalence margin"
    bug_classes = (1, 12, 21)
    not_for: ClassVar[dict[str, str]] = {
        "gaussian": "E[y] = x is noise_law's exact test of E[e] = 1 (an unbounded output has no Bernstein bound)"}

    def decisions(self, scope: Scope) -> int:
        return len(scope.dtypes) * len(scope.tier.unbiased_ps)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        result.effect_size = f"relative bias of E[y] of {ctx.tier.bias_delta:.2%}"
        for dtype in ctx.dtypes:
            x = ctx.rng(self.name, dtype.name).uniform(0.5, 1.5, ROW).astype(dtype)
            for p in ctx.tier.unbiased_ps:
                result.cases += guarded(dtype, p, self._case, ctx, dtype, p, x)
        powers = [case.extra["power"] for case in result.cases if "power" in case.extra]
        result.power = min(powers) if powers else None

    def key_estimate(self, result: PropertyResult) -> str:
        pairs = [(case.estimate, case.dtype) for case in result.cases if case.estimate is not None]
        if not pairs:
            return super().key_estimate(result)
        value, dtype = max(pairs, key=lambda item: abs(item[0]))
        return f"relative bias {100 * value:+.3f}% ({dtype})"

    def _case(self, ctx: Context, dtype: np.dtype, p: float, x: np.ndarray) -> Case:
        q = 1.0 - p
        law = ctx.target.law
        kept_value = law.kept(x, p).astype(np.float64)
        dropped_value = law.dropped(x, p).astype(np.float64)
        step = kept_value - dropped_value
        null_mean = float(q * kept_value.sum() + p * dropped_value.sum())  # per call
        null_variance = float(q * (1 - q) * np.square(step).sum())
        bound = max(q, 1 - q) * float(np.abs(step).max())  # |(v1 - v0)(m - q)| for a Bernoulli(q) m
        design = bernstein_mean_design(ctx.tier.bias_delta, ctx.alpha, null_mean, null_variance, bound)
        calls = design.calls
        y_eval = ctx.target.forward(x, p, training=False, seed=0).astype(np.float64)
        total = energy = 0.0
        for call_seed in ctx.call_seeds(calls, self.name, dtype.name, repr(p)):
            y = ctx.target.forward(x, p, training=True, seed=call_seed).astype(np.float64)
            total += float(y.sum())
            energy += float(np.square(y).sum())
        z = (total - calls * null_mean) / math.sqrt(calls * null_variance)
        p_value = design.pvalue(total)
        relative = total / (calls * null_mean) - 1
        ci = list(design.interval(total))
        inside = -design.delta <= ci[0] and ci[1] <= design.delta
        passed = p_value >= ctx.alpha / 2 and inside
        eval_expected = float(law.inference(x, p).astype(np.float64).sum())
        eval_gap = float(y_eval.sum() / eval_expected - 1)
        message = "" if passed else (
            f"mean training output is {relative:+.4%} off its expectation (interval [{ci[0]:+.4%}, "
            f"{ci[1]:+.4%}], p-value {p_value:.3g}); inference output sums {eval_gap:+.4%} off"
        )
        return Case(
            dtype=dtype.name, p=p, shape=[ROW], verdict=Verdict.of(passed), estimate=relative, ci=ci,
            p_value=p_value, samples=calls * ROW, message=message,
            effect=None if passed else max(abs(ci[0]), abs(ci[1])),  # every bias the interval allows
            extra={"calls": calls, "z": z, "power": design.power, "train_vs_eval_relative": relative + 0.0,
                   "eval_relative_to_expected": eval_gap, **self._energy(law, x, energy / calls, q)},
        )

    @staticmethod
    def _energy(law: Law, x: np.ndarray, energy: float, q: float) -> dict[str, float]:
        """Bernoulli's energy view of the same sample: ||y||^2 / ||x||^2 is 1/q with the 1/q scaling, q without.
        Other two-point laws (alpha): the measured second moment over the law's, q v1^2 + p v0^2 per element."""
        if not isinstance(law, Bernoulli):
            p = 1.0 - q
            kept, dropped = (v.astype(np.float64) for v in (law.kept(x, p), law.dropped(x, p)))
            expected = float(q * np.square(kept).sum() + p * np.square(dropped).sum())
            return {"second_moment_ratio": energy / expected}
        measured = energy / float(np.square(x.astype(np.float64)).sum())
        inverted = law.convention == "inverted"
        scaled, unscaled = (measured, measured * q * q) if inverted else (measured / (q * q), measured)
        return {"energy_scaled": scaled, "energy_unscaled": unscaled, "energy_expected_scaled": 1.0 / q,
                "energy_expected_unscaled": q}
