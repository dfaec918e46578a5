"""independence_elements: the bits of one mask are independent at every lag and along every axis, and not
GF(2)-linear."""

from __future__ import annotations

import math

import numpy as np

from ..context import Context
from ..dependence import (
    LagFamily,
    MaxTestDesign,
    RankDesign,
    gf2_ranks,
    lag_sums,
    max_lag_test,
    max_test_design,
    rank_deficiency_probability,
    rank_design,
    symmetrised,
)
from ..plan import Scope
from ..result import Case, PropertyResult, Verdict
from .base import Check, guarded
from .masks import mask_of, mask_pairs, max_case

# An NCHW batch: W = 32 (a row), H = 32 (a channel is 1024 elements), C = 64; N makes up the call's size.
CHANNELS, HEIGHT, WIDTH = 64, 32, 32
AXES = ((1, "C"), (2, "H"), (3, "W"))
RANK_SIZE = 512  # matrices of 512 x 512 consecutive mask bits
RANK_MATRICES = 16
RANK_P = 0.5  # the only rate at which a threshold on a GF(2)-linear word is itself linear (its top bit)
RANK_RATE_TOLERANCE = 0.01  # a grossly wrong rate is mask_rate's finding, not a linear structure


def call_shape(elements: int) -> tuple[int, int, int, int]:
    return (max(1, elements // (CHANNELS * HEIGHT * WIDTH)), CHANNELS, HEIGHT, WIDTH)


def rank_pvalue(size: int, lowest: int, matrices: int) -> float:
    """Exact P(the lowest rank of ``matrices`` fair-bit matrices is <= ``lowest``)."""
    probability = rank_deficiency_probability(size, size - lowest)
    return 1.0 if probability >= 1 else float(-np.expm1(matrices * np.log1p(-probability)))


def lag_design(ctx: Context) -> tuple[MaxTestDesign, int, int]:
    """The design of one (dtype, p) lag decision, the largest flat lag and the calls it needs."""
    shape = call_shape(ctx.tier.lag_call_elements)
    elements = math.prod(shape)
    max_lag = elements // 2
    tests = max_lag + sum(shape[axis] - 1 for axis, _ in AXES)
    design = max_test_design(tests, ctx.tier.lag_rho, ctx.alpha, ctx.tier.power)
    return design, max_lag, math.ceil(design.pairs / (elements - max_lag))


class IndependenceElements(Check):
    """The mask bits of one call are independent: no correlation between bit i and bit i + k for any lag k up
    to half the call, nor along any axis of an NCHW batch, and no linear structure over GF(2).

    Guards bug classes 5 (neighbouring elements, lanes or channels share random bits), 19 (a counter that
    wraps inside a call; a lane that reuses words at a fixed stride) and 20 (low bits of a power-of-two LCG,
    GF(2)-linear generators). Tests:
    - every lag at once: the autocorrelation of the symmetrised mask ``u = a - b`` of two calls with unrelated
      seeds, computed by FFT at every lag 1..n/2 of the flattened mask and every offset along the C, H and W
      axes (pairs never straddle a row, channel or sample), decided by the largest ``|z|`` with the
      Azuma-Hoeffding tail and a union bound over all lags (``dependence``); the number of calls makes every
      lag's pairs enough for the tier's power against a phi correlation of ``lag_rho`` at that lag alone;
    - linear structure: the GF(2) rank of 512 x 512 matrices of consecutive mask bits at p = 0.5; the decision
      fails when a matrix is deficient by a margin whose exact probability for fair bits is within alpha,
      which every matrix is when the bits are GF(2)-linear (or affine) in a state of fewer bits (power 1)."""

    name = "independence_elements"
    weight = 3.0
    hypothesis = "bit i and bit i + k of one mask are independent for every lag k and along every axis"
    test = ("largest |z| over every lag of the symmetrised autocorrelation (FFT), Azuma-Hoeffding tail with a "
            "union bound; exact GF(2) rank-deficiency test of 512x512 bit matrices at p = 0.5")
    bug_classes = (5, 19, 20)

    def decisions(self, scope: Scope) -> int:
        return len(scope.dtypes) * (len(scope.tier.independence_ps) + 1)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        design, max_lag, calls = lag_design(ctx)
        shape = call_shape(ctx.tier.lag_call_elements)
        elements = math.prod(shape)
        rank = rank_design(RANK_SIZE, min(RANK_MATRICES, max(1, elements // RANK_SIZE**2)), ctx.alpha)
        result.effect_size = (f"phi correlation {ctx.tier.lag_rho} at any one lag 1..{max_lag:,} (every lag tested) "
                              f"or along C, H, W; mask bits GF(2)-linear in a state of at most "
                              f"{RANK_SIZE - rank.deficiency - 1} bits")
        result.power = design.power(calls * (elements - max_lag))
        for dtype in ctx.dtypes:
            rank_masks: list[np.ndarray] = []  # the first mask drawn at p = 0.5 serves the rank test too
            for p in ctx.tier.independence_ps:
                result.cases += guarded(dtype, p, self._lags, ctx, design, calls, dtype, p, rank_masks)
            result.cases += guarded(dtype, RANK_P, self._rank_case, ctx, dtype, rank_masks, rank)
        lags = [case for case in result.cases if case.extra.get("decision") == "lags"]
        if lags:
            result.estimate = max((case.estimate or 0.0 for case in lags), key=abs)

    def _lags(self, ctx: Context, design: MaxTestDesign, calls: int, dtype: np.dtype, p: float,
              rank_masks: list[np.ndarray]) -> Case:
        shape = call_shape(ctx.tier.lag_call_elements)
        elements, max_lag = math.prod(shape), math.prod(shape) // 2
        families = [LagFamily("flat", "lag {} of the flattened mask", np.arange(1, max_lag + 1))]
        families += [LagFamily(f"axis {axis}", f"offset {{}} along axis {axis} ({label})", np.arange(1, shape[axis]))
                     for axis, label in AXES]
        differing = 0
        for first, second in mask_pairs(ctx, dtype, p, shape, calls, self.name, dtype.name, repr(p)):
            if p == RANK_P and not rank_masks:
                rank_masks.append(first)
            u = symmetrised(first, second)
            differing += int(np.count_nonzero(u))
            families[0].add(*lag_sums(u.ravel(), max_lag))
            for family, (axis, _) in zip(families[1:], AXES, strict=True):
                family.add(*lag_sums(u, shape[axis] - 1, axis=axis))
        found = max_lag_test(families, design, differing / (calls * elements))
        return max_case(ctx, dtype, p, list(shape), 2 * calls * elements, "lags", found, "bits of one mask")

    def _rank_case(self, ctx: Context, dtype: np.dtype, rank_masks: list[np.ndarray], design: RankDesign) -> Case:
        size = RANK_SIZE
        bits = design.matrices * size * size
        reused = bool(rank_masks) and rank_masks[0].size >= bits  # the bits of a lag call are not counted twice
        if reused:
            mask = rank_masks[0]
        else:
            mask = mask_of(ctx, dtype, RANK_P, (bits,), next(ctx.call_seeds(1, self.name, "rank", dtype.name)))
        flat = mask.ravel()[:bits]
        rate = float(np.count_nonzero(flat)) / bits
        shape = [design.matrices, size, size]
        extra = {"decision": "rank", "deficiency": design.deficiency, "false_alarm": design.false_alarm}
        if abs(rate - ctx.target.law.indicator_rate(RANK_P, dtype)) > RANK_RATE_TOLERANCE:
            what = ctx.target.law.indicator_name
            return Case(dtype=dtype.name, p=RANK_P, shape=shape, verdict=Verdict.SKIPPED, estimate=rate, samples=0,
                        message=f"rate of '{what}' {rate:.4f} at p = 0.5: the rank test needs fair bits",
                        extra=extra)
        ranks = gf2_ranks(flat.reshape(design.matrices, size, size))
        lowest = int(ranks.min())
        deficient = int(np.count_nonzero(ranks <= size - design.deficiency))
        passed = deficient == 0
        message = "" if passed else (
            f"linear structure: {deficient} of {design.matrices} matrices of {size}x{size} consecutive mask bits "
            f"have GF(2) rank <= {size - design.deficiency} (lowest {lowest}; fair bits reach it with probability "
            f"{design.false_alarm:.2g}): the bits are GF(2)-linear in a state of about {lowest} bits")
        return Case(dtype=dtype.name, p=RANK_P, shape=shape, verdict=Verdict.of(passed),
                    estimate=float(lowest), p_value=rank_pvalue(size, lowest, design.matrices),
                    samples=0 if reused else bits,
                    message=message, extra={**extra, "lowest_rank": lowest, "deficient": deficient})
