"""Equinox targets: ``eqx.nn.Dropout``, eager and under ``eqx.filter_jit`` (keys, gradients and float64 as in
``jax_common``)."""

from __future__ import annotations

from typing import Any, ClassVar

from . import require

eqx = require("equinox", "equinox")  # before JAX: without it, the message names the equinox extra

from .jax_common import Apply, JaxTarget, jax  # noqa: E402


class Equinox(JaxTarget):
    """``eqx.nn.Dropout(p)(x, key=key, inference=not training)``, a new layer per call."""

    name = "equinox"
    versions: ClassVar[dict[str, str]] = {"jax": jax.__version__, "equinox": eqx.__version__}

    def _apply(self, p: float, training: bool) -> Apply:
        layer = eqx.nn.Dropout(p)
        return lambda x, key: layer(x, key=key, inference=not training)


def _call(layer: Any, x: Any, key: Any, inference: bool) -> Any:
    return layer(x, key=key, inference=inference)


class EquinoxJit(Equinox):
    """The layer called through ``eqx.filter_jit``: arrays are traced, the rate (a float field of the module)
    and the mode are static, so it compiles once per rate, mode, dtype and shape."""

    name = "equinox-jit"

    def __init__(self) -> None:
        self.jitted = eqx.filter_jit(_call)

    def _apply(self, p: float, training: bool) -> Apply:
        layer = eqx.nn.Dropout(p)
        return lambda x, key: self.jitted(layer, x, key, not training)
