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
            x, p, training, seed = step
            torch.manual_seed(seed + rank if offset_seeds else seed)
            try:
                y = torch.nn.functional.dropout(torch.from_numpy(x), p, training=training)
                error = ""
            except Exception as raised:  # every rank raises alike: report it, keep the group in step
                y, error = torch.zeros(x.shape, dtype=torch.from_numpy(x).dtype), repr(raised)
            gathered = [torch.empty_like(y) for _ in range(world_size)] if rank == 0 else None
            dist.gather(y.contiguous(), gathered, dst=0)
            if rank == 0:
                outbox.put((error, [t.numpy() for t in gathered] if gathered else []))
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

    def step(self, x: np.ndarray, p: float, training: bool, seed: int) -> list[np.ndarray]:
        for inbox in self.inboxes:
            inbox.put((x, p, training, seed))
        error, outputs = self.outbox.get(timeout=STEP_TIMEOUT)
        if error:
            raise RuntimeError(error)
        return outputs

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

    def forward_ranks(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> list[np.ndarray]:
        if x.dtype.name == "bfloat16":
            raise TypeError("torch-ddp passes numpy arrays to its ranks: bfloat16 is not taken")
        if self._group is None or self._group.world_size != self.world_size:
            self.close()
            self._group = _Group(self.world_size, self.offset_seeds)
        return self._group.step(np.ascontiguousarray(x), p, training, seed)

    def close(self) -> None:
        if self._group is not None:
            self._group.close()
            self._group = None


class DataParallelOffset(DataParallel):
    """``torch-ddp`` with rank r seeded ``seed + r`` (``torch-ddp-offset``)."""

    name = "torch-ddp-offset"
    offset_seeds = True
