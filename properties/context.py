"""What every check gets: the target, the tier, the dtypes the target takes, the per-decision alpha and
seeds derived from the one run seed (so the same target and seed give the same verdicts)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from .target import TargetAdapter
from .tiers import Tier

CANDIDATE_DTYPES: list[np.dtype] = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)]
try:  # bfloat16 only where ml_dtypes is installed (JAX brings it)
    import ml_dtypes

    CANDIDATE_DTYPES.append(np.dtype(ml_dtypes.bfloat16))
except ImportError:  # pragma: no cover - depends on the environment
    pass

# Elements per target call when a property needs many: large enough to amortise a call, small enough
# to keep memory flat whatever the sample size.
CALL_ELEMENTS = 1 << 20


@dataclass
class Context:
    target: TargetAdapter
    tier: Tier
    run_seed: int
    dtypes: list[np.dtype] = field(default_factory=list)
    unsupported: dict[str, str] = field(default_factory=dict)
    alpha: float = 0.0  # per statistical decision, set once every check has declared its decisions

    def seed_sequence(self, *names: str) -> np.random.SeedSequence:
        """A SeedSequence for one property and case, independent of the order in which things run."""
        keys = [zlib.crc32(name.encode()) for name in names]
        return np.random.SeedSequence(self.run_seed, spawn_key=tuple(keys))

    def rng(self, *names: str) -> np.random.Generator:
        return np.random.default_rng(self.seed_sequence(*names))

    def call_seeds(self, count: int, *names: str) -> Iterator[int]:
        """``count`` distinct 31-bit seeds for target calls, derived from the run seed and the names.

        Distinct: drawn at random, 10,000 seeds would share one with probability 2% (birthday), and two
        calls with one seed give one mask twice, which ``independence_calls`` rightly calls a repeat and
        which makes samples of the statistical tests dependent. A repeat is replaced by the next value of
        the same stream (``generate_state`` of more words extends the same sequence)."""
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
        yield from map(int, seeds)

    def hypothesis_seed(self, *names: str) -> int:
        return int(self.seed_sequence("hypothesis", *names).generate_state(1, dtype=np.uint64)[0])


def probe_dtypes(ctx: Context) -> None:
    """Find the dtypes the target accepts: a dtype whose probe call raises is left out and reported."""
    for dtype in CANDIDATE_DTYPES:
        x = np.ones(8, dtype=dtype)
        try:
            ctx.target.forward(x, 0.5, training=True, seed=0)
        except Exception as error:
            ctx.unsupported[dtype.name] = str(error)
            continue
        ctx.dtypes.append(dtype)


def calls_for(total: int, row: int = 1) -> Iterator[int]:
    """Split ``total`` elements into call sizes of about CALL_ELEMENTS, multiples of ``row``."""
    per_call = max(row, (CALL_ELEMENTS // row) * row)
    remaining = total
    while remaining > 0:
        size = min(per_call, -(-remaining // row) * row)
        yield size
        remaining -= size
