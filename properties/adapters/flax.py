"""JAX targets: ``flax.nnx.Dropout``, ``flax.linen.Dropout`` and a ``jax.jit``-compiled nnx path.

Keys come from ``jax.random.key(seed)``; gradients from ``jax.vjp``. Importing this module turns on
``jax_enable_x64`` for the process, so that float64 inputs stay float64 (JAX's default would silently
compute them in float32).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from . import require

jax = require("jax", "jax")
nnx = require("flax.nnx", "jax")
linen = require("flax.linen", "jax")
flax = require("flax", "jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)


class _Flax:
    convention = "inverted"
    name = "jax"
    versions: ClassVar[dict[str, str]] = {"jax": jax.__version__, "flax": flax.__version__}

    def _apply(self, p: float, training: bool) -> Callable[[Any, Any], Any]:
        """A function of (x, key) that applies the layer."""
        raise NotImplementedError

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        return np.asarray(self._apply(p, training)(jnp.asarray(x), jax.random.key(seed)))

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int):
        key = jax.random.key(seed)
        apply = self._apply(p, True)
        y, vjp = jax.vjp(lambda inputs: apply(inputs, key), jnp.asarray(x))
        (dx,) = vjp(jnp.asarray(dy))
        return np.asarray(y), np.asarray(dx)


class Nnx(_Flax):
    """``flax.nnx.Dropout(p)(x, deterministic=not training, rngs=key)``."""

    name = "jax"

    def _apply(self, p: float, training: bool) -> Callable[[Any, Any], Any]:
        layer = nnx.Dropout(p)
        return lambda x, key: layer(x, deterministic=not training, rngs=key)


class NnxBroadcast(_Flax):
    """``flax.nnx.Dropout(p, broadcast_dims=(2, 3))`` on ``(N, C, H, W)``: one draw per sample and channel."""

    name = "jax-broadcast"
    ndim = 4
    broadcast_axes = (2, 3)

    def _apply(self, p: float, training: bool) -> Callable[[Any, Any], Any]:
        layer = nnx.Dropout(p, broadcast_dims=self.broadcast_axes)
        return lambda x, key: layer(x, deterministic=not training, rngs=key)


class Linen(_Flax):
    """``flax.linen.Dropout(p).apply({}, x, deterministic=not training, rngs={"dropout": key})``."""

    name = "flax-linen"

    def _apply(self, p: float, training: bool) -> Callable[[Any, Any], Any]:
        layer = linen.Dropout(p)
        return lambda x, key: layer.apply({}, x, deterministic=not training, rngs={"dropout": key})


class Jitted(Nnx):
    """The nnx layer under ``jax.jit``, compiled once per rate, mode, dtype and shape."""

    name = "jax-jit"

    def __init__(self) -> None:
        self.cache: dict[tuple[float, bool], Callable[[Any, Any], Any]] = {}

    def _apply(self, p: float, training: bool) -> Callable[[Any, Any], Any]:
        if (p, training) not in self.cache:
            self.cache[(p, training)] = jax.jit(super()._apply(p, training))
        return self.cache[(p, training)]
