"""independence_samples: the rows (samples) of a batch draw independent masks, at every offset and in every pair."""

from __future__ import annotations

import math

import numpy as np

from ..context import Context
from ..dependence import (
    LagFamily,
    MaxTestDesign,
    identical_rows,
    identical_rows_bound,
    lag_sums,
    max_lag_test,
    max_pair_test,
    max_test_design,
    row_pair_sums,
    symmetrised,
)
from ..plan import Scope
from ..result import Case, PropertyResult, Verdict
from .base import Check, guarded
from .masks import mask_pairs, max_case

ROWS, FEATURES = 256, 1024


def offset_design(ctx: Context) -> tuple[MaxTestDesign, int]:
    """The row-offset decision's design and the calls it needs: every offset up to ROWS / 2 gets the pairs
    for the tier's power (larger offsets are tested too, with fewer pairs)."""
    design = max_test_design(ROWS - 1, ctx.tier.lag_rho, ctx.alpha, ctx.tier.power)
    return design, math.ceil(design.pairs / ((ROWS - ROWS // 2) * FEATURES))


class IndependenceSamples(Check):
    """The rows of one batch draw independent masks: no correlation between rows r and r + d at any offset d,
    none between any single pair of rows, and no two identical rows.

    Guards bug classes 6 (one mask for the batch or for groups of samples) and 19 (row streams chosen by the
    row modulo a thread count, so that rows r and r + T repeat). Tests, on the symmetrised masks ``u = a - b``
    of two batch calls with unrelated seeds (``dependence``):
    - every row offset 1..255: ``sum_r sum_j u[r, j] u[r + d, j]`` by FFT along the batch axis, the largest
      ``|z|`` with the Azuma-Hoeffding tail and a union bound over the offsets; calls sized for the tier's power
      against a phi correlation of ``lag_rho`` at one offset;
    - every pair of rows: the Gram matrix of ``u`` summed over the calls, the largest ``|z|`` over the 32,640
      pairs with the same bound; its power is stated against the correlation of one pair those calls can see;
    - identical rows at any offset, in every call: independent rows of 1024 bits are identical with probability
      ``(q**2 + p**2)**1024`` (below 1e-80 at the tested rates), so any repeat fails without spending alpha."""

    name = "independence_samples"
    weight = 0.6
    hypothesis = "rows of one batch draw independent masks: at every row offset, in every pair, none identical"
    test = ("largest |z| over every row offset and over every pair of rows of the symmetrised masks, "
            "Azuma-Hoeffding tails with union bounds; identical rows at any offset")
    bug_classes = (6, 19)

    def decisions(self, scope: Scope) -> int:
        return 2 * len(scope.dtypes) * len(scope.tier.independence_ps)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        offsets, calls = offset_design(ctx)
        pairs = max_test_design(ROWS * (ROWS - 1) // 2, ctx.tier.lag_rho, ctx.alpha, ctx.tier.power)
        pair_rho = pairs.detectable_rho(calls * FEATURES)
        result.effect_size = (f"phi correlation {ctx.tier.lag_rho} between rows r and r + d at any offset "
                              f"d <= {ROWS // 2}; {pair_rho:.3f} between any one pair of rows; one identical pair")
        result.power = offsets.power(calls * (ROWS - ROWS // 2) * FEATURES)
        for dtype in ctx.dtypes:
            for p in ctx.tier.independence_ps:
                result.cases += guarded(dtype, p, self._cases, ctx, offsets, calls, dtype, p)
        decided = [case for case in result.cases if case.extra.get("decision") == "offsets"]
        if decided:
            result.estimate = max((case.estimate or 0.0 for case in decided), key=abs)

    def _cases(self, ctx: Context, offsets: MaxTestDesign, calls: int, dtype: np.dtype, p: float) -> list[Case]:
        family = LagFamily("rows", "rows r and r+{}", np.arange(1, ROWS))
        gram = np.zeros((ROWS, ROWS), np.int64)
        support = np.zeros((ROWS, ROWS), np.int64)
        differing = 0
        repeat = None
        for first, second in mask_pairs(ctx, dtype, p, (ROWS, FEATURES), calls, self.name, dtype.name, repr(p)):
            repeat = repeat or identical_rows(first) or identical_rows(second)
            u = symmetrised(first, second)
            differing += int(np.count_nonzero(u))
            family.add(*lag_sums(u, ROWS - 1, axis=0))
            g, n = row_pair_sums(u)
            gram += g
            support += n
        share = differing / (calls * ROWS * FEATURES)
        shape = [ROWS, FEATURES]
        cases = [
            max_case(ctx, dtype, p, shape, 2 * calls * ROWS * FEATURES, "offsets",
                     max_lag_test([family], offsets, share), "rows of one batch"),
            max_case(ctx, dtype, p, shape, 0, "pairs",  # the offsets' calls, not counted twice
                     max_pair_test(gram, support, calls * FEATURES, share), "rows of one batch"),
        ]
        if repeat:
            bound = 2 * calls * ROWS * ROWS * identical_rows_bound(ctx.target.law.indicator_rate(p, dtype), FEATURES)
            cases.append(Case(
                dtype=dtype.name, p=p, shape=shape, verdict=Verdict.FAIL, samples=2 * calls * ROWS,
                message=f"rows {repeat[0]} and {repeat[1]} of one call have identical masks (offset "
                        f"{repeat[1] - repeat[0]}; independent rows repeat with probability below {bound:.1g})",
                extra={"decision": "identical", "rows": list(repeat)}))
        return cases
