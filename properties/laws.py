"""The law a target's training output follows, which the generalised properties ask for expected values.

A target declares ``law = "bernoulli" | "alpha" | "gaussian"`` (default ``"bernoulli"``, whose ``convention``
keeps its meaning). Each law supplies what the shared drivers need: the indicator read from the output for
``x = 1`` (the keep mask, or ``e > 1`` for Gaussian noise) and its exact rate, the inference output, and for
the two-point laws the kept and dropped values. A property that does not apply to a law is skipped, with a
reason, and spends no alpha.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..dropout_core import ALPHA_PRIME, alpha_constants, gaussian_sigma
from .exact import correctly_rounded_product, correctly_rounded_quotient, ulp_distance
from .floatbits import count_nonzero

LAW_NAMES = ("bernoulli", "alpha", "gaussian")
_IEEE = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _epsilon(dtype: np.dtype) -> float:
    return float(np.finfo(dtype).eps) if dtype in _IEEE else 2.0**-7  # bfloat16's 8-bit significand


def _in_ieee(x: np.ndarray, rounded: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``rounded(x)`` for an IEEE dtype; for bfloat16 (which the core does not take), the correctly rounded float32
    value rounded again to bfloat16: one bfloat16 ulp off at worst, in 1 of 2**16 values."""
    if x.dtype in _IEEE:
        return rounded(x)
    return rounded(x.astype(np.float32)).astype(x.dtype)


@dataclass(frozen=True)
class Law:
    """What every law answers; ``two_point`` laws give each element one of two values (kept or dropped)."""

    name: ClassVar[str]
    two_point: ClassVar[bool]
    indicator_name: ClassVar[str]  # what ``indicator`` reads, for messages: "kept", "e > 1"

    def indicator(self, y: np.ndarray, p: float) -> np.ndarray:
        """The per-element event read from a training output for ``x = 1``, as a bool array."""
        raise NotImplementedError

    def indicator_rate(self, p: float, dtype: np.dtype) -> float:
        """The exact probability of ``indicator`` at rate ``p`` in ``dtype``."""
        raise NotImplementedError

    def count(self, y: np.ndarray, p: float) -> int:
        """How many elements of ``y`` (for ``x = 1``) show the indicator."""
        return int(np.count_nonzero(self.indicator(y, p)))

    def inference(self, x: np.ndarray, p: float) -> np.ndarray:
        """The inference output a correct target returns, exactly."""
        return x.copy()

    def kept(self, x: np.ndarray, p: float) -> np.ndarray:
        """Two-point laws: a kept element's value, correctly rounded in ``x``'s dtype."""
        raise NotImplementedError(f"the {self.name} law has no kept value")

    def dropped(self, x: np.ndarray, p: float) -> np.ndarray:
        """Two-point laws: a dropped element's value in ``x``'s dtype."""
        raise NotImplementedError(f"the {self.name} law has no dropped value")

    def exact_kept(self, x: np.ndarray, p: float) -> np.ndarray:
        """Two-point laws: a kept element's value before rounding, in float64 (to measure relative errors)."""
        raise NotImplementedError(f"the {self.name} law has no kept value")

    value_metric: ClassVar[str] = "ulp"  # the unit of ``value_error``, for messages

    def value_bound(self) -> int:
        """The largest ``value_error`` a correct target may make."""
        return 1

    def value_error(self, y: np.ndarray, expected: np.ndarray, x: np.ndarray, p: float) -> np.ndarray:
        """How far outputs ``y`` are from the correctly rounded ``expected`` (computed from input ``x``), in the unit
        ``value_bound`` bounds."""
        # ulp_distance reads bits through ascontiguousarray, which makes a 0-d array 1-d: back to the shape
        return np.abs(ulp_distance(y, expected)).reshape(np.shape(expected))

    def value_errors(self, y: np.ndarray, x: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
        """Two-point laws: how far each output is from its kept value and from its dropped value."""
        return (self.value_error(y, self.kept(x, p), x, p),
                self.value_error(y, self.dropped(x, p), self.dropped_input(x), p))

    def dropped_input(self, x: np.ndarray) -> np.ndarray:
        """What a dropped element's value is computed from (alpha': ``a alpha' + b``); ``x`` itself by default."""
        return x

    def gradient(self, dy: np.ndarray, p: float) -> np.ndarray:
        """Two-point laws: a kept element's gradient, correctly rounded in ``dy``'s dtype (dropped: 0)."""
        raise NotImplementedError(f"the {self.name} law has no fixed gradient")

    def exact_gradient(self, dy: np.ndarray, p: float) -> np.ndarray:
        """Two-point laws: a kept element's gradient before rounding, in float64."""
        raise NotImplementedError(f"the {self.name} law has no fixed gradient")

    def gradient_bound(self) -> int:
        """Ulps a correct target's kept gradient may be from the correctly rounded one (faithful rounding)."""
        return 1

    def kept_from(self, y: np.ndarray, x: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
        """Two-point laws: ``(kept, clear)`` read from output ``y`` of input ``x``: an element is kept when ``y`` is
        nearer its kept value than its dropped one; ``clear`` is False where the two values are too close to
        tell apart (within 8 ulps of the larger), where a rounding error could flip the reading."""
        kept_value = self.kept(x, p).astype(np.float64)
        dropped_value = self.dropped(x, p).astype(np.float64)
        y64 = np.asarray(y, dtype=np.float64)
        with np.errstate(invalid="ignore"):  # inf - inf: an overflowed kept value is matched by equality
            kept = (y64 == kept_value) | (np.abs(y64 - kept_value) < np.abs(y64 - dropped_value))
        with np.errstate(over="ignore", invalid="ignore"):
            gap = np.abs(kept_value - dropped_value)
            scale = np.maximum(np.abs(kept_value), np.abs(dropped_value))
            clear = (gap > 8 * scale * _epsilon(x.dtype)) | (np.isinf(kept_value) != np.isinf(dropped_value))
        return kept, clear


@dataclass(frozen=True)
class Bernoulli(Law):
    """Keep with probability ``q``; a kept value is ``x / q`` (inverted) or ``x`` (classic), a dropped one 0."""

    name: ClassVar[str] = "bernoulli"
    two_point: ClassVar[bool] = True
    indicator_name: ClassVar[str] = "kept"
    convention: str = "inverted"

    def indicator(self, y: np.ndarray, p: float) -> np.ndarray:
        return np.asarray(y != 0)

    def indicator_rate(self, p: float, dtype: np.dtype) -> float:
        return 1.0 - p

    def count(self, y: np.ndarray, p: float) -> int:
        return count_nonzero(y)  # one pass over the bits, no bool array

    def inference(self, x: np.ndarray, p: float) -> np.ndarray:
        return x.copy() if self.convention == "inverted" else correctly_rounded_product(x, 1.0 - p)

    def value_bound(self) -> int:
        """Inverted: faithful rounding of ``x / q``; classic: ``x`` itself."""
        return 1 if self.convention == "inverted" else 0

    def kept(self, x: np.ndarray, p: float) -> np.ndarray:
        return correctly_rounded_quotient(x, 1.0 - p) if self.convention == "inverted" else x.copy()

    def exact_kept(self, x: np.ndarray, p: float) -> np.ndarray:
        return x.astype(np.float64) / ((1.0 - p) if self.convention == "inverted" else 1.0)

    def gradient(self, dy: np.ndarray, p: float) -> np.ndarray:
        return self.kept(dy, p)

    def exact_gradient(self, dy: np.ndarray, p: float) -> np.ndarray:
        return self.exact_kept(dy, p)

    def gradient_bound(self) -> int:
        return self.value_bound()

    def dropped(self, x: np.ndarray, p: float) -> np.ndarray:
        return np.zeros_like(x)

    def kept_from(self, y: np.ndarray, x: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(y != 0), np.asarray(x != 0)


@dataclass(frozen=True)
class Alpha(Law):
    """Alpha dropout: kept ``a x + b``, dropped ``a alpha' + b`` (see ``dropout_core.family``)."""

    name: ClassVar[str] = "alpha"
    two_point: ClassVar[bool] = True
    indicator_name: ClassVar[str] = "kept"

    def indicator(self, y: np.ndarray, p: float) -> np.ndarray:
        # for x = 1 the kept value a (1 - alpha' p) is positive and the dropped a alpha' q negative
        law = alpha_constants(p)
        middle = 0.5 * ((law.a + law.b) + law.a * law.alpha_prime * (1.0 - p))
        return np.asarray(np.asarray(y, dtype=np.float64) > middle)

    def indicator_rate(self, p: float, dtype: np.dtype) -> float:
        return 1.0 - p

    # ``a x + b`` computed in the dtype as PyTorch and Keras do (x * a rounded, + b rounded, a and b themselves
    # rounded to the dtype) errs by up to about two ulps of its largest term; cancellation (a x near -b) makes
    # that error large in ulps of the result, so the unit is an ulp of the largest term |a x|, |b| or |y|
    value_metric: ClassVar[str] = "ulp of the largest term"

    def value_bound(self) -> int:
        return 4

    def kept(self, x: np.ndarray, p: float) -> np.ndarray:
        return _in_ieee(x, alpha_constants(p).kept)

    def dropped_input(self, x: np.ndarray) -> np.ndarray:
        return np.full(x.shape, ALPHA_PRIME)

    def exact_kept(self, x: np.ndarray, p: float) -> np.ndarray:
        law = alpha_constants(p)
        return law.a * x.astype(np.float64) + law.b

    def gradient(self, dy: np.ndarray, p: float) -> np.ndarray:
        return _in_ieee(dy, alpha_constants(p).gradient)

    def exact_gradient(self, dy: np.ndarray, p: float) -> np.ndarray:
        return alpha_constants(p).a * dy.astype(np.float64)

    def value_error(self, y: np.ndarray, expected: np.ndarray, x: np.ndarray, p: float) -> np.ndarray:
        law = alpha_constants(p)
        with np.errstate(invalid="ignore", over="ignore"):
            wide_x, wide_y, wide_e = (np.asarray(v, dtype=np.float64) for v in (x, y, expected))
            largest = np.maximum(np.maximum(np.abs(law.a * wide_x), abs(law.b)), np.abs(wide_e)).astype(y.dtype)
            unit = np.spacing(np.abs(largest)).astype(np.float64)
            error = np.where(wide_y == wide_e, 0.0, np.abs(wide_y - wide_e) / unit)
        return np.where(np.isnan(error), np.inf, error)

    def dropped(self, x: np.ndarray, p: float) -> np.ndarray:
        law = alpha_constants(p)
        value = _in_ieee(np.array([ALPHA_PRIME], dtype=x.dtype), lambda v: law.dropped(v.dtype).reshape(1))
        return np.full(x.shape, value[0], dtype=x.dtype)


@dataclass(frozen=True)
class Gaussian(Law):
    """Gaussian multiplicative noise: ``y = x e``, ``e ~ N(1, p / q)``; the indicator is ``e > 1``."""

    name: ClassVar[str] = "gaussian"
    two_point: ClassVar[bool] = False
    indicator_name: ClassVar[str] = "e > 1"

    def indicator(self, y: np.ndarray, p: float) -> np.ndarray:
        return np.asarray(np.asarray(y, dtype=np.float64) > 1.0)

    def indicator_rate(self, p: float, dtype: np.dtype) -> float:
        """``P(round(e) > 1) = P(e > 1 + u / 2)``, ``u`` the dtype's spacing above 1 (the midpoint rounds to
        1, the even neighbour): 1/2 less the mass that rounds onto 1 from above."""
        sigma = gaussian_sigma(p)
        if sigma == 0.0:
            return 0.0
        from scipy import stats  # here: the CLI answers --help without loading scipy

        half_spacing = 0.5 * float(np.spacing(np.array(1.0, dtype=dtype)))
        return float(stats.norm.sf(half_spacing / sigma))


def law_named(name: object, convention: str = "inverted") -> Law:
    """The law a target declares by name; anything else raises ValueError naming the choices."""
    if name == "bernoulli":
        return Bernoulli(convention=convention)
    if convention != "inverted":
        raise ValueError(f"convention {convention!r} belongs to the bernoulli law; a target with law {name!r} "
                         f"has none (leave it unset or 'inverted')")
    if name == "alpha":
        return Alpha()
    if name == "gaussian":
        return Gaussian()
    raise ValueError(f"law must be one of {', '.join(LAW_NAMES)}, got {name!r}")
