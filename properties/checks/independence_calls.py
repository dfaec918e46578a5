"""independence_calls: masks of different calls are independent at every shift, and never repeat."""

from __future__ import annotations

import hashlib

import numpy as np

from ..context import Context
from ..dependence import MaskSpectrum, ShiftDesign, ShiftResult, most_extreme_pair, shift_design
from ..plan import Scope
from ..result import Case, PropertyResult, Verdict
from .base import Check, guarded
from .masks import mask_of

DUPLICATE_ELEMENTS = 4096


def design_for(ctx: Context) -> ShiftDesign:
    offsets = ctx.tier.seed_offsets
    return shift_design(offsets * (offsets + 1) // 2, ctx.tier.lag_rho, ctx.alpha, ctx.tier.power)


def duplicate_rate(rates: tuple[float, ...]) -> float:
    """The one rate per dtype of the duplicate search: the one nearest 0.5, whose masks of a correct target
    collide least. Repeats come from seeding (few seeds, a seed from an address), not from the rate, and the
    search's power depends on the number of calls with distinct seeds, which stays the tier's."""
    return min(rates, key=lambda p: (abs(p - 0.5), p))


def describe_shift(first: int, second: int, found: ShiftResult) -> str:
    if found.shift == 0:
        return f"the masks of seeds s+{first} and s+{second} agree at the same positions"
    return (f"the mask of seed s+{second} repeats the mask of seed s+{first} shifted by {found.shift} elements "
            f"(mask(s+{second})[i] ~ mask(s+{first})[i {'+' if found.shift > 0 else '-'} {abs(found.shift)}])")


class IndependenceCalls(Check):
    """Masks of calls with successive seeds are independent at every shift, and no mask repeats over many calls.

    Guards bug classes 7 (the same mask on every call: constant seed, counter offset, frozen RNG), 8 (few
    distinct seeds) and 19 (overlapping streams: a per-call offset that advances by less than a call consumes,
    so call s + 1 reads call s's stream shifted). Tests:
    - every shift between the masks of seeds s, s + 1, ..., s + K (every pair of them): the overlap of one mask
      with the other moved circularly by each shift, computed for all shifts by FFT, is exactly hypergeometric
      given the two masks' counts when the calls are independent and exchangeable (``dependence``); the
      decision takes the smallest exact two-sided tail with a union bound over all shifts and pairs, and the
      call size gives the tier's power against a phi correlation of ``lag_rho`` at one shift of one pair;
    - duplicates: every mask of ``duplicate_calls`` calls with random seeds is hashed, per dtype at the rate
      nearest 0.5; two equal masks of 4096 bits have probability below 2**-600 for a correct target there, so
      any repeat fails. Its power is set by the number of calls: a generator with N distinct seeds repeats
      within C calls with probability about 1 - exp(-C**2 / 2N), so 300 calls find a 4096-seed generator with
      probability 1 - exp(-11), and the standard tier's 2000 one of 200,000 seeds with 1 - exp(-10)."""

    name = "independence_calls"
    weight = 1.0
    hypothesis = "masks of different calls are independent at every shift and never repeat"
    test = ("exact hypergeometric overlap at every circular shift of every pair of seeds s..s+K + duplicate masks "
            "by hash")
    bug_classes = (7, 8, 19)

    def decisions(self, scope: Scope) -> int:
        return len(scope.dtypes) * len(scope.tier.independence_ps)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        design = design_for(ctx)
        offsets = ctx.tier.seed_offsets
        result.effect_size = (f"phi correlation {ctx.tier.lag_rho} between the masks of seeds s+i and s+j "
                              f"(0 <= i < j <= {offsets}) at any one of {design.elements:,} shifts; one repeated mask")
        result.power = design.power
        for dtype in ctx.dtypes:
            for p in ctx.tier.independence_ps:
                result.cases += guarded(dtype, p, self._cases, ctx, design, dtype, p)
        decided = [case for case in result.cases if case.extra.get("decision") == "shifts"]
        if decided:
            result.estimate = max((case.estimate or 0.0 for case in decided), key=abs)

    def _cases(self, ctx: Context, design: ShiftDesign, dtype: np.dtype, p: float) -> list[Case]:
        duplicates = self._duplicates(ctx, dtype, p) if p == duplicate_rate(ctx.tier.independence_ps) else []
        return [self._shifts(ctx, design, dtype, p), *duplicates]

    def _shifts(self, ctx: Context, design: ShiftDesign, dtype: np.dtype, p: float) -> Case:
        offsets = ctx.tier.seed_offsets
        start = next(ctx.call_seeds(1, self.name, "start", dtype.name, repr(p))) % (2**31 - offsets)
        masks = [MaskSpectrum.of(mask_of(ctx, dtype, p, (design.elements,), start + k)) for k in range(offsets + 1)]
        i, j, found = most_extreme_pair(masks)
        pvalue = min(1.0, design.pairs * found.pvalue)
        passed = pvalue >= ctx.alpha
        message = "" if passed else (
            f"{describe_shift(i, j, found)}: phi = {found.correlation:+.4f} (overlap {found.overlap:,} against "
            f"{found.expected:,.0f} expected; exact p-value bound over {design.tests:,} shifts {pvalue:.2g})")
        return Case(dtype=dtype.name, p=p, shape=[design.elements], verdict=Verdict.of(passed),
                    estimate=found.correlation, p_value=pvalue, samples=(offsets + 1) * design.elements,
                    message=message,
                    extra={"decision": "shifts", "seeds": [i, j], "shift": found.shift, "tests": design.tests,
                           "where": f"seeds s+{i} and s+{j}, shift {found.shift}"})

    def _duplicates(self, ctx: Context, dtype: np.dtype, p: float) -> list[Case]:
        """A failing case when any mask repeats over the tier's calls with random seeds (none otherwise)."""
        seen: set[bytes] = set()
        repeats = 0
        calls = ctx.tier.duplicate_calls
        for call_seed in ctx.call_seeds(calls, self.name, "hash", dtype.name, repr(p)):
            mask = mask_of(ctx, dtype, p, (DUPLICATE_ELEMENTS,), call_seed)
            digest = hashlib.blake2b(np.packbits(mask).tobytes()).digest()
            repeats += digest in seen
            seen.add(digest)
        if not repeats:
            return []
        return [Case(dtype=dtype.name, p=p, shape=[DUPLICATE_ELEMENTS], verdict=Verdict.FAIL, estimate=float(repeats),
                     samples=calls, message=f"{repeats} masks repeated over {calls} calls with different seeds",
                     extra={"decision": "duplicates"})]
