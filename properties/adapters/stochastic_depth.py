"""Drop-path (stochastic depth) targets: ``timm.layers.drop_path`` and ``torchvision.ops.stochastic_depth`` in row
mode, Bernoulli targets whose cell is the sample: ``(N, L, D)`` token activations with one draw per sample, shared
over tokens and features (``broadcast_axes = (1, 2)``). Both draw with PyTorch's generator, seeded as the PyTorch
targets seed it. torchvision builds against one PyTorch release (0.29.1 with 2.14.1), so these targets have an
extra and a tox env of their own."""

from __future__ import annotations

from typing import Any, ClassVar

from . import require
from .pytorch import _Seeded, torch

torchvision = require("torchvision", "torchvision")
timm = require("timm", "torchvision")


class _RowDropPath(_Seeded):
    ndim = 3
    broadcast_axes = (1, 2)
    versions: ClassVar[dict[str, str]] = {"torch": torch.__version__, "torchvision": torchvision.__version__,
                                          "timm": timm.__version__}


class TimmDropPath(_RowDropPath):
    """``timm.layers.drop_path(x, p, training)``: a Bernoulli(q) draw per sample, divided by q (scale_by_keep)."""

    name = "timm-droppath"

    def __init__(self) -> None:
        from timm.layers import drop_path

        self.drop_path = drop_path

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return self.drop_path(x, p, training)


class TorchvisionStochasticDepth(_RowDropPath):
    """``torchvision.ops.stochastic_depth(x, p, mode="row", training)``: one draw per sample, divided by q."""

    name = "torchvision-stochastic-depth"

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return torchvision.ops.stochastic_depth(x, p, "row", training)
