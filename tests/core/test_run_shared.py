"""The shared chunk queue: every chunk is processed once, after its block was prepared, and a failure
while preparing reaches the caller without any chunk of that block running."""

from __future__ import annotations

import threading

import pytest
from dropout_verify.dropout_core._mask import BLOCK, CHUNK, plain_blocks, run_shared


@pytest.mark.parametrize("size", [0, 5, CHUNK + 1, BLOCK, 3 * BLOCK + 7])
def test_every_chunk_runs_once_after_its_block(size):
    prepared: set[int] = set()
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()

    def prepare(block, draw):
        with lock:
            prepared.add(block.start)

    def process(part, memory):
        assert memory == "scratch"
        with lock:
            assert part.start - part.start % BLOCK in prepared, "a chunk ran before its block was prepared"
            seen.append((part.start, part.stop))

    run_shared(prepare, process, lambda: "scratch", plain_blocks(size))
    covered = sorted(seen)
    assert [start for start, _ in covered] == list(range(0, size, CHUNK))
    assert all(stop == min(start + CHUNK, size) for start, stop in covered)


def test_a_failing_block_stops_the_run_and_raises():
    processed: list[int] = []

    def prepare(block, draw):
        if block.start == BLOCK:
            raise MemoryError("no room")

    def process(part, memory):
        processed.append(part.start)

    with pytest.raises(MemoryError, match="no room"):
        run_shared(prepare, process, lambda: None, plain_blocks(4 * BLOCK))
    assert not [start for start in processed if BLOCK <= start < 2 * BLOCK]
