"""Built-in targets: the reference core in both conventions, and its alpha and Gaussian dropout."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dropout_core import (
    alpha_dropout_backward,
    alpha_dropout_forward,
    dropout_backward,
    dropout_forward,
    gaussian_dropout_backward,
    gaussian_dropout_forward,
)


class ReferenceTarget:
    """``dropout_core`` behind the target protocol; each call seeds a fresh ``default_rng(seed)``."""

    def __init__(self, convention: str = "inverted") -> None:
        self.convention = convention
        self.name = "reference" if convention == "inverted" else "reference-classic"

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        y, _ = dropout_forward(x, p, rng=np.random.default_rng(seed), training=training, convention=self.convention)
        return y

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        y, mask = dropout_forward(x, p, rng=np.random.default_rng(seed), convention=self.convention)
        assert mask is not None
        return y, dropout_backward(dy, mask, p, convention=self.convention)


class ReferenceChannelTarget(ReferenceTarget):
    """The reference with ``noise_shape=(N, C, 1, 1)`` on ``(N, C, H, W)`` input: PyTorch's ``dropout2d``
    semantics, one draw per sample and channel (a correct structured target)."""

    ndim = 4
    broadcast_axes = (2, 3)

    def __init__(self) -> None:
        super().__init__()
        self.name = "reference-2d"

    def _noise_shape(self, x: np.ndarray) -> tuple[int, ...]:
        if x.ndim != 4:
            raise ValueError(f"reference-2d takes (N, C, H, W) input, got shape {x.shape}")
        return (x.shape[0], x.shape[1], 1, 1)

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        y, _ = dropout_forward(x, p, rng=np.random.default_rng(seed), training=training,
                               noise_shape=self._noise_shape(x))
        return y

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        y, mask = dropout_forward(x, p, rng=np.random.default_rng(seed), noise_shape=self._noise_shape(x))
        assert mask is not None
        return y, dropout_backward(dy, mask, p)


class _LawReference:
    """One of ``dropout_core``'s other laws behind the target protocol: ``draw`` returns ``(y, state)`` (the mask or
    the noise), ``backward(dy, state, p)`` the gradient through that same state."""

    law: str
    name: str

    @staticmethod
    def draw(x: np.ndarray, p: float, rng: np.random.Generator, training: bool) -> tuple[np.ndarray, Any]:
        raise NotImplementedError

    @staticmethod
    def backward(dy: np.ndarray, state: Any, p: float) -> np.ndarray:
        raise NotImplementedError

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        return self.draw(x, p, np.random.default_rng(seed), training)[0]

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        y, state = self.draw(x, p, np.random.default_rng(seed), True)
        return y, self.backward(dy, state, p)


class ReferenceAlphaTarget(_LawReference):
    """``dropout_core``'s alpha dropout (SELU networks): kept ``a x + b``, dropped ``a alpha' + b``."""

    law = "alpha"
    name = "reference-alpha"

    @staticmethod
    def draw(x: np.ndarray, p: float, rng: np.random.Generator, training: bool) -> tuple[np.ndarray, Any]:
        return alpha_dropout_forward(x, p, rng=rng, training=training)

    @staticmethod
    def backward(dy: np.ndarray, state: Any, p: float) -> np.ndarray:
        return alpha_dropout_backward(dy, state, p)


class ReferenceGaussianTarget(_LawReference):
    """``dropout_core``'s Gaussian dropout: ``y = x e``, ``e ~ N(1, p / q)``; p = 1 raises."""

    law = "gaussian"
    name = "reference-gaussian"

    @staticmethod
    def draw(x: np.ndarray, p: float, rng: np.random.Generator, training: bool) -> tuple[np.ndarray, Any]:
        return gaussian_dropout_forward(x, p, rng=rng, training=training)

    @staticmethod
    def backward(dy: np.ndarray, state: Any, p: float) -> np.ndarray:
        return gaussian_dropout_backward(dy, state)
