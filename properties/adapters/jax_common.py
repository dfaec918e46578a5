"""What every JAX target shares: keys from ``jax.random.key(seed)``, gradients from ``jax.vjp``, and float64
kept as float64.

Importing this module turns on ``jax_enable_x64`` for the process, so that float64 inputs stay float64 (JAX's
default would silently compute them in float32).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from . import require

jax = require("jax", "jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)

Apply = Callable[[Any, Any], Any]  # (x, key) -> y


class JaxTarget:
    """A target whose ``_apply(p, training)`` is a function of ``(x, key)``; forward and backward both call it."""

    convention = "inverted"
    name = "jax"
    versions: ClassVar[dict[str, str]] = {"jax": jax.__version__}

    def _apply(self, p: float, training: bool) -> Apply:
        raise NotImplementedError

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        return np.asarray(self._apply(p, training)(jnp.asarray(x), jax.random.key(seed)))

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        key = jax.random.key(seed)
        apply = self._apply(p, True)
        y, vjp = jax.vjp(lambda inputs: apply(inputs, key), jnp.asarray(x))
        (dx,) = vjp(jnp.asarray(dy))
        return np.asarray(y), np.asarray(dx)
