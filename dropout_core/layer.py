"""A stateful dropout layer: its own generator, a train/eval switch, and backward through the saved mask."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_convention, check_noise_shape, resolve_rates
from .functional import dropout_backward, dropout_forward


class Dropout:
    """Dropout with drop probability ``p`` that remembers the mask of its last forward pass.

    Every training-mode call draws a fresh mask from the layer's own ``numpy.random.Generator``
    (``default_rng(seed)``), so the same seed reproduces the same sequence of masks. The layer starts in
    training mode, as PyTorch modules do.

    >>> layer = Dropout(0.5, seed=0)
    >>> y = layer(np.ones(4, dtype=np.float32))
    >>> dx = layer.backward(np.ones(4, dtype=np.float32))
    >>> bool(np.array_equal(dx, y))
    True
    """

    def __init__(
        self,
        p: float | None = None,
        *,
        convention: str = "inverted",
        noise_shape: Any = None,
        seed: int | np.random.SeedSequence | None = None,
        keep_prob: float | None = None,
    ) -> None:
        self.p, self.q = resolve_rates(p, keep_prob)
        self.convention = check_convention(convention)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.rng = np.random.default_rng(seed)
        self.training = True
        self._mask: np.ndarray | None = None
        self._forward_training: bool | None = None

    def train(self, mode: bool = True) -> Dropout:
        self.training = bool(mode)
        return self

    def eval(self) -> Dropout:
        return self.train(False)

    def forward(self, x: Any) -> np.ndarray:
        noise_shape = None
        if self.noise_shape is not None:
            noise_shape = check_noise_shape(self.noise_shape, np.shape(x))
        y, self._mask = dropout_forward(
            x, self.p, rng=self.rng, training=self.training, convention=self.convention, noise_shape=noise_shape
        )
        self._forward_training = self.training
        return y

    __call__ = forward

    def backward(self, dy: Any) -> np.ndarray:
        """Gradient of the last forward pass with respect to its input, through that pass's mask."""
        if self._forward_training is None:
            raise RuntimeError("backward() called before any forward()")
        if not self._forward_training:  # inference: identity (inverted) or q * x (classic)
            return dropout_forward(dy, self.p, rng=self.rng, training=False, convention=self.convention)[0]
        return dropout_backward(dy, self._mask, self.p, convention=self.convention)

    def __repr__(self) -> str:
        mode = "train" if self.training else "eval"
        return f"Dropout(p={self.p!r}, convention={self.convention!r}, noise_shape={self.noise_shape!r}, {mode})"
