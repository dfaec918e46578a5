"""Keras 3 on the PyTorch backend: ``keras.layers.Dropout`` and ``SpatialDropout2D`` on CPU tensors, with
gradients from autograd. Keras holds one backend per process (``keras_on``)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from . import keras_on

keras = keras_on("torch", "keras-torch")  # before PyTorch: without it, the message names the keras-torch extra

from .pytorch import to_numpy, to_torch, torch  # noqa: E402


class KerasTorch:
    """``keras.layers.Dropout(p, seed=seed, dtype=x.dtype)(x, training=...)``, a new layer per call."""

    convention = "inverted"
    name = "keras-torch"
    versions: ClassVar[dict[str, str]] = {"keras": keras.__version__, "torch": torch.__version__}

    def _layer(self, p: float, seed: int, dtype: np.dtype) -> Any:
        return keras.layers.Dropout(p, seed=seed, dtype=dtype.name)

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        with torch.no_grad():
            return to_numpy(self._layer(p, seed, x.dtype)(to_torch(x), training=training), x)

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        xt = to_torch(x).requires_grad_(True)
        y = self._layer(p, seed, x.dtype)(xt, training=True)
        if y.requires_grad:  # Keras returns a fresh zeros_like(x) at p = 1: no graph, gradient zero
            y.backward(to_torch(dy))
        dx = xt.grad if xt.grad is not None else torch.zeros_like(xt)
        return to_numpy(y, x), to_numpy(dx, dy)


class KerasTorchSpatial2D(KerasTorch):
    """``keras.layers.SpatialDropout2D`` on channels-last ``(N, H, W, C)``: one draw per sample and channel."""

    name = "keras-torch-spatial2d"
    ndim = 4
    broadcast_axes = (1, 2)

    def _layer(self, p: float, seed: int, dtype: np.dtype) -> Any:
        return keras.layers.SpatialDropout2D(p, data_format="channels_last", seed=seed, dtype=dtype.name)
