"""Throughput of the reference core against ``x.copy()`` and a naive numpy dropout, in one session."""

from __future__ import annotations

import numpy as np
import pytest
from dropout_verify.dropout_core import dropout_backward, dropout_forward

P = 0.1
DTYPES = [np.float16, np.float32, np.float64]
SIZES = [10**5, 10**7]


def _naive(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The textbook line: one float64 uniform per element, compare, multiply, divide."""
    return x * (rng.random(x.size).reshape(x.shape) < 1 - P) / (1 - P)


@pytest.fixture(params=[(d, n) for d in DTYPES for n in SIZES], ids=lambda c: f"{np.dtype(c[0]).name}-{c[1]:.0e}")
def case(request):
    dtype, size = request.param
    x = np.random.default_rng(0).standard_normal(size).astype(dtype)
    return x, f"{np.dtype(dtype).name} n={size:.0e} p={P}"


def _info(benchmark, impl: str, x: np.ndarray) -> None:
    benchmark.extra_info.update(impl=impl, dtype=x.dtype.name, size=x.size, p=P)


@pytest.mark.parametrize("impl", ["copy", "naive", "forward", "backward"])
def test_throughput(benchmark, case, impl):
    x, group = case
    benchmark.group = group
    _info(benchmark, impl, x)
    rng = np.random.default_rng(1)
    if impl == "copy":
        benchmark(x.copy)
    elif impl == "naive":
        benchmark(_naive, x, rng)
    elif impl == "forward":
        y, _ = benchmark(dropout_forward, x, P, rng=rng)
        assert y.dtype == x.dtype
    else:
        _, mask = dropout_forward(x, P, rng=rng)
        dx = benchmark(dropout_backward, x, mask, P)
        assert dx.dtype == x.dtype
