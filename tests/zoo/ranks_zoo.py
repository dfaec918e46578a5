"""Distributed dropout in numpy (bug class 18): ranks simulated in one process, each drawing as a training script's
rank would. The broken ones seed every rank alike, read overlapping per-rank streams, or let replicas disagree; the
correct ones offset each rank's seed or share one draw among replicas."""

from __future__ import annotations

import numpy as np


class RankOffsetSeeds:
    """Correct data-parallel dropout: rank r seeds its generator with SeedSequence(seed, spawn_key=(r,)), the
    per-rank offset of the fixed huggingface/accelerate#114."""

    contract = "independent"

    def __init__(self, world_size: int = 4) -> None:
        self.world_size = world_size

    def mask(self, rank: int, size: int, p: float, seed: int) -> np.ndarray:
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(rank,)))
        return rng.random(size) < 1.0 - p

    def forward_ranks(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> list[np.ndarray]:
        if not training:
            return [x.copy() for _ in range(self.world_size)]
        return [np.where(self.mask(rank, x.size, p, seed).reshape(x.shape), x / (1 - p), 0).astype(x.dtype)
                for rank in range(self.world_size)]


    def forward_backward_ranks(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int):
        masks = [self.backward_mask(rank, x.size, p, seed).reshape(x.shape) for rank in range(self.world_size)]
        ys = self.forward_ranks(x, p, training=True, seed=seed)
        return ys, [np.where(mask, dy / (1 - p), 0).astype(dy.dtype) for mask in masks]

    def backward_mask(self, rank: int, size: int, p: float, seed: int) -> np.ndarray:
        return self.mask(rank, size, p, seed)


class BackwardWithoutOffset(RankOffsetSeeds):
    """The forward pass offsets each rank's seed, the recomputed backward pass (activation checkpointing) does not:
    every rank but rank 0 gets its gradient through another mask."""

    def backward_mask(self, rank, size, p, seed):
        return self.mask(0, size, p, seed)


class SameSeedEveryRank(RankOffsetSeeds):
    """Every rank seeds default_rng(seed), as a script that calls set_seed(seed) on each rank: one mask for every
    rank's different samples (huggingface/transformers#31412)."""

    def mask(self, rank, size, p, seed):
        return np.random.default_rng(seed).random(size) < 1.0 - p


class OverlappingRankStreams(RankOffsetSeeds):
    """Rank r reads one stream from offset 1000 r: a per-rank offset smaller than a step consumes, so ranks draw
    shifted copies of each other's masks (the counter-offset bug of class 19, across ranks)."""

    def mask(self, rank, size, p, seed):
        stream = np.random.default_rng(seed).random(size + 1000 * self.world_size)
        return stream[1000 * rank:1000 * rank + size] < 1.0 - p


class ReplicasAgree(RankOffsetSeeds):
    """Correct replicated dropout (tensor-parallel, a replicated region): every replica draws from the same
    generator, seeded from the step's seed alone."""

    contract = "replicated"

    def mask(self, rank, size, p, seed):
        return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,))).random(size) < 1.0 - p


class ReplicasDisagree(ReplicasAgree):
    """Replicas of one activation seeded per rank, as a tensor-parallel RNG tracker used outside its fork
    (volcengine/veScale#52): the copies of one activation get different masks."""

    def mask(self, rank, size, p, seed):
        return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(rank,))).random(size) < 1.0 - p


class ShardedCounter(RankOffsetSeeds):
    """A sharded activation whose shards draw from one counter-based stream at their global offsets: independent
    shards, and the same bits as the unsharded step (shard-invariant, and it says so)."""

    shard_invariant = True

    def stream(self, size: int, p: float, seed: int) -> np.ndarray:
        return np.random.Generator(np.random.Philox(seed)).random(size * self.world_size) < 1.0 - p

    def mask(self, rank, size, p, seed):
        return self.stream(size, p, seed)[rank * size:(rank + 1) * size]

    def forward_unsharded(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> list[np.ndarray]:
        keep = self.stream(x.size, p, seed).reshape(self.world_size, *x.shape)
        return [np.where(keep[rank], x / (1 - p), 0).astype(x.dtype) for rank in range(self.world_size)]


class ShardVariant(ShardedCounter):
    """Promises shard-invariance but draws each shard from a key of its own: sharding changes the result."""

    def mask(self, rank, size, p, seed):
        return np.random.Generator(np.random.Philox(seed + 1 + rank)).random(size) < 1.0 - p


RANKS_CORRECT = [RankOffsetSeeds, ReplicasAgree, ShardedCounter]
# target -> (bug class, the property that must fail, what its message must name)
RANKS_ZOO: dict[type, tuple[int, str, str]] = {
    SameSeedEveryRank: (18, "rank_independence", "ranks 0 and 1 drew identical masks"),
    OverlappingRankStreams: (18, "rank_independence", "shifted by"),
    ReplicasDisagree: (18, "rank_replication", "rank 1 differs from rank 0"),
    ShardVariant: (18, "shard_invariance", "differ from the unsharded step"),
    BackwardWithoutOffset: (10, "rank_backward", "rank 1's gradient flows through another mask"),
}
