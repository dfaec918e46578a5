"""The framework tests' conversion check: an array sent to a framework and back keeps its values, dtype and shape."""

from __future__ import annotations

import numpy as np
import pytest

DTYPES = ["float16", "float32", "float64", "bfloat16"]
SHAPES = [(), (0,), (3, 4)]


def example(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Values k/7 of ``dtype`` (bfloat16 from ml_dtypes, skipped without it) in ``shape``."""
    kind = pytest.importorskip("ml_dtypes").bfloat16 if dtype == "bfloat16" else dtype
    return (np.arange(int(np.prod(shape))).reshape(shape) / 7).astype(kind)


def assert_same_array(back: np.ndarray, x: np.ndarray) -> None:
    assert back.dtype == x.dtype and back.shape == x.shape
    assert back.tobytes() == x.tobytes()
