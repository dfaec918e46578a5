"""Dropout across ranks and shards: a target that runs one step on ``world_size`` ranks, its contract per tensor
(``independent`` or ``replicated``), and the properties that judge the ranks' masks against it."""

from .protocol import CONTRACTS, DistributedTarget, RankAdapter, is_distributed
from .runner import verify_distributed

__all__ = ["CONTRACTS", "DistributedTarget", "RankAdapter", "is_distributed", "verify_distributed"]
