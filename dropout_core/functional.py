"""The reference dropout as two functions: forward draws a mask and applies it, backward reuses it."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._mask import CHUNK, Draw, block_streams, fill_keep, keep_mask, keep_threshold, plain_blocks, run_shared
from ._rounding import Scaler, scaled
from ._validation import check_convention, check_float_array, check_mask, check_noise_shape, resolve_rates

_INT_VIEW = {2: np.int16, 4: np.int32, 8: np.int64}


def _apply_chunked(
    x: np.ndarray, keep: np.ndarray, q: float, inverted: bool, rng: np.random.Generator | None
) -> np.ndarray:
    """``where(keep, x / q (or x), +0.0)`` over flat contiguous ``x``, chunk by chunk on all cores.

    With ``rng`` the keep mask is drawn into ``keep`` block by block as it is used (the same bits
    ``keep_mask`` would draw); without it ``keep`` is read as given."""
    y = np.empty_like(x)
    scaler = Scaler(x.dtype, q, True, x.size) if inverted else None
    threshold = keep_threshold(q)
    y_bits = y.view(_INT_VIEW[x.dtype.itemsize])
    keep_bytes = keep.view(np.uint8)

    def prepare(block: slice, draw: Draw | None) -> None:
        if draw is not None:  # the whole block's mask at once: a quarter of the Python calls of per chunk
            fill_keep(draw, keep[block], threshold)

    def scratch() -> tuple[np.ndarray, np.ndarray]:
        wide = np.empty(min(CHUNK, x.size), np.float64)
        ones = np.empty(0 if rng is not None else min(CHUNK, x.size), np.uint8)
        return wide, ones

    def process(part: slice, memory: tuple[np.ndarray, np.ndarray]) -> None:
        wide, ones = memory
        if rng is not None:
            selector = keep_bytes[part]
        else:  # a caller's bool array may hold bytes other than 0 and 1 (np.frombuffer, views)
            selector = np.minimum(keep_bytes[part], 1, out=ones[: part.stop - part.start])
        if scaler is None:
            y[part] = x[part]
        else:
            scaler(x[part], y[part], wide)
        # select, not multiply the values: a dropped NaN or inf becomes +0.0 instead of NaN (the bit
        # patterns are multiplied by 1 or 0)
        np.multiply(y_bits[part], selector, out=y_bits[part])

    streams = list(block_streams(rng, x.size)) if rng is not None else plain_blocks(x.size)
    run_shared(prepare, process, scratch, streams)
    return y


def dropout_forward(
    x: Any,
    p: float | None = None,
    *,
    rng: np.random.Generator,
    training: bool = True,
    convention: str = "inverted",
    noise_shape: Any = None,
    keep_prob: float | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Apply dropout with drop probability ``p`` (or keep probability ``keep_prob``); return ``(y, mask)``.

    Training, inverted: ``y = x / q`` where kept, ``+0.0`` where dropped (``q = 1 - p``); classic: ``y = x``
    where kept. Inference, inverted: ``y`` is a bit-identical copy of ``x``; classic: ``y = q * x``.
    Kept values are correctly rounded in ``x``'s dtype, so E[y] is unbiased in float16 too.

    ``mask`` is a bool array of ``x.shape`` (True = kept), read-only when ``noise_shape`` broadcasts one
    draw over several elements, and ``None`` at inference, where no mask is drawn.

    Non-finite inputs: a kept NaN or inf comes out as ``x / q`` does under IEEE rules (NaN, signed inf);
    a dropped element is always ``+0.0``, whatever it held (select semantics, as Flax and Keras 3; PyTorch
    multiplies, which keeps a dropped NaN as NaN). ``p = 1`` therefore gives finite zeros.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    p, q = resolve_rates(p, keep_prob)
    inverted = check_convention(convention) == "inverted"
    arr = check_float_array("x", x)
    cells = check_noise_shape(noise_shape, arr.shape)

    if not training:
        y = arr.copy() if inverted else scaled(arr, q, divide=False)
        return y, None
    if p == 0.0:
        return arr.copy(), np.ones(arr.shape, dtype=bool)
    if p == 1.0:
        return np.zeros(arr.shape, dtype=arr.dtype), np.zeros(arr.shape, dtype=bool)
    if cells is None or cells == arr.shape:
        flat = np.ascontiguousarray(arr).reshape(-1)
        keep = np.empty(flat.size, dtype=bool)
        y = _apply_chunked(flat, keep, q, inverted, rng)
        return y.reshape(arr.shape), keep.reshape(arr.shape)
    mask = np.broadcast_to(keep_mask(rng, cells, q), arr.shape)
    values = scaled(arr, q, divide=True) if inverted else arr
    return np.where(mask, values, arr.dtype.type(0.0)), mask


def dropout_backward(
    dy: Any,
    mask: Any,
    p: float | None = None,
    *,
    convention: str = "inverted",
    keep_prob: float | None = None,
) -> np.ndarray:
    """Gradient of a training-mode forward pass: ``dy / q`` (inverted) or ``dy`` (classic) where
    ``mask`` kept, ``+0.0`` where it dropped. ``mask`` is the forward pass's own, never re-drawn."""
    p, q = resolve_rates(p, keep_prob)
    inverted = check_convention(convention) == "inverted"
    grad = check_float_array("dy", dy)
    keep = check_mask(mask, grad.shape)
    if q == 0.0 and keep.any():
        raise ValueError("mask keeps elements, but p = 1 drops every element")
    flat_keep = np.ascontiguousarray(np.broadcast_to(keep, grad.shape)).reshape(-1)
    flat_grad = np.ascontiguousarray(grad).reshape(-1)
    if q == 0.0:
        return np.zeros(grad.shape, dtype=grad.dtype)
    return _apply_chunked(flat_grad, flat_keep, q, inverted, None).reshape(grad.shape)
