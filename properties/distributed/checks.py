"""The rank properties: each rank's keep rate, independence across ranks (contract ``independent``), bit identity
across ranks (contract ``replicated``). Every decision's tail is exact: binomial for a rate, hypergeometric for an
overlap at a shift (with union bounds), and identity is an exact comparison."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import stats

from ..context import seed_sequence
from ..dependence import MaskSpectrum, ShiftDesign, most_extreme_pair, shift_design
from ..result import Case, PropertyResult, Verdict
from ..target import TargetCallError
from ..tiers import Tier
from .protocol import RankAdapter

# elements per rank of a replicated contract's comparison: any difference fails, so a few calls suffice
REPLICA_ELEMENTS = 1 << 16
REPLICA_CALLS = 8


@dataclass(frozen=True)
class RankContext:
    """What a rank property gets: the adapter, the tier, the dtypes the target took, the run seed and the alpha of
    each decision (the family-wise alpha over every decision of the rank battery)."""

    target: RankAdapter
    tier: Tier
    dtypes: tuple[np.dtype, ...]
    run_seed: int
    alpha: float

    def seed(self, *names: str) -> int:
        """One 31-bit seed for a step, derived from the run seed and the names (as ``Context.call_seeds``)."""
        return int(seed_sequence(self.run_seed, *names).generate_state(1, dtype=np.uint32)[0] >> 1)

    def design(self) -> ShiftDesign:
        pairs = self.target.world_size * (self.target.world_size - 1) // 2
        return shift_design(pairs, self.tier.lag_rho, self.alpha, self.tier.power)


class RankCheck:
    name: ClassVar[str]
    hypothesis: ClassVar[str]
    test: ClassVar[str]
    bug_classes: ClassVar[tuple[int, ...]] = (18,)
    contracts: ClassVar[tuple[str, ...]] = ("independent", "replicated")
    requires: ClassVar[str] = ""  # an optional method of the target the property needs (skipped without it)

    def decisions(self, ctx: RankContext) -> int:
        return 0

    def new_result(self, ctx: RankContext) -> PropertyResult:
        decisions = self.decisions(ctx) if ctx.target.contract in self.contracts else 0
        return PropertyResult(name=self.name, verdict=Verdict.PASS, hypothesis=self.hypothesis, test=self.test,
                              bug_classes=list(self.bug_classes), alpha=ctx.alpha if decisions else None,
                              decisions=decisions)

    def run(self, ctx: RankContext, result: PropertyResult) -> None:
        raise NotImplementedError

    def judge(self, ctx: RankContext) -> PropertyResult:
        result = self.new_result(ctx)
        if self.requires and not callable(getattr(ctx.target.target, self.requires, None)):
            result.verdict, result.message = Verdict.SKIPPED, f"the target has no {self.requires}()"
            return result
        if ctx.target.contract not in self.contracts:
            result.verdict = Verdict.SKIPPED
            result.message = f"does not apply to the {ctx.target.contract} contract"
            return result
        for dtype in ctx.dtypes:
            for p in ctx.tier.independence_ps:
                try:
                    result.cases += self.cases(ctx, dtype, p)
                except TargetCallError as error:
                    result.cases.append(Case(dtype=dtype.name, p=p, shape=None, verdict=Verdict.ERROR,
                                             message=str(error)))
        result.summarise()
        return result

    def cases(self, ctx: RankContext, dtype: np.dtype, p: float) -> list[Case]:
        raise NotImplementedError


class RankRate(RankCheck):
    """Every rank keeps elements at rate q: an exact two-sided binomial test per rank (one decision per rank, dtype
    and rate), on the masks ``rank_independence`` compares (or the replicated comparison's)."""

    name = "rank_rate"
    hypothesis = "each rank's P(kept) = q"
    test = "exact binomial test per rank"

    def decisions(self, ctx: RankContext) -> int:
        return len(ctx.dtypes) * len(ctx.tier.independence_ps) * ctx.target.world_size

    def cases(self, ctx: RankContext, dtype: np.dtype, p: float) -> list[Case]:
        size = ctx.design().elements
        masks = ctx.target.masks(dtype, p, size, ctx.seed(self.name, dtype.name, repr(p)))
        z = float(stats.norm.isf(ctx.alpha / 2) + stats.norm.isf(1 - ctx.tier.power))
        detectable = z * math.sqrt(p * (1 - p) / size)
        cases = []
        for rank, mask in enumerate(masks):
            kept = int(np.count_nonzero(mask))
            p_value = float(stats.binomtest(kept, size, 1 - p).pvalue)
            passed = p_value >= ctx.alpha
            cases.append(Case(
                dtype=dtype.name, p=p, shape=[size], verdict=Verdict.of(passed), estimate=kept / size,
                p_value=p_value, samples=size,
                message="" if passed else f"rank {rank} keeps {kept / size:.6f}, expected q = {1 - p:.6f} "
                                          f"(binomial p = {p_value:.3g})",
                extra={"rank": rank, "q": 1 - p, "detectable_rate_error": detectable}))
        return cases


class RankIndependence(RankCheck):
    """The masks of different ranks (contract ``independent``) are independent at every circular shift: the exact
    hypergeometric tail of each pair's overlap at each shift, union bound over shifts and pairs (the
    ``independence_calls`` test with ranks for seeds). Identical masks on two ranks, the data-parallel bug of every
    rank seeded alike (huggingface/transformers#31412), are the shift-0 extreme; a rank reading another's stream
    offset (overlapping per-rank streams) shows at its shift. Power ``tier.power`` against a phi correlation of
    ``tier.lag_rho`` at one shift of one pair of ranks."""

    name = "rank_independence"
    hypothesis = "masks of different ranks are independent at every shift"
    test = "exact hypergeometric overlap at every circular shift of every pair of ranks (union bound)"
    contracts = ("independent",)

    def decisions(self, ctx: RankContext) -> int:
        return len(ctx.dtypes) * len(ctx.tier.independence_ps)

    def cases(self, ctx: RankContext, dtype: np.dtype, p: float) -> list[Case]:
        design = ctx.design()
        masks = ctx.target.masks(dtype, p, design.elements, ctx.seed(RankRate.name, dtype.name, repr(p)))
        i, j, found = most_extreme_pair([MaskSpectrum.of(mask) for mask in masks])
        p_value = min(1.0, design.pairs * found.pvalue)
        passed = p_value >= ctx.alpha
        identical = [(a, b) for a, b in itertools.combinations(range(len(masks)), 2)
                     if np.array_equal(masks[a], masks[b])]
        if identical:
            what = f"ranks {identical[0][0]} and {identical[0][1]} drew identical masks"
            if len(identical) > 1:
                what += f" ({len(identical)} pairs of {design.pairs} identical: every rank seeded alike?)"
        elif found.shift == 0:
            what = f"the masks of ranks {i} and {j} agree at the same positions"
        else:
            what = f"rank {j}'s mask repeats rank {i}'s shifted by {found.shift} elements (overlapping streams)"
        message = "" if passed else (f"{what}: phi = {found.correlation:+.4f} (exact p-value bound over "
                                     f"{design.tests:,} shifts {p_value:.2g})")
        correlation = np.corrcoef(masks.astype(np.float64)) if masks.std(axis=1).all() else None
        return [Case(dtype=dtype.name, p=p, shape=[design.elements], verdict=Verdict.of(passed),
                     estimate=found.correlation, p_value=p_value, samples=masks.size, message=message,
                     extra={"decision": "shifts", "ranks": [i, j], "shift": found.shift,
                            "identical_pairs": [list(pair) for pair in identical],
                            "correlation": correlation.round(6).tolist() if correlation is not None else None,
                            "rates": masks.mean(axis=1).tolist()})]


class RankReplication(RankCheck):
    """The ranks holding one activation (contract ``replicated``) draw bit-identical outputs: every element of every
    rank equal to rank 0's, over a few steps. Exact, so it spends no alpha; replicas that disagree (a tensor-parallel
    RNG tracker not forked for replicated regions, volcengine/veScale#52) fail it."""

    name = "rank_replication"
    hypothesis = "replicas of one activation are bit-identical on every rank"
    test = "exact comparison"
    contracts = ("replicated",)

    def cases(self, ctx: RankContext, dtype: np.dtype, p: float) -> list[Case]:
        differing: list[tuple[int, int]] = []
        for step in range(REPLICA_CALLS):
            outputs = ctx.target.outputs(np.ones(REPLICA_ELEMENTS, dtype=dtype), p, training=True,
                                         seed=ctx.seed(self.name, dtype.name, repr(p), str(step)))
            bits = outputs.view(f"u{outputs.dtype.itemsize}") if outputs.dtype.itemsize in (2, 4, 8) else outputs
            for rank in range(1, len(outputs)):
                where = np.flatnonzero(bits[rank] != bits[0])
                if where.size:
                    differing.append((rank, int(where.size)))
        message = ""
        if differing:
            rank, count = differing[0]
            message = (f"rank {rank} differs from rank 0 at {count} of {REPLICA_ELEMENTS} elements; "
                       f"{len(differing)} rank-steps of {REPLICA_CALLS * (ctx.target.world_size - 1)} differ")
        return [Case(dtype=dtype.name, p=p, shape=[REPLICA_ELEMENTS], verdict=Verdict.of(not differing),
                     samples=REPLICA_CALLS * ctx.target.world_size, message=message,
                     extra={"differing": [list(item) for item in differing]})]


class RankBackward(RankCheck):
    """Each rank's gradient flows through that rank's own forward mask (targets with ``forward_backward_ranks``):
    ``dx != 0`` exactly where ``y != 0``, on every rank, for ``x = dy = 1``. A backward pass that re-draws the mask
    from another rank's seed, or from the step's seed where the forward pass offset it, fails on the ranks it
    differs. Exact, so it spends no alpha."""

    name = "rank_backward"
    hypothesis = "on every rank, dx is zero exactly where that rank's y dropped"
    test = "exact comparison"
    requires = "forward_backward_ranks"

    def cases(self, ctx: RankContext, dtype: np.dtype, p: float) -> list[Case]:
        x = np.ones(REPLICA_ELEMENTS, dtype=dtype)
        ys, dxs = ctx.target.gradients(x, x.copy(), p, seed=ctx.seed(self.name, dtype.name, repr(p)))
        differ = [(rank, int(np.count_nonzero((ys[rank] != 0) != (dxs[rank] != 0)))) for rank in range(len(ys))]
        differ = [(rank, count) for rank, count in differ if count]
        message = "" if not differ else (f"rank {differ[0][0]}'s gradient flows through another mask than its "
                                         f"output ({differ[0][1]} of {REPLICA_ELEMENTS} elements); ranks "
                                         f"{[rank for rank, _ in differ]} differ")
        return [Case(dtype=dtype.name, p=p, shape=[REPLICA_ELEMENTS], verdict=Verdict.of(not differ),
                     samples=ctx.target.world_size, message=message,
                     extra={"differing": [list(item) for item in differ]})]


class ShardInvariance(RankCheck):
    """The sharded step equals the same step on one device bit for bit (targets with ``forward_unsharded``): what
    JAX promises for threefry keys with ``jax_threefry_partitionable``. A target that promises it
    (``shard_invariant = True``) fails where it does not hold; for one that does not (rbg keys) the comparison is
    information. Exact, so it spends no alpha."""

    name = "shard_invariance"
    hypothesis = "the sharded output equals the unsharded one bit for bit (where promised)"
    test = "exact comparison"
    requires = "forward_unsharded"

    def judge(self, ctx: RankContext) -> PropertyResult:
        result = super().judge(ctx)
        if not ctx.target.shard_invariant and result.verdict in (Verdict.PASS, Verdict.FAIL):
            held = result.verdict == Verdict.PASS
            for case in result.cases:
                case.verdict = Verdict.INFO
            result.verdict = Verdict.INFO
            result.message = ("holds here, though not promised" if held else
                              f"does not hold (not promised): {result.message}")
        return result

    def cases(self, ctx: RankContext, dtype: np.dtype, p: float) -> list[Case]:
        x = np.ones(REPLICA_ELEMENTS, dtype=dtype)
        seed = ctx.seed(self.name, dtype.name, repr(p))
        sharded = ctx.target.outputs(x, p, training=True, seed=seed)
        whole = ctx.target.outputs(x, p, training=True, seed=seed, method="forward_unsharded")
        differ = [rank for rank in range(len(sharded)) if sharded[rank].tobytes() != whole[rank].tobytes()]
        message = "" if not differ else (f"shards {differ} differ from the unsharded step (rank {differ[0]}: "
                                         f"{int(np.count_nonzero(sharded[differ[0]] != whole[differ[0]]))} of "
                                         f"{REPLICA_ELEMENTS} elements)")
        return [Case(dtype=dtype.name, p=p, shape=[REPLICA_ELEMENTS], verdict=Verdict.of(not differ),
                     samples=2 * ctx.target.world_size, message=message, extra={"differing_ranks": differ})]


RANK_CHECKS: list[RankCheck] = [RankRate(), RankIndependence(), RankReplication(), RankBackward(), ShardInvariance()]
