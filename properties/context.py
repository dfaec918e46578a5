"""What every check gets: the target, the tier, the run's plan (the dtypes the target takes and the
per-decision alpha) and seeds derived from the one run seed (so the same target and seed give the same
verdicts)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .limits import MAX_CALLS_PER_DESIGN, DesignTooLarge
from .plan import RunPlan, Scope
from .target import TargetAdapter
from .tiers import Tier

# Elements per target call when a property needs many: large enough to amortise a call, small enough
# to keep memory flat whatever the sample size.
CALL_ELEMENTS = 1 << 20


def seed_sequence(run_seed: int, *names: str) -> np.random.SeedSequence:
    """The SeedSequence of the run seed and a path of names: every random choice of a run derives from one."""
    keys = [zlib.crc32(name.encode()) for name in names]
    return np.random.SeedSequence(run_seed, spawn_key=tuple(keys))


@dataclass(frozen=True)
class Context:
    target: TargetAdapter
    tier: Tier
    run_seed: int
    plan: RunPlan

    @property
    def dtypes(self) -> tuple[np.dtype, ...]:
        return self.plan.numpy_dtypes

    @property
    def unsupported(self) -> dict[str, str]:
        return dict(self.plan.refused)

    @property
    def alpha(self) -> float:
        """Per statistical decision: the family-wise alpha split over the whole battery by the plan."""
        return self.plan.alpha

    @property
    def scope(self) -> Scope:
        return Scope(tier=self.tier, dtypes=self.dtypes, has_backward=self.target.has_backward,
                     law=self.target.law.name)

    def seed_sequence(self, *names: str) -> np.random.SeedSequence:
        """A SeedSequence for one property and case, independent of the order in which things run."""
        return seed_sequence(self.run_seed, *names)

    def rng(self, *names: str) -> np.random.Generator:
        return np.random.default_rng(self.seed_sequence(*names))

    def call_seeds(self, count: int, *names: str) -> Iterator[int]:
        """``count`` distinct 31-bit seeds for target calls, derived from the run seed and the names.

        Distinct: drawn at random, 10,000 seeds would share one with probability 2% (birthday), and two
        calls with one seed give one mask twice, which ``independence_calls`` rightly calls a repeat and
        which makes samples of the statistical tests dependent. A repeat is replaced by the next value of
        the same stream (``generate_state`` of more words extends the same sequence)."""
        if count > MAX_CALLS_PER_DESIGN:
            raise DesignTooLarge(f"the design of {'/'.join(names)} asks for {count:,} target calls, above the cap of "
                                 f"{MAX_CALLS_PER_DESIGN:,}: a sample size computed from broken inputs")
        sequence = self.seed_sequence(*names)
        seeds = sequence.generate_state(count, dtype=np.uint32) >> 1
        drawn = count
        while True:
            _, first = np.unique(seeds, return_index=True)
            if first.size == count:
                break
            repeats = np.setdiff1d(np.arange(count), first)
            more = sequence.generate_state(drawn + repeats.size, dtype=np.uint32)[drawn:] >> 1
            seeds[repeats], drawn = more, drawn + repeats.size
        return iter(seeds.tolist())  # eager, so that a design beyond the cap raises where it is made

    def hypothesis_seed(self, *names: str) -> int:
        return int(self.seed_sequence("hypothesis", *names).generate_state(1, dtype=np.uint64)[0])


def calls_for(total: int, row: int = 1) -> Iterator[int]:
    """Split ``total`` elements into call sizes of about CALL_ELEMENTS, multiples of ``row``."""
    per_call = max(row, (CALL_ELEMENTS // row) * row)
    remaining = total
    while remaining > 0:
        size = min(per_call, -(-remaining // row) * row)
        yield size
        remaining -= size
