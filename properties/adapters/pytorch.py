"""PyTorch targets: ``torch.nn.functional.dropout`` and ``torch.nn.Dropout``, the structured variants, and alpha
dropout.

Each call seeds the global CPU generator with ``torch.manual_seed(seed)`` inside ``torch.random.fork_rng``,
so the caller's RNG state is restored afterwards. Gradients come from autograd.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from . import require

torch = require("torch", "torch")


def to_torch(x: np.ndarray) -> Any:
    """A tensor with ``x``'s values and dtype (bfloat16 from ml_dtypes by bit pattern)."""
    if x.dtype.name == "bfloat16":
        return torch.from_numpy(np.array(x, copy=True, order="C").view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(np.array(x, copy=True))


def to_numpy(t: Any, like: np.ndarray) -> np.ndarray:
    """Back to numpy; a bfloat16 tensor becomes an ml_dtypes array of the same bits."""
    t = t.detach()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(like.dtype)
    return t.numpy()


class _Seeded:
    """Runs a call with the global generator seeded, restoring the caller's generator afterwards."""

    convention = "inverted"
    name = "torch"
    versions: ClassVar[dict[str, str]] = {"torch": torch.__version__}

    def _call(self, x: Any, p: float, training: bool) -> Any:
        raise NotImplementedError

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(seed)
            return to_numpy(self._call(to_torch(x), p, training), x)

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            xt = to_torch(x).requires_grad_(True)
            y = self._call(xt, p, True)
            y.backward(to_torch(dy))
            return to_numpy(y, x), to_numpy(xt.grad, dy)


class Functional(_Seeded):
    """``torch.nn.functional.dropout(x, p, training=...)``."""

    name = "torch"

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return torch.nn.functional.dropout(x, p, training=training)


class Module(_Seeded):
    """``torch.nn.Dropout(p)`` switched with ``.train()`` / ``.eval()``."""

    name = "torch-module"

    def _call(self, x: Any, p: float, training: bool) -> Any:
        module = torch.nn.Dropout(p)
        module.train(training)
        return module(x)


class Dropout2d(_Seeded):
    """``torch.nn.functional.dropout2d`` on ``(N, C, H, W)``: one draw per sample and channel."""

    name = "torch-dropout2d"
    ndim = 4
    broadcast_axes = (2, 3)

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return torch.nn.functional.dropout2d(x, p, training=training)


class Dropout1d(_Seeded):
    """``torch.nn.functional.dropout1d`` on ``(N, C, L)``: one draw per sample and channel, shared over L."""

    name = "torch-dropout1d"
    ndim = 3
    broadcast_axes = (2,)

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return torch.nn.functional.dropout1d(x, p, training=training)


class Dropout3d(_Seeded):
    """``torch.nn.functional.dropout3d`` on ``(N, C, D, H, W)``: one draw per sample and channel."""

    name = "torch-dropout3d"
    ndim = 5
    broadcast_axes = (2, 3, 4)

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return torch.nn.functional.dropout3d(x, p, training=training)


class AlphaDropout(_Seeded):
    """``torch.nn.functional.alpha_dropout`` (SELU networks): the alpha law (``laws.Alpha``)."""

    name = "torch-alpha"
    law = "alpha"

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return torch.nn.functional.alpha_dropout(x, p, training=training)


class RefsAlphaDropout(_Seeded):
    """``torch._refs.nn.functional.alpha_dropout``, the Python reference that PrimTorch decompositions build on: it
    returned float32 for bfloat16 and float16 input (pytorch#195705), which ``contract`` reports."""

    name = "torch-refs-alpha"
    law = "alpha"

    def __init__(self) -> None:
        import torch._refs.nn.functional as refs

        self.alpha_dropout = refs.alpha_dropout

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return self.alpha_dropout(x, p, training=training)


class FeatureAlphaDropout(_Seeded):
    """``torch.nn.functional.feature_alpha_dropout`` on ``(N, C, H, W)``: the alpha law with one draw per sample
    and channel, shared over H and W."""

    name = "torch-feature-alpha"
    law = "alpha"
    ndim = 4
    broadcast_axes = (2, 3)

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return torch.nn.functional.feature_alpha_dropout(x, p, training=training)


class Dropout2dUnbatched(_Seeded):
    """``torch.nn.Dropout2d`` on unbatched ``(C, H, W)`` input, which its documentation accepts: one draw per
    channel, shared over H and W (bug class 22, pytorch#69801). PyTorch's warning that it reads a 3-D input as
    ``(N, C, L)`` is silenced here; the battery judges what the layer does."""

    name = "torch-dropout2d-unbatched"
    ndim = 3
    broadcast_axes = (1, 2)

    def _call(self, x: Any, p: float, training: bool) -> Any:
        module = torch.nn.Dropout2d(p)
        module.train(training)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="dropout2d: Received a 3D input", category=UserWarning)
            return module(x)


class Compiled(_Seeded):
    """``F.dropout`` under ``torch.compile(dynamic=True, fullgraph=True)`` (Inductor on CPU).

    Dynamo guards on the rate, dtype and rank, so the battery's many rates recompile (about 0.7 s each);
    the recompile limits are raised so that the calls stay compiled, and ``fullgraph=True`` turns a limit
    hit into an error instead of a silent fall-back to eager."""

    name = "torch-compile"

    def __init__(self) -> None:
        config = torch._dynamo.config
        config.recompile_limit = max(config.recompile_limit, 100_000)
        config.accumulated_recompile_limit = max(config.accumulated_recompile_limit, 100_000)
        self.compiled = torch.compile(self._eager, dynamic=True, fullgraph=True)

    @staticmethod
    def _eager(x: Any, p: float, training: bool) -> Any:
        return torch.nn.functional.dropout(x, p, training=training)

    def _call(self, x: Any, p: float, training: bool) -> Any:
        return self.compiled(x, p, training)


class CompiledRecompute(Compiled):
    """``torch-compile`` with ``torch._functorch.config.activation_memory_budget = 0``: the partitioner saves
    no activation for the backward pass and recomputes what it needs there, as a memory-bound training run asks
    it to (pytorch#190758). The setting is patched around each call, so it does not leak into the process."""

    name = "torch-compile-recompute"

    def __init__(self) -> None:
        super().__init__()
        # a function of its own: Dynamo caches compiled code per code object and does not guard on the memory
        # budget, so sharing torch-compile's function would let one target run the other's compiled graph
        self.compiled = torch.compile(_recomputed, dynamic=True, fullgraph=True)

    def _call(self, x: Any, p: float, training: bool) -> Any:
        with torch._functorch.config.patch(activation_memory_budget=0.0):
            return self.compiled(x, p, training)


def _recomputed(x: Any, p: float, training: bool) -> Any:
    return torch.nn.functional.dropout(x, p, training=training)
