"""Structured masks: targets that draw one mask value per cell and share it over broadcast axes.

PyTorch ``dropout2d`` on ``(N, C, H, W)`` shares one draw over ``H, W`` (broadcast axes 2, 3); Keras
``SpatialDropout2D`` on ``(N, H, W, C)`` over axes 1, 2; ``noise_shape`` in ``tf.nn.dropout`` and Keras
over its size-1 dimensions. Such a target declares ``ndim`` and ``broadcast_axes``. The battery then works
on *cells*: every array it builds is expanded so that each cell value repeats over the broadcast axes, and
each output is read back at the first position of those axes. So the rate is measured per cell, the
independence tests run across cells (samples = the first cell axis), and ``mask_structure`` checks that
every output is constant over the broadcast axes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

# Extent of each broadcast axis in the expanded arrays: 2 keeps calls cheap (4x the cells for two axes)
# and is enough to see a mask that varies along the axis.
BROADCAST_EXTENT = 2


class StructureError(ValueError):
    """A target whose declared ``ndim`` / ``broadcast_axes`` make no sense."""


@dataclass(frozen=True)
class Structure:
    """One mask draw per cell of the non-broadcast axes of an ``ndim``-dimensional input."""

    ndim: int
    broadcast_axes: tuple[int, ...]

    @classmethod
    def of(cls, target: Any) -> Structure | None:
        """The structure a target declares, None for an elementwise target; nonsense raises StructureError."""
        axes = getattr(target, "broadcast_axes", None)
        if axes is None:
            return None
        ndim = getattr(target, "ndim", None)
        if isinstance(ndim, bool) or not isinstance(ndim, int) or ndim < 2:
            raise StructureError(f"a target with broadcast_axes must declare an integer ndim >= 2, got {ndim!r}")
        try:
            listed = [int(axis) for axis in axes]
        except (TypeError, ValueError) as error:
            raise StructureError(f"broadcast_axes must be a sequence of integers, got {axes!r}") from error
        if any(not -ndim <= axis < ndim for axis in listed):
            raise StructureError(f"broadcast_axes {axes!r} do not fit ndim={ndim}")
        normalised = tuple(sorted(axis % ndim for axis in listed))
        if not normalised or len(set(normalised)) != len(normalised) or len(normalised) >= ndim:
            raise StructureError(f"broadcast_axes {axes!r} must be distinct and leave at least one cell axis")
        return cls(ndim, normalised)

    @property
    def cell_axes(self) -> tuple[int, ...]:
        return tuple(axis for axis in range(self.ndim) if axis not in self.broadcast_axes)

    def cell_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """Fold the battery's shape into the cell axes: leading 1s when it has fewer dimensions, the
        trailing dimensions merged into the last cell axis when it has more."""
        k = len(self.cell_axes)
        if len(shape) <= k:
            return (1,) * (k - len(shape)) + tuple(shape)
        return (*shape[: k - 1], math.prod(shape[k - 1 :]))

    def full_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        cells = iter(self.cell_shape(shape))
        return tuple(BROADCAST_EXTENT if axis in self.broadcast_axes else next(cells) for axis in range(self.ndim))

    def expand(self, cells: np.ndarray) -> np.ndarray:
        """A new C-contiguous array in which each cell value repeats over the broadcast axes."""
        folded = np.reshape(cells, self.cell_shape(cells.shape))
        inserted = np.expand_dims(folded, self.broadcast_axes)
        return np.ascontiguousarray(np.broadcast_to(inserted, self.full_shape(cells.shape)))

    def first(self, full: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """The output at the first position of every broadcast axis, in the battery's shape."""
        index = tuple(0 if axis in self.broadcast_axes else slice(None) for axis in range(self.ndim))
        return np.ascontiguousarray(full[index]).reshape(shape)

    def varying_cells(self, full: np.ndarray) -> int:
        """How many cells hold a value that is not bit-identical over the broadcast axes."""
        bits = full.view(f"u{full.dtype.itemsize}") if full.dtype.itemsize in (1, 2, 4, 8) else full
        index = tuple(slice(0, 1) if axis in self.broadcast_axes else slice(None) for axis in range(self.ndim))
        differs = bits != bits[index]
        return int(np.count_nonzero(np.any(differs, axis=self.broadcast_axes)))

    def describe(self) -> str:
        return f"one mask draw per cell of axes {self.cell_axes}, shared over axes {self.broadcast_axes}"
