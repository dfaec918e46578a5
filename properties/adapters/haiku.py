"""Haiku targets: ``hk.dropout`` inside ``hk.transform``, eager and under ``jax.jit`` with the rate as a traced
argument (keys, gradients and float64 as in ``jax_common``).

``hk.dropout`` has no inference mode (a model does not call it at inference), so both targets are the identity
there, as ``tf.nn.dropout``'s is.
"""

from __future__ import annotations

from typing import Any, ClassVar

from . import require

hk = require("haiku", "haiku")  # before JAX: without it, the message names the haiku extra

from .jax_common import Apply, JaxTarget, jax  # noqa: E402


def _dropout(x: Any, rate: Any) -> Any:
    return hk.dropout(hk.next_rng_key(), rate, x)


class Haiku(JaxTarget):
    """``hk.transform(lambda x: hk.dropout(hk.next_rng_key(), p, x)).apply({}, key, x)``: the rate is a Python
    float, so Haiku's check of ``0 <= rate < 1`` runs."""

    name = "haiku"
    versions: ClassVar[dict[str, str]] = {"jax": jax.__version__, "dm-haiku": hk.__version__}

    def __init__(self) -> None:
        self.transformed = hk.transform(_dropout)

    def _apply(self, p: float, training: bool) -> Apply:
        if not training:
            return lambda x, key: x
        return lambda x, key: self.transformed.apply({}, key, x, p)


class HaikuJit(Haiku):
    """The transformed function under ``jax.jit`` with the rate an argument, as a training step with a rate
    schedule passes it: one compilation per dtype and shape serves every rate, and Haiku's check of the rate,
    which needs a concrete value, is skipped."""

    name = "haiku-jit"

    def __init__(self) -> None:
        super().__init__()
        self.jitted = jax.jit(self.transformed.apply)

    def _apply(self, p: float, training: bool) -> Apply:
        if not training:
            return lambda x, key: x
        return lambda x, key: self.jitted({}, key, x, p)
