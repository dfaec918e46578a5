"""noise_law: Gaussian dropout's factor e = y / x follows N(1, p / q), independently of |x|."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from scipy import stats

from ...dropout_core import gaussian_sigma
from ..context import Context, calls_for
from ..noise_stats import (
    dkw_detectable,
    dkw_pvalue,
    kolmogorov_distance,
    mean_detectable,
    mean_pvalue,
    variance_design,
)
from ..plan import Scope
from ..result import Case, PropertyResult, Verdict
from .base import Check, guarded

# |x| levels: powers of two, so that y / x is e exactly; two levels, neither 1, so that noise added to x
# instead of multiplied shows as a variance of e that depends on |x| (sigma'^2 / x^2)
MAGNITUDES = (0.5, 2.0)
QUANTILES = np.linspace(0.005, 0.995, 199)  # the QQ plot's probabilities


class NoiseLaw(Check):
    """``y / x`` is distributed as ``e ~ N(1, p / q)`` (rounded to the dtype) at every ``|x|``.

    Guards bug class 21 for Gaussian dropout: a variance off by a few percent (``p / q`` computed as ``p`` or
    ``sqrt(p / q)``), noise added instead of multiplied, a non-normal law (uniform noise of the right moments).
    Tests, per dtype and rate, on ``x = +/-0.5`` and ``+/-2`` (so that ``y / x = e`` exactly): per level, an
    exact two-sided z-test of ``E[e] = 1`` and an exact chi-square test of ``Var(e) = p / q`` (known mean,
    n degrees of freedom), n computed for power ``tier.power`` against a variance error of
    ``noise_variance_delta``; over both levels, the Kolmogorov distance to the rounded law, whose p-value is the
    Dvoretzky-Kiefer-Wolfowitz-Massart bound (valid for every n). Findings carry no effect on E[y] for grading
    (a wrong variance or shape does not bias the mean): they always fail."""

    name = "noise_law"
    weight = 0.6
    hypothesis = "y / x ~ N(1, p/q) at every |x| (rounded to the dtype)"
    test = "exact z-test of the mean + exact chi-square test of the variance per |x| + DKW-bounded KS test"
    bug_classes = (21,)
    not_for: ClassVar[dict[str, str]] = {
        "bernoulli": "a two-point law: mask_rate and kept_values test its rate and values",
        "alpha": "a two-point law: mask_rate and kept_values test its rate and values",
    }

    def decisions(self, scope: Scope) -> int:
        # per dtype and rate: a mean and a variance test per level, one KS test
        return len(scope.dtypes) * len(scope.tier.unbiased_ps) * (2 * len(MAGNITUDES) + 1)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        design = variance_design(ctx.tier.noise_variance_delta, ctx.alpha, ctx.tier.power)
        total = design.n * len(MAGNITUDES)
        result.effect_size = (f"variance of e off by {design.delta:.1%}; Kolmogorov distance "
                              f"{dkw_detectable(total, ctx.alpha, ctx.tier.power):.4f}")
        result.power = design.power
        for dtype in ctx.dtypes:
            for p in ctx.tier.unbiased_ps:
                result.cases += guarded(dtype, p, self._cases, ctx, dtype, p, design.n)

    def key_estimate(self, result: PropertyResult) -> str:
        ratios = [(case.estimate, case.dtype) for case in result.cases
                  if case.extra.get("decision") == "variance" and case.estimate is not None]
        if not ratios:
            return super().key_estimate(result)
        value, dtype = max(ratios, key=lambda item: abs(item[0] - 1))
        return f"Var(e) / (p/q) = {value:.4f} ({dtype})"

    def _sample(self, ctx: Context, dtype: np.dtype, p: float, per_level: int) -> dict[float, np.ndarray]:
        """``per_level`` values of e = y / x at each |x| of ``MAGNITUDES``, in the dtype."""
        row = 2 * len(MAGNITUDES)
        levels = np.array([sign * m for m in MAGNITUDES for sign in (1.0, -1.0)])
        sizes = list(calls_for(per_level * len(MAGNITUDES), row))
        samples: dict[float, list[np.ndarray]] = {m: [] for m in MAGNITUDES}
        for size, seed in zip(sizes, ctx.call_seeds(len(sizes), self.name, dtype.name, repr(p)), strict=True):
            x = np.resize(levels, size).astype(dtype)
            y = ctx.target.forward(x, p, training=True, seed=seed).astype(np.float64)
            e = (y / x.astype(np.float64)).astype(dtype)  # exact: x is a power of two
            for index, magnitude in enumerate(MAGNITUDES):
                samples[magnitude].append(e.reshape(-1, row)[:, 2 * index:2 * index + 2].ravel())
        return {m: np.concatenate(parts)[:per_level] for m, parts in samples.items()}

    def _cases(self, ctx: Context, dtype: np.dtype, p: float, per_level: int) -> list[Case]:
        sigma = gaussian_sigma(p)
        design = variance_design(ctx.tier.noise_variance_delta, ctx.alpha, ctx.tier.power)
        samples = self._sample(ctx, dtype, p, per_level)
        cases = []
        for magnitude, e in samples.items():
            wide = e.astype(np.float64)
            if not np.all(np.isfinite(wide)):
                bad = int(np.count_nonzero(~np.isfinite(wide)))
                cases.append(Case(dtype=dtype.name, p=p, shape=[e.size], verdict=Verdict.FAIL, samples=e.size,
                                  message=f"|x| = {magnitude}: {bad} non-finite values of y / x",
                                  extra={"decision": "finite", "magnitude": magnitude}))
                continue
            mean = float(wide.mean())
            mean_p = mean_pvalue(mean, e.size, sigma)
            detectable = mean_detectable(e.size, sigma, ctx.alpha, ctx.tier.power)
            cases.append(Case(
                dtype=dtype.name, p=p, shape=[e.size], verdict=Verdict.of(mean_p >= ctx.alpha), estimate=mean,
                p_value=mean_p, samples=e.size,
                message="" if mean_p >= ctx.alpha else (f"at |x| = {magnitude} the mean of y / x is {mean:.5f}, "
                                                        f"expected 1 (z-test p = {mean_p:.3g})"),
                extra={"decision": "mean", "magnitude": magnitude, "detectable_shift": detectable}))
            statistic = float(np.square(wide - 1.0).sum()) / (sigma * sigma)
            ratio = statistic / e.size
            variance_p = design.pvalue(statistic)
            cases.append(Case(
                dtype=dtype.name, p=p, shape=[e.size], verdict=Verdict.of(variance_p >= ctx.alpha), estimate=ratio,
                p_value=variance_p, samples=e.size,
                message="" if variance_p >= ctx.alpha else (
                    f"at |x| = {magnitude} the variance of y / x is {ratio:.4f} times p / q = {sigma * sigma:.5g} "
                    f"(chi-square p = {variance_p:.3g})"),
                extra={"decision": "variance", "magnitude": magnitude, "power": design.power,
                       "delta": design.delta}))
        cases.append(self._fit(ctx, dtype, p, sigma, samples))
        return cases

    def _fit(self, ctx: Context, dtype: np.dtype, p: float, sigma: float, samples: dict[float, np.ndarray]) -> Case:
        pooled = np.concatenate(list(samples.values()))
        finite = pooled[np.isfinite(pooled.astype(np.float64))]
        distance, where = kolmogorov_distance(finite, sigma)
        p_value = dkw_pvalue(distance, finite.size)
        passed = p_value >= ctx.alpha and finite.size == pooled.size
        observed = np.quantile(finite.astype(np.float64), QUANTILES)
        expected = stats.norm(1.0, sigma).ppf(QUANTILES)
        return Case(
            dtype=dtype.name, p=p, shape=[pooled.size], verdict=Verdict.of(passed), estimate=distance,
            p_value=p_value, samples=pooled.size,
            message="" if passed else (f"y / x is not N(1, p/q): the CDFs differ by {distance:.4f} at e = {where:.4g} "
                                       f"(DKW bound on the p-value {p_value:.3g})"),
            extra={"decision": "distribution", "where": where, "sigma": sigma,
                   "qq": {"probabilities": QUANTILES.tolist(), "observed": observed.tolist(),
                          "expected": expected.tolist()}},
        )
