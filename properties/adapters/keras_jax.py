"""Keras 3 on the JAX backend: ``keras.layers.Dropout`` and ``SpatialDropout2D``, and the layer under a raw
``jax.jit`` as a training step calls it (keys and float64 as in ``jax_common``).

Keras holds one backend per process (``keras_on``). Gradients come from ``jax.vjp`` over the layer's
``stateless_call``, Keras's own way of calling a layer inside a JAX transformation.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from . import keras_on

keras = keras_on("jax", "keras-jax")  # before JAX: without it, the message names the keras-jax extra

from .jax_common import jax, jnp  # noqa: E402


class KerasJax:
    """``keras.layers.Dropout(p, seed=seed, dtype=x.dtype)(x, training=...)``, a new layer per call (the dtype
    policy keeps a float16 input float16)."""

    convention = "inverted"
    name = "keras-jax"
    versions: ClassVar[dict[str, str]] = {"keras": keras.__version__, "jax": jax.__version__}

    def _layer(self, p: float, seed: int, dtype: np.dtype) -> Any:
        return keras.layers.Dropout(p, seed=seed, dtype=dtype.name)

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        return np.asarray(self._layer(p, seed, x.dtype)(jnp.asarray(x), training=training))

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        layer = self._layer(p, seed, x.dtype)
        layer.build(x.shape)
        trainable = [v.value for v in layer.trainable_variables]
        state = [v.value for v in layer.non_trainable_variables]

        def apply(inputs: Any) -> Any:
            outputs, _ = layer.stateless_call(trainable, state, inputs, training=True)
            return outputs

        y, vjp = jax.vjp(apply, jnp.asarray(x))
        (dx,) = vjp(jnp.asarray(dy))
        return np.asarray(y), np.asarray(dx)


class KerasJaxSpatial2D(KerasJax):
    """``keras.layers.SpatialDropout2D`` on channels-last ``(N, H, W, C)``: one draw per sample and channel."""

    name = "keras-jax-spatial2d"
    ndim = 4
    broadcast_axes = (1, 2)

    def _layer(self, p: float, seed: int, dtype: np.dtype) -> Any:
        return keras.layers.SpatialDropout2D(p, data_format="channels_last", seed=seed, dtype=dtype.name)


class KerasJaxJit(KerasJax):
    """One ``Dropout`` layer per rate, mode, dtype and shape, seeded with the first call's seed and called
    inside a raw ``jax.jit``, as a hand-written JAX training step calls a Keras layer (keras#18426). Later
    calls run the compiled step; their seed does not reach it, as a training loop's step count does not."""

    name = "keras-jax-jit"

    def __init__(self) -> None:
        self.steps: dict[tuple[Any, ...], Any] = {}

    def _step(self, p: float, training: bool, x: np.ndarray, seed: int) -> Any:
        key = (p, training, x.dtype.name, x.shape)
        if key not in self.steps:
            layer = self._layer(p, seed, x.dtype)
            self.steps[key] = jax.jit(lambda inputs: layer(inputs, training=training))
        return self.steps[key]

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        return np.asarray(self._step(p, training, x, seed)(jnp.asarray(x)))

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        y, vjp = jax.vjp(self._step(p, True, x, seed), jnp.asarray(x))
        (dx,) = vjp(jnp.asarray(dy))
        return np.asarray(y), np.asarray(dx)
