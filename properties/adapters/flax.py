"""Flax targets: ``flax.nnx.Dropout``, ``flax.linen.Dropout`` and a ``jax.jit``-compiled nnx path (keys,
gradients and float64 as in ``jax_common``)."""

from __future__ import annotations

from typing import ClassVar

from . import require
from .jax_common import Apply, JaxTarget, jax

nnx = require("flax.nnx", "jax")
linen = require("flax.linen", "jax")
flax = require("flax", "jax")


class _Flax(JaxTarget):
    versions: ClassVar[dict[str, str]] = {"jax": jax.__version__, "flax": flax.__version__}


class Nnx(_Flax):
    """``flax.nnx.Dropout(p)(x, deterministic=not training, rngs=key)``."""

    name = "jax"

    def _apply(self, p: float, training: bool) -> Apply:
        layer = nnx.Dropout(p)
        return lambda x, key: layer(x, deterministic=not training, rngs=key)


class NnxBroadcast(_Flax):
    """``flax.nnx.Dropout(p, broadcast_dims=(2, 3))`` on ``(N, C, H, W)``: one draw per sample and channel."""

    name = "jax-broadcast"
    ndim = 4
    broadcast_axes = (2, 3)

    def _apply(self, p: float, training: bool) -> Apply:
        layer = nnx.Dropout(p, broadcast_dims=self.broadcast_axes)
        return lambda x, key: layer(x, deterministic=not training, rngs=key)


class Linen(_Flax):
    """``flax.linen.Dropout(p).apply({}, x, deterministic=not training, rngs={"dropout": key})``."""

    name = "flax-linen"

    def _apply(self, p: float, training: bool) -> Apply:
        layer = linen.Dropout(p)
        return lambda x, key: layer.apply({}, x, deterministic=not training, rngs={"dropout": key})


class Jitted(Nnx):
    """The nnx layer under ``jax.jit``, compiled once per rate, mode, dtype and shape."""

    name = "jax-jit"

    def __init__(self) -> None:
        self.cache: dict[tuple[float, bool], Apply] = {}

    def _apply(self, p: float, training: bool) -> Apply:
        if (p, training) not in self.cache:
            self.cache[(p, training)] = jax.jit(super()._apply(p, training))
        return self.cache[(p, training)]
