"""PyTorch targets: ``torch.nn.functional.dropout`` and ``torch.nn.Dropout``.

Each call seeds the global CPU generator with ``torch.manual_seed(seed)`` inside ``torch.random.fork_rng``,
so the caller's RNG state is restored afterwards. Gradients come from autograd.
"""

from __future__ import annotations

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
