"""PaddlePaddle targets: ``paddle.nn.functional.dropout`` in both of its modes (``upscale_in_train``, the inverted
convention, and ``downscale_in_infer``, the classic one) and ``dropout2d``.

Each call runs ``paddle.seed(seed)`` first, as a user's script would; Paddle's global generator state is saved and
put back afterwards. Gradients come from ``paddle.grad``. bfloat16 crosses as float32 (exact both ways).
"""

from __future__ import annotations

import os
import warnings
from typing import Any, ClassVar

import numpy as np

from . import require

os.environ.setdefault("GLOG_minloglevel", "2")  # Paddle's C++ start-up chatter
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="No ccache found", category=UserWarning)
    paddle = require("paddle", "paddle")
F = paddle.nn.functional


def to_paddle(x: np.ndarray) -> Any:
    """A CPU tensor with ``x``'s values and dtype."""
    if x.dtype.name == "bfloat16":
        return paddle.to_tensor(np.asarray(x, dtype=np.float32), place=paddle.CPUPlace()).astype("bfloat16")
    return paddle.to_tensor(np.array(x, order="C"), place=paddle.CPUPlace())


def to_numpy(t: Any, like: np.ndarray) -> np.ndarray:
    if t.dtype == paddle.bfloat16:
        return t.astype("float32").numpy().astype(like.dtype)
    return np.asarray(t.numpy())


class Upscale:
    """``F.dropout(x, p, training=..., mode="upscale_in_train")``: kept values scaled by 1/(1-p) in training."""

    convention = "inverted"
    mode = "upscale_in_train"
    name = "paddle"
    versions: ClassVar[dict[str, str]] = {"paddlepaddle": paddle.__version__}

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return F.dropout(x, p, training=training, mode=self.mode)

    def _seeded(self, seed: int) -> Any:
        saved = paddle.get_rng_state()
        paddle.seed(seed)
        return saved

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        saved = self._seeded(seed)
        try:
            with paddle.no_grad():
                return to_numpy(self._call(to_paddle(x), p, training), x)
        finally:
            paddle.set_rng_state(saved)

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        saved = self._seeded(seed)
        try:
            xt = to_paddle(x)
            xt.stop_gradient = False
            y = self._call(xt, p, True)
            (dx,) = paddle.grad([y], [xt], grad_outputs=[to_paddle(dy)], allow_unused=True)
            if dx is None:  # an output with no path to x (zeros at p = 1): gradient zero
                dx = paddle.zeros_like(xt)
            return to_numpy(y, x), to_numpy(dx, dy)
        finally:
            paddle.set_rng_state(saved)


class Downscale(Upscale):
    """``mode="downscale_in_infer"``: kept values unscaled in training, the output multiplied by 1-p at
    inference (the classic convention)."""

    convention = "classic"
    mode = "downscale_in_infer"
    name = "paddle-downscale"


class Dropout2d(Upscale):
    """``F.dropout2d(x, p, training=...)`` on ``(N, C, H, W)``: one draw per sample and channel."""

    name = "paddle-dropout2d"
    ndim = 4
    broadcast_axes = (2, 3)

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return F.dropout2d(x, p, training=training)


class AlphaDropout(Upscale):
    """``F.alpha_dropout(x, p, training=...)``: the alpha law (``laws.Alpha``)."""

    convention = "inverted"
    law = "alpha"
    name = "paddle-alpha"

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return F.alpha_dropout(x, p, training=training)
