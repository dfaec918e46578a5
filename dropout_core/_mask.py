"""Exact Bernoulli(q) keep masks from few random bits, and the block layout that spreads them over cores.

An element is kept when a uniform 64-bit integer ``U`` is below ``T = round(q * 2**64)``, so the keep
rate is ``q`` within ``2**-65``. ``U`` is drawn lazily: one random byte against the top byte of ``T``
decides 255 times in 256; only on a tie are 56 more bits drawn. That is about 8 random bits per element
instead of the 53 that ``rng.random() < q`` spends, and no 8- or 16-bit threshold (bug class 3).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any

import numpy as np

# Arrays up to BLOCK elements draw from the caller's generator directly. Larger arrays are cut into
# blocks of BLOCK elements, each with its own SFC64 stream spawned from one SeedSequence seeded by the
# caller's generator, so the result does not depend on how many threads process the blocks.
BLOCK = 1 << 20
# Masks are drawn a block at a time; scaling and selecting go CHUNK elements at a time, so that
# temporaries stay in cache while Python overhead stays small.
CHUNK = 1 << 18
_LOW_BITS = 56
_TOP_BYTE = np.uint64(64 - _LOW_BITS)
_ALL_ONES = int(np.iinfo(np.uint64).max)

Draw = Callable[[int], np.ndarray]
"""``draw(n)``: ``n`` uint64 words of 64 uniform random bits each."""

_executor: ThreadPoolExecutor | None = None


def keep_threshold(q: float) -> int:
    """``round(q * 2**64)``: keep iff a uniform 64-bit integer is below it."""
    return round(Fraction(q) * 2**64)


def words_from(rng: np.random.Generator) -> Draw:
    """64-bit words from any numpy Generator. ``random_raw`` is not used here: some bit generators
    (MT19937) return 32-bit values from it, which would leave half of every word zero."""
    return lambda n: rng.integers(0, _ALL_ONES, size=n, dtype=np.uint64, endpoint=True)


def fill_keep(draw: Draw, out: np.ndarray, threshold: int) -> None:
    """Fill the 1-D contiguous bool array ``out`` with independent Bernoulli(threshold / 2**64) draws."""
    n = out.size
    top, low = threshold >> _LOW_BITS, threshold & ((1 << _LOW_BITS) - 1)
    all_bytes = draw((n + 7) // 8).astype("<u8", copy=False).view(np.uint8)
    np.less(all_bytes[:n], top, out=out)
    if top > 255:  # threshold == 2**64: every element is kept, no tie is possible
        return
    # Ties are 1 byte in 256: find the 8-byte words holding one first (8 times fewer to scan), then
    # the bytes inside those words.
    equal = all_bytes == top
    words = equal.view(np.uint64)
    tie_words = np.flatnonzero(words != 0)
    if not tie_words.size:
        return
    # the bytes of those words, from a gather of whole words read as bool (a row gather of the 2-D byte
    # view took 3.5 times as long; read as uint8 rather than bool, nonzero is 4 times slower)
    inside = np.flatnonzero(words[tie_words].view(np.bool_))
    ties = tie_words[inside >> 3] * 8 + (inside & 7)
    if ties[-1] >= n:  # the padding bytes of the last word
        ties = ties[ties < n]
    if ties.size:
        out[ties] = (draw(ties.size) >> _TOP_BYTE) < low


def _spawn(rng: np.random.Generator, blocks: int) -> list[Draw]:
    entropy = [int(v) for v in words_from(rng)(4)]
    children = np.random.SeedSequence(entropy).spawn(blocks)
    return [np.random.SFC64(child).random_raw for child in children]  # SFC64's raw output is 64-bit


def block_streams(rng: np.random.Generator, size: int) -> Iterator[tuple[slice, Draw | None]]:
    """The fixed split of ``size`` elements into blocks, each paired with its own stream of words."""
    if size <= BLOCK:
        yield slice(0, size), words_from(rng)
        return
    starts = range(0, size, BLOCK)
    for start, draw in zip(starts, _spawn(rng, len(starts)), strict=True):
        yield slice(start, min(start + BLOCK, size)), draw


def run_blocks(work: Callable[[slice, Draw | None], None], streams: list[tuple[slice, Draw | None]]) -> None:
    """Apply ``work`` to every ``(block, stream)``; blocks run on all cores when there are several."""
    if len(streams) == 1:
        work(*streams[0])
        return
    for future in [_pool().submit(work, block, draw) for block, draw in streams]:
        future.result()


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="dropout_core")
    return _executor


def _chunks(block: slice) -> list[slice]:
    return [slice(start, min(start + CHUNK, block.stop)) for start in range(block.start, block.stop, CHUNK)]


def run_shared(
    prepare: Callable[[slice, Draw | None], None],
    process: Callable[[slice, Any], None],
    scratch: Callable[[], Any],
    streams: list[tuple[slice, Draw | None]],
) -> None:
    """``prepare`` every block (draw its mask, each block on one thread), then ``process`` its chunks of
    CHUNK elements, on all cores. Prepared chunks go to a queue every thread takes from, so the threads
    finish together: 10^7 elements are 9.5 blocks, and with whole blocks per thread one did 5 and the
    other 4.5. ``scratch()`` makes each thread's working memory, passed to ``process``."""
    if len(streams) == 1:  # one block: no queue, no lock (most calls, and the small ones)
        (block, draw), memory = streams[0], scratch()
        prepare(block, draw)
        for part in _chunks(block):
            process(part, memory)
        return
    blocks = deque(streams)
    ready: deque[slice] = deque()
    preparing = 0
    changed = threading.Condition()

    def worker() -> None:
        nonlocal preparing
        memory = scratch()
        while True:
            with changed:
                while not ready and not blocks and preparing:
                    changed.wait()  # a block is being prepared: its chunks are still to come
                if ready:
                    part: slice | None = ready.popleft()
                elif blocks:
                    part, (block, draw) = None, blocks.popleft()
                    preparing += 1
                else:
                    return
            if part is not None:
                process(part, memory)
                continue
            try:
                prepare(block, draw)
            except BaseException:
                with changed:  # no chunk of this block may run; the others stop taking blocks
                    preparing -= 1
                    blocks.clear()
                    changed.notify_all()
                raise
            with changed:
                preparing -= 1
                ready.extend(_chunks(block))
                changed.notify_all()

    threads = min(os.cpu_count() or 1, len(streams))
    for future in [_pool().submit(worker) for _ in range(threads)]:
        future.result()


def plain_blocks(size: int) -> list[tuple[slice, Draw | None]]:
    """The same block split as ``block_streams``, for work that draws no random numbers."""
    return [(slice(start, min(start + BLOCK, size)), None) for start in range(0, max(size, 1), BLOCK)]


def keep_mask(rng: np.random.Generator, shape: tuple[int, ...], q: float) -> np.ndarray:
    """A bool array of ``shape``, each element kept (True) with probability ``q``, independently."""
    out = np.empty(shape, dtype=bool)
    flat = out.reshape(-1)
    threshold = keep_threshold(q)

    def work(block: slice, draw: Draw | None) -> None:
        assert draw is not None
        fill_keep(draw, flat[block], threshold)

    run_blocks(work, list(block_streams(rng, flat.size)))
    return out
