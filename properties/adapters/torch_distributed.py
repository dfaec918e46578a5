"""Data-parallel PyTorch dropout on ``world_size`` local ranks: ``torch.distributed`` with the gloo backend.

The ranks are processes started once (spawned, so that no parent state leaks in) and kept for the target's
life; each forms the process group with ``init_process_group("gloo")``. A step sends every rank the input,
rate and seed; each rank seeds its generator as a training script does and applies
``torch.nn.functional.dropout``; rank 0 collects the outputs with ``torch.distributed.gather`` and returns them.
``torch-ddp`` seeds every rank with the same seed (``torch.manual_seed(seed)`` on each, as many scripts do: the
ranks' different samples get one mask); ``torch-ddp-offset`` seeds rank r with ``seed + r`` (the fixed
``set_seed(seed, device_specific=True)`` of huggingface/accelerate#114).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import socket
from typing import Any, ClassVar

import numpy as np

from . import require

torch = require("torch", "torch")

STEP_TIMEOUT = 300.0  # seconds a step may take before the ranks are declared hung


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rank_main(rank: int, world_size: int, port: int, offset_seeds: bool, inbox: Any, outbox: Any) -> None:
    """One rank: join the gloo group, then run steps until told to stop (``None``)."""
    import torch.distributed as dist

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    try:
        while (step := inbox.get()) is not None:
            x, dy, p, training, seed = step
            torch.manual_seed(seed + rank if offset_seeds else seed)
            error = ""
            try:
                xt = torch.from_numpy(x).requires_grad_(dy is not None)
                y = torch.nn.functional.dropout(xt, p, training=training)
                if dy is not None:
                    y.backward(torch.from_numpy(dy))
                results = [y.detach()] + ([xt.grad] if dy is not None else [])
            except Exception as raised:  # every rank raises alike: report it, keep the group in step
                error = repr(raised)
                results = [torch.zeros(x.shape, dtype=torch.from_numpy(x).dtype)] * (1 if dy is None else 2)
            gathered = []
            for tensor in results:
                parts = [torch.empty_like(tensor) for _ in range(world_size)] if rank == 0 else None
                dist.gather(tensor.contiguous(), parts, dst=0)
                gathered.append([part.numpy() for part in parts] if parts else [])
            if rank == 0:
                outbox.put((error, gathered))
    finally:
        dist.destroy_process_group()


class _Group:
    """The ranks' processes and their queues."""

    def __init__(self, world_size: int, offset_seeds: bool) -> None:
        context = multiprocessing.get_context("spawn")
        port = _free_port()
        self.world_size = world_size
        self.inboxes = [context.Queue() for _ in range(world_size)]
        self.outbox = context.Queue()
        self.processes = [context.Process(target=_rank_main, daemon=True,
                                          args=(rank, world_size, port, offset_seeds, self.inboxes[rank], self.outbox))
                          for rank in range(world_size)]
        for process in self.processes:
            process.start()

    def step(self, x: np.ndarray, dy: np.ndarray | None, p: float, training: bool,
             seed: int) -> list[list[np.ndarray]]:
        """The ranks' outputs (and, with ``dy``, their input gradients), gathered on rank 0."""
        for inbox in self.inboxes:
            inbox.put((x, dy, p, training, seed))
        error, gathered = self.outbox.get(timeout=STEP_TIMEOUT)
        if error:
            raise RuntimeError(error)
        return gathered

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


class DataParallel:
    """``F.dropout`` on ``world_size`` gloo ranks, every rank seeded with the step's seed (``torch-ddp``)."""

    name = "torch-ddp"
    contract = "independent"
    offset_seeds = False
    versions: ClassVar[dict[str, str]] = {"torch": torch.__version__}

    def __init__(self, world_size: int = 4) -> None:
        self.world_size = world_size
        self._group: _Group | None = None
        atexit.register(self.close)

    def _ranks(self) -> _Group:
        if self._group is None or self._group.world_size != self.world_size:
            self.close()
            self._group = _Group(self.world_size, self.offset_seeds)
        return self._group

    @staticmethod
    def _check(x: np.ndarray) -> np.ndarray:
        if x.dtype.name == "bfloat16":
            raise TypeError("torch-ddp passes numpy arrays to its ranks: bfloat16 is not taken")
        return np.ascontiguousarray(x)

    def forward_ranks(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> list[np.ndarray]:
        return self._ranks().step(self._check(x), None, p, training, seed)[0]

    def forward_backward_ranks(self, x: np.ndarray, dy: np.ndarray, p: float, *,
                               seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Each rank's output and autograd's input gradient for the upstream gradient ``dy``."""
        ys, dxs = self._ranks().step(self._check(x), self._check(dy), p, True, seed)
        return ys, dxs

    def close(self) -> None:
        if self._group is not None:
            self._group.close()
            self._group = None


class DataParallelOffset(DataParallel):
    """``torch-ddp`` with rank r seeded ``seed + r`` (``torch-ddp-offset``)."""

    name = "torch-ddp-offset"
    offset_seeds = True
