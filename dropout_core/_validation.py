"""Argument checks shared by the functional API and the layer: every bad input raises, naming itself."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

CONVENTIONS = ("inverted", "classic")
FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def check_probability(name: str, value: Any) -> float:
    """Return ``value`` as a float in [0, 1]; reject bools, non-reals, NaN, inf and out-of-range values."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number in [0, 1], got {value!r} of type {type(value).__name__}")
    as_float = float(value)
    if math.isnan(as_float) or not 0.0 <= as_float <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return as_float


def resolve_rates(p: Any, keep_prob: Any) -> tuple[float, float]:
    """Return ``(p, q)`` from exactly one of the drop probability ``p`` or ``keep_prob``."""
    if (p is None) == (keep_prob is None):
        raise TypeError("give exactly one of p (drop probability) or keep_prob (keep probability)")
    if p is not None:
        drop = check_probability("p", p)
        return drop, 1.0 - drop
    keep = check_probability("keep_prob", keep_prob)
    return 1.0 - keep, keep


def check_convention(convention: Any) -> str:
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    return str(convention)


def check_float_array(name: str, x: Any) -> np.ndarray:
    """Return ``x`` as an ndarray of float16/32/64 without copying; other dtypes raise TypeError."""
    arr = np.asarray(x)
    if arr.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name} must be a float16, float32 or float64 array, got dtype {arr.dtype}")
    return arr


def check_noise_shape(noise_shape: Any, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """Resolve ``noise_shape`` against ``shape``: one entry per axis, each 1, ``None`` or the axis length."""
    if noise_shape is None:
        return None
    try:
        entries = tuple(noise_shape)
    except TypeError:
        raise ValueError(f"noise_shape must be a sequence of ints, got {noise_shape!r}") from None
    if len(entries) != len(shape):
        raise ValueError(f"noise_shape {noise_shape!r} has {len(entries)} axes, x has shape {shape}")
    resolved = []
    for entry, size in zip(entries, shape, strict=True):
        if entry is None:
            resolved.append(size)
            continue
        if isinstance(entry, (bool, np.bool_)) or not isinstance(entry, numbers.Integral):
            raise ValueError(f"noise_shape entries must be ints or None, got {noise_shape!r}")
        if int(entry) not in (1, size):
            raise ValueError(f"noise_shape {noise_shape!r} does not broadcast to x.shape {shape}")
        resolved.append(int(entry))
    return tuple(resolved)


def check_mask(mask: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``mask`` as a bool array that broadcasts to ``shape`` (the gradient's); anything else raises."""
    keep = np.asarray(mask)
    if keep.dtype != np.bool_:
        raise TypeError(f"mask must be a bool array (True = kept), got dtype {keep.dtype}")
    try:
        broadcast = np.broadcast_shapes(keep.shape, shape)
    except ValueError:
        broadcast = None
    if broadcast != shape:
        raise ValueError(f"mask of shape {keep.shape} does not broadcast to dy.shape {shape}")
    return keep
