"""mask_structure: a target that declares broadcast axes keeps or drops each cell as a whole."""

from __future__ import annotations

import numpy as np

from ..context import Context
from ..result import Case, PropertyResult, Verdict
from .base import Check, guarded

RATES = (0.1, 0.5, 0.9)
SHAPE = (256, 256)  # cells: an elementwise mask leaves all of them constant with probability < 0.66**65536


class MaskStructure(Check):
    """For a structured target (``ndim`` and ``broadcast_axes`` declared, as dropout2d or Keras
    ``noise_shape``): every output and every gradient is bit-identical over the broadcast axes, since
    each cell holds one input value and one mask draw. The other properties then run per cell.

    Guards the structured-dropout contract (bug class 16 in spirit: the layer does something else than
    its documented mask shape: an elementwise mask, or one broadcast over the wrong axes). An elementwise
    mask keeps a cell of k >= 2 positions constant with probability q^k + p^k <= 0.82, never over 65,536
    cells. A mask shared over *more* axes than declared is the independence properties' finding.
    Deterministic: it spends no alpha. An elementwise target is skipped."""

    name = "mask_structure"
    hypothesis = "outputs and gradients are constant over the declared broadcast axes (one draw per cell)"
    test = "exact comparison over a large sample"
    bug_classes = (16,)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        structure = ctx.target.structure
        if structure is None:
            result.verdict, result.message = Verdict.SKIPPED, "elementwise target: no broadcast axes declared"
            return
        result.effect_size = structure.describe()
        for dtype in ctx.dtypes:
            for p in RATES:
                result.cases += guarded(dtype, p, self._case, ctx, dtype, p)

    def _case(self, ctx: Context, dtype: np.dtype, p: float) -> Case:
        structure = ctx.target.structure
        assert structure is not None
        rng = ctx.rng(self.name, dtype.name, str(p))
        x = rng.uniform(0.5, 2.0, SHAPE).astype(dtype)
        _, y = ctx.target.forward_full(x, p, training=True, seed=int(rng.integers(2**31)))
        varying = structure.varying_cells(y)
        gradient = ""
        if ctx.target.has_backward:
            dy = rng.uniform(0.5, 2.0, SHAPE).astype(dtype)
            _, dx = ctx.target.forward_backward_full(x, dy, p, seed=int(rng.integers(2**31)))
            bad = structure.varying_cells(dx)
            gradient = f"; the gradient varies in {bad} of {x.size} cells" if bad else ""
        failed = bool(varying or gradient)
        return Case(
            dtype=dtype.name, p=p, shape=list(SHAPE), verdict=Verdict.of(not failed),
            estimate=varying / x.size, samples=x.size,
            message=f"the output varies over the broadcast axes in {varying} of {x.size} cells{gradient}"
            if failed else "",
            extra={"broadcast_axes": list(structure.broadcast_axes), "ndim": structure.ndim},
        )
