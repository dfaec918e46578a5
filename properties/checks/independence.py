"""independence_elements, independence_samples, independence_calls: mask bits are independent."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator

import numpy as np

from ..context import Context
from ..result import Case, PropertyResult
from ..stats import chi2_1df_power, g_test_2x2, pairs_for_power, runs_test
from ..target import TargetCallError
from .base import Check, error_case

# One NCHW batch layout: W = 32 (row), H * W = 128 (channel stride), C * H * W = 1024 (sample stride).
SHAPE_CHW = (8, 4, 32)
FLAT_LAGS = (1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64, 128)
ROW_LAGS = (1, 2, 3, 4)
SAMPLE_FEATURES = 1024


def pair_table(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """2x2 counts of (first, second) over paired bool arrays: rows first kept/dropped, columns second."""
    both = int(np.count_nonzero(first & second))
    first_only = int(np.count_nonzero(first)) - both
    second_only = int(np.count_nonzero(second)) - both
    neither = first.size - both - first_only - second_only
    return np.array([[both, first_only], [second_only, neither]], dtype=np.int64)


def _masks(ctx: Context, dtype: np.dtype, p: float, shape: tuple[int, ...], calls: int,
           *names: str) -> Iterator[np.ndarray]:
    for call_seed in ctx.call_seeds(calls, *names):
        yield np.asarray(ctx.target.forward(np.ones(shape, dtype=dtype), p, training=True, seed=call_seed) != 0)


class _PairTests(Check):
    """Shared machinery: G-tests on 2x2 tables, sample sizes from the power wanted against ``lag_rho``."""

    def pairs_needed(self, ctx: Context) -> int:
        return pairs_for_power(ctx.tier.lag_rho, ctx.alpha, ctx.tier.power)

    def add_g_case(self, ctx: Context, result: PropertyResult, dtype: np.dtype, p: float, label: str,
                   table: np.ndarray) -> None:
        statistic, p_value, phi = g_test_2x2(table)
        passed = p_value >= ctx.alpha
        result.cases.append(Case(
            dtype=dtype.name, p=p, shape=None, verdict="pass" if passed else "fail", estimate=phi, p_value=p_value,
            samples=int(table.sum()),
            message="" if passed else f"{label}: mask bits correlated, phi = {phi:.4f} (G = {statistic:.1f})",
            extra={"pair": label, "G": statistic},
        ))

    def finish(self, ctx: Context, result: PropertyResult) -> None:
        result.effect_size = f"phi correlation {ctx.tier.lag_rho} between paired mask bits"
        pairs = [case.samples for case in result.cases if "pair" in case.extra]
        if pairs:
            result.power = chi2_1df_power(min(pairs), ctx.tier.lag_rho, ctx.alpha)
            result.estimate = max((case.estimate or 0.0 for case in result.cases), key=abs)


class IndependenceElements(_PairTests):
    """Mask bits of different elements of one call are independent, in flattened order and along every axis.

    Guards bug class 5 (neighbouring elements, lanes or channels share random bits). Test: G-test of
    independence on the 2x2 table of (bit i, bit i + lag) for lags 1-8, 16, 32 (the row), 64 and 128 (the
    channel stride) of an NCHW batch, and a Wald-Wolfowitz runs test of the flattened mask. Pairs per lag
    are computed for the tier's power against a phi correlation of ``lag_rho``."""

    name = "independence_elements"
    hypothesis = "bit i and bit i + lag of one mask are independent, for every tested lag and axis"
    test = "G-test on 2x2 pair tables at each lag + runs test"
    bug_classes = (5,)

    def decisions(self, ctx: Context) -> int:
        return len(ctx.dtypes) * len(ctx.tier.independence_ps) * (len(FLAT_LAGS) + 1)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        per_sample = math.prod(SHAPE_CHW)
        samples_per_call = 256
        pairs = self.pairs_needed(ctx)
        calls = math.ceil(pairs / (samples_per_call * per_sample - max(FLAT_LAGS)))
        for dtype in ctx.dtypes:
            for p in ctx.tier.independence_ps:
                tables = {lag: np.zeros((2, 2), np.int64) for lag in FLAT_LAGS}
                runs = ones = total = 0
                last_bit = None
                try:
                    for mask in _masks(ctx, dtype, p, (samples_per_call, *SHAPE_CHW), calls, self.name,
                                       dtype.name, repr(p)):
                        flat = mask.ravel()
                        for lag in FLAT_LAGS:
                            tables[lag] += pair_table(flat[:-lag], flat[lag:])
                        # runs of the calls' masks laid end to end
                        runs += int(np.count_nonzero(flat[1:] != flat[:-1])) + (last_bit is None or last_bit != flat[0])
                        last_bit = flat[-1]
                        ones += int(np.count_nonzero(flat))
                        total += flat.size
                except TargetCallError as error:
                    result.cases.append(error_case(dtype, p, error))
                    continue
                for lag, table in tables.items():
                    self.add_g_case(ctx, result, dtype, p, f"lag {lag}", table)
                z, p_value = runs_test(runs, ones, total - ones)
                passed = p_value >= ctx.alpha
                result.cases.append(Case(
                    dtype=dtype.name, p=p, shape=[samples_per_call, *SHAPE_CHW], verdict="pass" if passed else "fail",
                    estimate=z, p_value=p_value, samples=total,
                    message="" if passed else f"runs test z = {z:.2f}: mask bits {'alternate' if z > 0 else 'clump'}",
                    extra={"runs": runs},
                ))
        self.finish(ctx, result)


class IndependenceSamples(_PairTests):
    """Masks of different rows (samples) of one batch are independent: no mask shared across the batch.

    Guards bug class 6 (one mask for the whole batch, or for groups of samples). Test: G-test on the 2x2
    table of (row r, column j) against (row r + k, column j) for k = 1-4, and a count of identical
    adjacent rows (for independent rows of 1024 bits that has probability below 2**-100 per pair, so
    any repeat fails)."""

    name = "independence_samples"
    hypothesis = "rows of one batch draw independent masks"
    test = "G-test on row-pair tables for row offsets 1-4 + identical-row count"
    bug_classes = (6,)

    def decisions(self, ctx: Context) -> int:
        return len(ctx.dtypes) * len(ctx.tier.independence_ps) * len(ROW_LAGS)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        rows = 256
        pairs = self.pairs_needed(ctx)
        calls = math.ceil(pairs / ((rows - max(ROW_LAGS)) * SAMPLE_FEATURES))
        for dtype in ctx.dtypes:
            for p in ctx.tier.independence_ps:
                tables = {k: np.zeros((2, 2), np.int64) for k in ROW_LAGS}
                identical = 0
                try:
                    for mask in _masks(ctx, dtype, p, (rows, SAMPLE_FEATURES), calls, self.name, dtype.name, repr(p)):
                        for k in ROW_LAGS:
                            tables[k] += pair_table(mask[:-k].ravel(), mask[k:].ravel())
                        identical += int(np.count_nonzero((mask[1:] == mask[:-1]).all(axis=1)))
                except TargetCallError as error:
                    result.cases.append(error_case(dtype, p, error))
                    continue
                for k, table in tables.items():
                    self.add_g_case(ctx, result, dtype, p, f"rows r and r+{k}", table)
                if identical:
                    result.cases.append(Case(dtype=dtype.name, p=p, shape=[rows, SAMPLE_FEATURES], verdict="fail",
                                             estimate=float(identical), samples=calls * (rows - 1),
                                             message=f"{identical} pairs of adjacent rows have identical masks"))
        self.finish(ctx, result)


class IndependenceCalls(_PairTests):
    """Masks of successive calls (successive seeds) are independent, and no mask repeats over many calls.

    Guards bug classes 7 (the same mask on every call: constant seed, counter offset, frozen RNG) and 8
    (few distinct seeds: masks repeat). Test: G-test on the 2x2 table of (call k, element j) against
    (call k + 1, element j) with seeds s, s + 1, ...; and every mask of ``duplicate_calls`` calls with
    random seeds is hashed: two equal masks of 4096 bits have probability below 2**-600 for a correct
    target at the tested rates, so any repeat fails (a 4096-seed generator repeats within 300 calls
    with probability 1 - exp(-11))."""

    name = "independence_calls"
    weight = 0.75
    hypothesis = "masks of different calls are independent and never repeat"
    test = "G-test on successive-call pair tables + duplicate masks by hash"
    bug_classes = (7, 8)

    def decisions(self, ctx: Context) -> int:
        return len(ctx.dtypes) * len(ctx.tier.independence_ps)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        size = 1 << 16
        pairs = self.pairs_needed(ctx)
        calls = math.ceil(pairs / size) + 1
        for dtype in ctx.dtypes:
            for p in ctx.tier.independence_ps:
                table = np.zeros((2, 2), np.int64)
                try:
                    start = next(ctx.call_seeds(1, self.name, "start", dtype.name, repr(p))) % (2**31 - calls)
                    previous = None
                    for offset in range(calls):
                        y = ctx.target.forward(np.ones(size, dtype=dtype), p, training=True, seed=start + offset)
                        mask = np.asarray(y != 0)
                        if previous is not None:
                            table += pair_table(previous, mask)
                        previous = mask
                    duplicates = self._duplicates(ctx, dtype, p)
                except TargetCallError as error:
                    result.cases.append(error_case(dtype, p, error))
                    continue
                self.add_g_case(ctx, result, dtype, p, "successive seeds", table)
                if duplicates:
                    result.cases.append(Case(dtype=dtype.name, p=p, shape=[4096], verdict="fail",
                                             estimate=float(duplicates), samples=ctx.tier.duplicate_calls,
                                             message=f"{duplicates} masks repeated over {ctx.tier.duplicate_calls} "
                                                     "calls with different seeds"))
        self.finish(ctx, result)

    def _duplicates(self, ctx: Context, dtype: np.dtype, p: float) -> int:
        seen: set[bytes] = set()
        repeats = 0
        x = np.ones(4096, dtype=dtype)
        for call_seed in ctx.call_seeds(ctx.tier.duplicate_calls, self.name, "hash", dtype.name, repr(p)):
            digest = hashlib.blake2b(np.packbits(np.asarray(ctx.target.forward(x, p, training=True, seed=call_seed)
                                                            != 0)).tobytes()).digest()
            repeats += digest in seen
            seen.add(digest)
        return repeats
