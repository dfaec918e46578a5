"""Targets that misbehave rather than compute dropout wrongly: they raise, return the wrong thing, hang or
kill their process. The harness must turn each into an ``error`` verdict naming the call, and finish."""

from __future__ import annotations

import ctypes
import os
import threading

import numpy as np


def correct(x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
    """A plain correct inverted dropout: what every misbehaving target does when it behaves."""
    if not 0 <= p <= 1:
        raise ValueError(f"p must be in [0, 1], got {p!r}")
    if not training or p == 0:
        return x.copy()
    if p == 1:
        return np.zeros_like(x)
    keep = np.random.default_rng(seed).random(x.shape) < 1 - p
    return np.where(keep, (x.astype(np.float64) / (1 - p)).astype(x.dtype), x.dtype.type(0))


def _large(x: np.ndarray) -> bool:
    """Misbehave only on the battery's big sampling calls, so that probing and small checks pass."""
    return x.size >= 1 << 16


def raises_sometimes(x, p, *, training, seed):
    if training and _large(x) and seed % 3 == 0:
        raise RuntimeError("kernel launch failed")
    return correct(x, p, training=training, seed=seed)


def raises_always(x, p, *, training, seed):
    raise RuntimeError("not implemented for this device")


def wrong_shape(x, p, *, training, seed):
    y = correct(x, p, training=training, seed=seed)
    return y.ravel()[:-1] if _large(x) else y


class NotArrayLike:
    def __array__(self, *args, **kwargs):
        raise TypeError("cannot be converted")


def wrong_type(x, p, *, training, seed):
    return NotArrayLike() if _large(x) else correct(x, p, training=training, seed=seed)


def returns_none(x, p, *, training, seed):
    return None if _large(x) else correct(x, p, training=training, seed=seed)


def makes_nan(x, p, *, training, seed):
    y = correct(x, p, training=training, seed=seed)
    if _large(x):
        y = y.copy()
        y.flat[7] = np.nan
    return y


def hangs(x, p, *, training, seed):
    if _large(x):
        threading.Event().wait()  # never set: blocks however long the limit, whatever the machine's load
    return correct(x, p, training=training, seed=seed)


def aborts(x, p, *, training, seed):
    if _large(x):
        os.abort()  # SIGABRT, as a failed assertion in a native kernel
    return correct(x, p, training=training, seed=seed)


def segfaults(x, p, *, training, seed):
    if _large(x):
        ctypes.string_at(0)  # reads address 0: SIGSEGV
    return correct(x, p, training=training, seed=seed)
