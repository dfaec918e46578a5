"""Exact Bernoulli(q) keep masks from few random bits, and the block layout that spreads them over cores.

An element is kept when a uniform 64-bit integer ``U`` is below ``T = round(q * 2**64)``, so the keep
rate is ``q`` within ``2**-65``. ``U`` is drawn lazily: one random byte against the top byte of ``T``
decides 255 times in 256; only on a tie are 56 more bits drawn. That is about 8 random bits per element
instead of the 53 that ``rng.random() < q`` spends, and no 8- or 16-bit threshold (bug class 3).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

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
    tie_words = np.flatnonzero(equal.view(np.uint64) != 0)
    if not tie_words.size:
        return
    inside = np.flatnonzero(equal.reshape(-1, 8)[tie_words])
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
    global _executor
    if len(streams) == 1:
        work(*streams[0])
        return
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="dropout_core")
    for future in [_executor.submit(work, block, draw) for block, draw in streams]:
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
