"""The dropout family's other laws: alpha dropout (SELU networks) and Gaussian multiplicative dropout.

Alpha dropout sets a dropped element to SELU's negative saturation ``alpha' = -lambda * alpha`` instead of 0,
then applies ``a * v + b`` with ``a`` and ``b`` chosen from ``q`` so that standardized input keeps zero mean
and unit variance (Klambauer et al., 2017). Gaussian dropout multiplies by ``e ~ N(1, p / q)`` (Srivastava
et al., 2014, section 10), which has the mean and variance of inverted Bernoulli dropout's factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Any

import numpy as np

from ._affine import affine_rounded
from ._mask import keep_mask
from ._validation import check_float_array, check_mask, check_noise_shape, resolve_rates

# SELU's constants to 32 digits (Klambauer et al., 2017); alpha' is their negated product, correctly rounded.
SELU_LAMBDA = Decimal("1.0507009873554804934193349852946")
SELU_ALPHA = Decimal("1.6732632423543772848170429916717")
ALPHA_PRIME = float(-SELU_LAMBDA * SELU_ALPHA)


@dataclass(frozen=True)
class AlphaConstants:
    """Alpha dropout's law at drop rate ``p``: a kept ``x`` becomes ``a * x + b``, a dropped one ``dropped``
    (``= a * alpha' + b = a * alpha' * q``). ``a = (q (1 + p alpha'^2))^-1/2`` and ``b = -a alpha' p`` are
    irrational: each is held as a float64 pair ``hi + lo`` (106 bits), since a float64 ``a`` alone would move
    every float64 output the same way by its own rounding error (a bias the verifier's sign test sees)."""

    p: float
    a: float
    b: float
    a_low: float = 0.0
    b_low: float = 0.0

    @property
    def alpha_prime(self) -> float:
        return ALPHA_PRIME

    def dropped(self, dtype: np.dtype) -> np.floating:
        """The dropped elements' value ``a * alpha' + b`` correctly rounded to ``dtype``."""
        return affine_rounded(np.array([ALPHA_PRIME]), self.a, self.b, dtype, self.a_low, self.b_low)[0]

    def kept(self, x: np.ndarray) -> np.ndarray:
        """Kept values ``a * x + b`` correctly rounded to ``x``'s dtype."""
        return affine_rounded(x, self.a, self.b, None, self.a_low, self.b_low)

    def gradient(self, dy: np.ndarray) -> np.ndarray:
        """A kept element's gradient ``a * dy`` correctly rounded to ``dy``'s dtype."""
        return affine_rounded(dy, self.a, 0.0, None, self.a_low)


@lru_cache(maxsize=64)
def alpha_constants(p: float) -> AlphaConstants:
    """``a`` and ``b`` of alpha dropout at drop rate ``p`` in [0, 1), from 50-digit decimal arithmetic."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"alpha dropout's a = (q (1 + p alpha'^2))^-1/2 is finite for p in [0, 1), got p = {p!r}")
    with localcontext() as decimal_context:
        decimal_context.prec = 50
        drop = Decimal(p)
        keep = 1 - drop
        alpha_prime = Decimal(ALPHA_PRIME)
        a = 1 / (keep * (1 + drop * alpha_prime * alpha_prime)).sqrt()
        b = -a * alpha_prime * drop
        a_high, b_high = float(a), float(b)
        return AlphaConstants(p=p, a=a_high, b=b_high, a_low=float(a - Decimal(a_high)),
                              b_low=float(b - Decimal(b_high)))


def alpha_dropout_forward(
    x: Any,
    p: float | None = None,
    *,
    rng: np.random.Generator,
    training: bool = True,
    noise_shape: Any = None,
    keep_prob: float | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Alpha dropout with drop probability ``p``; return ``(y, mask)`` (True = kept, ``None`` at inference).

    Training: ``y = a * x + b`` where kept and ``a * alpha' + b`` where dropped, both correctly rounded in
    ``x``'s dtype; inference: a copy of ``x``. ``noise_shape`` broadcasts one draw over several elements (one
    per channel: ``FeatureAlphaDropout``). At ``p = 1`` every element is dropped and ``a`` is infinite; the
    output is the law's limit as p -> 1, zeros (the dropped value ``a alpha' q`` tends to 0)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    p, q = resolve_rates(p, keep_prob)
    arr = check_float_array("x", x)
    cells = check_noise_shape(noise_shape, arr.shape)
    if not training:
        return arr.copy(), None
    if p == 1.0:
        return np.zeros(arr.shape, dtype=arr.dtype), np.zeros(arr.shape, dtype=bool)
    if p == 0.0:
        return arr.copy(), np.ones(arr.shape, dtype=bool)
    law = alpha_constants(p)
    mask = np.broadcast_to(keep_mask(rng, cells if cells is not None else arr.shape, q), arr.shape)
    y = np.full(arr.shape, law.dropped(arr.dtype), dtype=arr.dtype)
    y[mask] = law.kept(arr[mask])
    return y, mask


def alpha_dropout_backward(dy: Any, mask: Any, p: float | None = None, *, keep_prob: float | None = None) -> np.ndarray:
    """Gradient of a training-mode alpha dropout: ``a * dy`` (correctly rounded) where ``mask`` kept, ``+0.0``
    where it dropped (a dropped output is a constant)."""
    p, q = resolve_rates(p, keep_prob)
    grad = check_float_array("dy", dy)
    keep = check_mask(mask, grad.shape)
    if q == 0.0:
        if keep.any():
            raise ValueError("mask keeps elements, but p = 1 drops every element")
        return np.zeros(grad.shape, dtype=grad.dtype)
    keep = np.broadcast_to(keep, grad.shape)
    dx = np.zeros(grad.shape, dtype=grad.dtype)
    dx[keep] = alpha_constants(p).gradient(grad[keep])
    return dx


def gaussian_sigma(p: float) -> float:
    """The standard deviation ``sqrt(p / q)`` of Gaussian dropout's factor, for p in [0, 1)."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"Gaussian dropout's variance p / (1 - p) is finite for p in [0, 1), got p = {p!r}")
    return math.sqrt(p / (1.0 - p))


def gaussian_dropout_forward(
    x: Any,
    p: float | None = None,
    *,
    rng: np.random.Generator,
    training: bool = True,
    keep_prob: float | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Gaussian dropout: ``y = x * e`` with ``e ~ N(1, p / q)`` in float64, one draw per element, the product
    correctly rounded to ``x``'s dtype; return ``(y, e)`` (``e`` is ``None`` at inference, where ``y`` is a copy).
    ``p = 1`` raises: the variance ``p / q`` is infinite and the law has no limit."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    p, _ = resolve_rates(p, keep_prob)
    arr = check_float_array("x", x)
    sigma = gaussian_sigma(p)
    if not training:
        return arr.copy(), None
    noise = 1.0 + sigma * rng.standard_normal(arr.shape)
    return affine_rounded(arr, noise, 0.0), noise


def gaussian_dropout_backward(dy: Any, noise: Any) -> np.ndarray:
    """Gradient of a training-mode Gaussian dropout: ``dy * e`` correctly rounded, ``e`` the forward pass's draw."""
    grad = check_float_array("dy", dy)
    factor = np.asarray(noise)
    if factor.dtype != np.float64 or factor.shape != grad.shape:
        raise ValueError(f"noise must be the forward pass's float64 array of shape {grad.shape}, "
                         f"got {factor.dtype} of shape {factor.shape}")
    return affine_rounded(grad, factor, 0.0)
