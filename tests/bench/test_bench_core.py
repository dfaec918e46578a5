"""Throughput of the reference core against ``x.copy()``, a naive numpy dropout and the frameworks' own CPU
dropout (PyTorch, TensorFlow, Flax under jax.jit, tinygrad under TinyJit; each skipped when absent), in one
session, so that the comparison is one run."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from dropout_verify.dropout_core import dropout_backward, dropout_forward

P = 0.1
DTYPES = [np.float16, np.float32, np.float64]
SIZES = [10**5, 10**7]
FRAMEWORKS = ["torch", "tensorflow", "flax", "tinygrad"]


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


def _framework_dropout(impl: str, x: np.ndarray) -> Callable[[], Any]:
    """A zero-argument call of the framework's training dropout on ``x`` already converted to its tensor type,
    waiting for the result (JAX and tinygrad are asynchronous); a new seed or key per call where it takes one."""
    calls = itertools.count()
    if impl == "torch":
        torch = pytest.importorskip("torch")
        tensor = torch.from_numpy(x)
        return lambda: torch.nn.functional.dropout(tensor, P, training=True)
    if impl == "tensorflow":
        tf = pytest.importorskip("tensorflow")
        tensor = tf.constant(x)
        return lambda: tf.nn.dropout(tensor, rate=P)  # eager: the op has run when it returns
    if impl == "flax":
        jax = pytest.importorskip("jax")
        nnx = pytest.importorskip("flax.nnx")
        layer = nnx.Dropout(P)
        apply = jax.jit(lambda inputs, key: layer(inputs, rngs=key))
        tensor = jax.device_put(x)
        return lambda: apply(tensor, jax.random.key(next(calls))).block_until_ready()
    tinygrad = pytest.importorskip("tinygrad")
    if x.dtype == np.float64:
        pytest.skip("tinygrad's CPU device has no float64 here")
    try:  # its CPU device compiles kernels with clang, which a machine may lack
        tensor = tinygrad.Tensor(x).realize()
    except (RuntimeError, OSError) as error:
        pytest.skip(f"tinygrad is installed but cannot run here: {error}")

    @tinygrad.TinyJit
    def step(inputs: Any) -> Any:
        with tinygrad.Tensor.train():
            return inputs.dropout(P).realize()

    device = tinygrad.Device[tensor.device]
    return lambda: (step(tensor), device.synchronize())


@pytest.mark.parametrize("impl", ["copy", "naive", "forward", "backward", *FRAMEWORKS])
def test_throughput(benchmark, case, impl):
    x, group = case
    benchmark.group = group
    _info(benchmark, impl, x)
    rng = np.random.default_rng(1)
    if impl in FRAMEWORKS:
        call = _framework_dropout(impl, x)
        call()  # a compile, if any, is not throughput
        benchmark(call)
    elif impl == "copy":
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
