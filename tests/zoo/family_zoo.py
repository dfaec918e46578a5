"""The zoo of the dropout family's other laws (bug class 21): alpha dropout, Gaussian dropout, drop-path and
DropBlock-style channel masks, broken and correct, the correct ones written differently from the reference."""

from __future__ import annotations

import math

import numpy as np
from dropout_zoo import Correct, CorrectChannelDropout, _check_rate

# SELU's -lambda * alpha correctly rounded; Keras's float64 product of the rounded constants and PyTorch's literal are
# one ulp above (...766), which moves float64 outputs one way by 1e-16: a deviation, not this correct member's
SELU_ALPHA_PRIME = -1.7580993408473768


def _open_rate(p: float, what: str) -> None:
    _check_rate(p)
    if p == 1:
        raise ValueError(f"{what} is undefined at p = 1")


class CorrectAlpha:
    """Correct alpha dropout, Keras's formula in x87 extended precision (numpy longdouble, not 50 decimal digits),
    one rounding to the dtype; PCG64 uniforms for the mask. Raises at p = 1, as Keras does."""

    law = "alpha"
    alpha_prime = SELU_ALPHA_PRIME

    def constants(self, p: float) -> tuple[np.longdouble, np.longdouble]:
        drop, prime = np.longdouble(p), np.longdouble(self.alpha_prime)
        a = 1 / np.sqrt((1 - drop) * (1 + drop * prime * prime))
        return a, -a * prime * drop

    def mask(self, x: np.ndarray, p: float, seed: int) -> np.ndarray:
        return np.random.default_rng(seed).random(x.shape) < 1.0 - p

    def values(self, x: np.ndarray, keep: np.ndarray, p: float) -> np.ndarray:
        a, b = self.constants(p)
        wide = np.where(keep, x.astype(np.longdouble), np.longdouble(self.alpha_prime))
        with np.errstate(over="ignore", invalid="ignore"):
            return (a * wide + b).astype(np.float64).astype(x.dtype)  # ml_dtypes casts from float64, not longdouble

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        _open_rate(p, "alpha dropout")
        if not training or p == 0:
            return x.copy()
        return self.values(x, self.mask(x, p, seed), p)

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int):
        _open_rate(p, "alpha dropout")
        keep = self.mask(x, p, seed) if p > 0 else np.ones(x.shape, bool)
        a, _ = self.constants(p)
        with np.errstate(over="ignore"):
            dx = np.where(keep, (a * dy.astype(np.longdouble)).astype(np.float64).astype(dy.dtype), dy.dtype.type(0))
        return self.values(x, keep, p), dx


class AlphaWrongPrime(CorrectAlpha):
    """alpha' = -1.7581, SELU's constant to five digits (a relative error of 4e-6), a and b derived from it."""

    alpha_prime = -1.7581


class AlphaDroppedToZero(CorrectAlpha):
    """Drops to 0 before the affine map (y = a x m + b), as plain dropout would: a dropped element becomes b."""

    def values(self, x, keep, p):
        a, b = self.constants(p)
        return (a * np.where(keep, x.astype(np.longdouble), 0.0) + b).astype(np.float64).astype(x.dtype)


class AlphaUpcasts(CorrectAlpha):
    """Returns float32 for float16 input: PyTorch's _refs alpha_dropout in pytorch#195705 (bf16 in, float32 out)."""

    def forward(self, x, p, *, training, seed):
        y = super().forward(x, p, training=training, seed=seed)
        return y.astype(np.float32) if x.dtype == np.float16 else y


class CorrectGaussian:
    """Correct Gaussian dropout as Keras writes it: e = 1 + sigma z drawn in float32 (SFC64 normals), the product
    computed in float32 and rounded to the dtype; the gradient multiplies by the same e the same way."""

    law = "gaussian"

    def noise(self, shape: tuple[int, ...], p: float, seed: int) -> np.ndarray:
        sigma = np.float32(math.sqrt(p / (1 - p)))
        z = np.random.Generator(np.random.SFC64(seed)).standard_normal(shape, dtype=np.float32)
        return np.float32(1) + sigma * z

    @staticmethod
    def times(v: np.ndarray, e: np.ndarray) -> np.ndarray:
        wide = np.float64 if v.dtype == np.float64 else np.float32
        with np.errstate(over="ignore", invalid="ignore"):
            return (v.astype(wide) * e.astype(wide)).astype(v.dtype)

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        _open_rate(p, "Gaussian dropout")
        if not training or p == 0:
            return x.copy()
        return self.times(x, self.noise(x.shape, p, seed))

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int):
        _open_rate(p, "Gaussian dropout")
        e = self.noise(x.shape, p, seed)
        return self.times(x, e), self.times(dy, e)


class GaussianVarianceOff(CorrectGaussian):
    """The noise's variance 1% above p / q (a standard deviation computed from a rounded rate, say)."""

    def noise(self, shape, p, seed):
        return 1 + (super().noise(shape, p, seed) - 1) * np.float32(math.sqrt(1.01))


class GaussianAdditive(CorrectGaussian):
    """Adds the noise instead of multiplying: y = x + sigma z (the Keras bug of keras-team/keras PR#5665)."""

    def times(self, v, e):
        return (v.astype(np.float64) + (e.astype(np.float64) - 1)).astype(v.dtype)

    def forward_backward(self, x, dy, p, *, seed):
        _open_rate(p, "Gaussian dropout")
        return self.forward(x, p, training=True, seed=seed), dy.copy()


class GaussianUniform(CorrectGaussian):
    """Uniform noise of the right mean and variance, 1 + sigma * U(-sqrt(3), sqrt(3)): moments right, law wrong."""

    def noise(self, shape, p, seed):
        u = np.random.default_rng(seed).uniform(-math.sqrt(3), math.sqrt(3), shape)
        return (1 + math.sqrt(p / (1 - p)) * u).astype(np.float32)


class GaussianFreshBackward(CorrectGaussian):
    """The gradient multiplies by a fresh draw, not the forward pass's e (bug class 10 in Gaussian dropout)."""

    def forward_backward(self, x, dy, p, *, seed):
        _open_rate(p, "Gaussian dropout")
        return self.times(x, self.noise(x.shape, p, seed)), self.times(dy, self.noise(x.shape, p, seed + 1))


class CorrectDropPath(Correct):
    """Correct drop-path (stochastic depth, timm's drop_path in row mode) on (N, L, D) token activations: one
    Philox draw per sample, broadcast over tokens and features."""

    ndim = 3
    broadcast_axes = (1, 2)

    def mask(self, x, p, seed):
        rows = np.random.Generator(np.random.Philox(seed)).random((x.shape[0], 1, 1)) < 1.0 - p
        return np.broadcast_to(rows, x.shape)


class DropPathOverTokens(CorrectDropPath):
    """Drop-path that draws one value per sample and token (over tokens instead of samples, microsoft/VideoX#85)."""

    def mask(self, x, p, seed):
        tokens = np.random.default_rng(seed).random((*x.shape[:2], 1)) < 1.0 - p
        return np.broadcast_to(tokens, x.shape)


class DropBlockSharedChannels(CorrectChannelDropout):
    """DropBlock-style channel dropout whose mask is drawn per sample and shared by every channel
    (miguelvr/dropblock#24): cells of one sample are one draw."""

    def mask(self, x, p, seed):
        samples = self.rng(seed).random((x.shape[0], 1, 1, 1)) < 1.0 - p
        return np.broadcast_to(samples, x.shape)


FAMILY_CORRECT = [CorrectAlpha, CorrectGaussian, CorrectDropPath]

FAMILY_ZOO: dict[type, tuple[int, str]] = {
    AlphaWrongPrime: (21, "kept_values"),
    AlphaDroppedToZero: (21, "kept_values"),
    AlphaUpcasts: (21, "contract"),
    GaussianVarianceOff: (21, "noise_law"),
    GaussianAdditive: (21, "noise_law"),
    GaussianUniform: (21, "noise_law"),
    GaussianFreshBackward: (10, "backward_mask"),
    DropPathOverTokens: (21, "mask_structure"),
    DropBlockSharedChannels: (21, "independence_elements"),
}

FAMILY_AIMED: dict[type, str] = {
    AlphaDroppedToZero: "ulp of the largest term away, bound 4",
    GaussianVarianceOff: "the variance of y / x is 1.0",
    GaussianAdditive: "at |x| = 0.5 the variance of y / x",
    GaussianUniform: "y / x is not N(1, p/q)",
    GaussianFreshBackward: "the gradient's e is not the forward pass's",
    DropBlockSharedChannels: "lag 1 of the flattened mask",
}
