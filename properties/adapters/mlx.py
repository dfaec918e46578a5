"""MLX targets: ``mlx.nn.Dropout``, ``Dropout2d`` and ``Dropout3d`` (channels-last), eager and under
``mx.compile``.

MLX layers draw from a global key: each call runs ``mx.random.seed(seed)`` first, as a user's script would. MLX
has no public way to set a saved key back, so it is left seeded (as TensorFlow's global seed is). Gradients come
from ``mx.vjp``. MLX has no bfloat16 interchange with numpy, so bfloat16 crosses as float32 (exact both ways).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from . import require

mx = require("mlx.core", "mlx")
nn = require("mlx.nn", "mlx")

Apply = Callable[[Any], Any]


def to_mlx(x: np.ndarray) -> Any:
    """An array with ``x``'s values and dtype (bfloat16 through float32, which holds it exactly; float64 named,
    since ``mx.array`` makes a float64 numpy array float32 by default)."""
    if x.dtype.name == "bfloat16":
        return mx.array(np.asarray(x, dtype=np.float32)).astype(mx.bfloat16)
    if x.dtype == np.float64:
        return mx.array(np.array(x, order="C"), dtype=mx.float64)
    return mx.array(np.array(x, order="C"))


def to_numpy(a: Any, like: np.ndarray) -> np.ndarray:
    if a.dtype == mx.bfloat16:
        return np.asarray(a.astype(mx.float32)).astype(like.dtype)
    return np.asarray(a)


class Eager:
    """``mlx.nn.Dropout(p)`` switched with ``.train()`` / ``.eval()``, a new layer per call."""

    convention = "inverted"
    name = "mlx"
    versions: ClassVar[dict[str, str]] = {"mlx": mx.__version__}

    def _layer(self, p: float) -> Any:
        return nn.Dropout(p)

    def _apply(self, p: float, training: bool) -> Apply:
        layer = self._layer(p)
        layer.train(training)
        return layer

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        apply = self._apply(p, training)
        mx.random.seed(seed)
        y = apply(to_mlx(x))
        mx.eval(y)
        return to_numpy(y, x)

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        apply = self._apply(p, True)
        mx.random.seed(seed)
        (y,), (dx,) = mx.vjp(lambda inputs: apply(inputs), [to_mlx(x)], [to_mlx(dy)])
        mx.eval(y, dx)
        return to_numpy(y, x), to_numpy(dx, dy)


class Dropout2d(Eager):
    """``mlx.nn.Dropout2d`` on channels-last ``(N, H, W, C)``: one draw per sample and channel."""

    name = "mlx-dropout2d"
    ndim = 4
    broadcast_axes = (1, 2)

    def _layer(self, p: float) -> Any:
        return nn.Dropout2d(p)


class Dropout3d(Eager):
    """``mlx.nn.Dropout3d`` on channels-last ``(N, D, H, W, C)``: one draw per sample and channel."""

    name = "mlx-dropout3d"
    ndim = 5
    broadcast_axes = (1, 2, 3)

    def _layer(self, p: float) -> Any:
        return nn.Dropout3d(p)


class Compiled(Eager):
    """The layer under ``mx.compile`` with the random state as an input and an output, as MLX's documentation
    asks of a function that draws random numbers: compiled once per rate and mode (and shape and dtype)."""

    name = "mlx-compile"

    def __init__(self) -> None:
        self.cache: dict[tuple[float, bool], Apply] = {}

    def _compile(self, layer: Any) -> Apply:
        state = [mx.random.state]
        return mx.compile(lambda inputs: layer(inputs), inputs=state, outputs=state)

    def _apply(self, p: float, training: bool) -> Apply:
        if (p, training) not in self.cache:
            self.cache[(p, training)] = self._compile(super()._apply(p, training))
        return self.cache[(p, training)]


class CompiledWithoutState(Compiled):
    """The layer under a plain ``mx.compile(f)``, as code written before MLX's note on randomness compiles it
    (ml-explore/mlx#1321): the key is captured when the function is traced."""

    name = "mlx-compile-nostate"

    def _compile(self, layer: Any) -> Apply:
        return mx.compile(lambda inputs: layer(inputs))
