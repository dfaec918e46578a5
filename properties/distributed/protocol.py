"""The distributed target protocol and the adapter the rank properties call it through.

A distributed target has ``world_size`` (ranks, at least 2), ``contract`` (``"independent"``: data-parallel samples
or sharded activations, whose masks must be independent across ranks; ``"replicated"``: one activation held by
every rank, whose masks must be bit-identical) and ``forward_ranks(x, p, *, training, seed)``: one dropout step
on every rank, each rank given ``x`` and the run's ``seed`` as a training script gives every rank the same seed,
returning the ranks' outputs in rank order.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..target import TargetCallError, TargetLoadError, describe

CONTRACTS = ("independent", "replicated")


@runtime_checkable
class DistributedTarget(Protocol):
    world_size: int
    contract: str

    def forward_ranks(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> Sequence[Any]: ...


def is_distributed(obj: Any) -> bool:
    """Whether ``obj`` is a distributed target (it has ``forward_ranks``)."""
    return callable(getattr(obj, "forward_ranks", None))


def _check_world_size(value: Any, where: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or int(value) < 2:
        raise TargetLoadError(f"{where} must be an integer of at least 2 ranks, got {value!r}")
    return int(value)


class RankAdapter:
    """Calls a distributed target, checks that it returned one array of the input's shape per rank, and turns every
    failure into a ``TargetCallError`` naming the call."""

    def __init__(self, target: Any, name: str = "", world_size: int | None = None) -> None:
        self.target = target
        self.name = name or describe(target)
        if world_size is not None:
            size = _check_world_size(world_size, "--world-size")
            try:
                target.world_size = size
            except AttributeError as error:
                raise TargetLoadError(f"target {self.name} has a fixed world size; it cannot run on {size} ranks") \
                    from error
        self.world_size = _check_world_size(getattr(target, "world_size", None), f"target {self.name}'s world_size")
        contract = getattr(target, "contract", None)
        if contract not in CONTRACTS:
            raise TargetLoadError(f"target {self.name}'s contract must be one of {', '.join(CONTRACTS)}, got "
                                  f"{contract!r}")
        self.contract: str = contract
        self.calls = 0
        # whether the target promises that its shards equal the same step on one device (``forward_unsharded``)
        self.shard_invariant = bool(getattr(target, "shard_invariant", False))

    def outputs(self, x: np.ndarray, p: float, *, training: bool, seed: int,
                method: str = "forward_ranks") -> np.ndarray:
        """The ranks' outputs for input ``x`` as one array of shape ``(world_size, *x.shape)`` (``method``
        ``forward_unsharded``: the same step on one device, cut into the ranks' parts)."""
        where = f"{method}(dtype={x.dtype.name}, shape={x.shape}, p={p!r}, seed={seed}, training={training})"
        self.calls += 1
        try:
            value = getattr(self.target, method)(x, p, training=training, seed=seed)
        except Exception as error:
            raise TargetCallError(f"{where} raised {error!r}") from error
        return self._stack(value, x, where)

    def gradients(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The ranks' outputs and input gradients of one training step, each ``(world_size, *x.shape)``."""
        where = f"forward_backward_ranks(dtype={x.dtype.name}, shape={x.shape}, p={p!r}, seed={seed})"
        self.calls += 1
        try:
            ys, dxs = self.target.forward_backward_ranks(x, dy, p, seed=seed)
        except Exception as error:
            raise TargetCallError(f"{where} raised {error!r}") from error
        return self._stack(ys, x, where), self._stack(dxs, x, where)

    def _stack(self, value: Any, x: np.ndarray, where: str) -> np.ndarray:
        try:
            ranks = [np.asarray(output) for output in value]
        except Exception as error:
            raise TargetCallError(f"{where} returned {type(value).__name__}, not one array per rank: {error!r}",
                                  raised=False) from error
        if len(ranks) != self.world_size:
            raise TargetCallError(f"{where} returned {len(ranks)} outputs for {self.world_size} ranks", raised=False)
        for rank, output in enumerate(ranks):
            if output.shape != x.shape:
                raise TargetCallError(f"{where}: rank {rank} returned shape {output.shape}, expected {x.shape}",
                                      raised=False)
        return np.stack(ranks)

    def masks(self, dtype: np.dtype, p: float, size: int, seed: int) -> np.ndarray:
        """The ranks' keep masks (``y != 0`` for ``x = 1``) of one step, shape ``(world_size, size)``."""
        return self.outputs(np.ones(size, dtype=dtype), p, training=True, seed=seed) != 0
