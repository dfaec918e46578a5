"""seed_reproducibility: the same seed gives the same mask, different seeds different masks."""

from __future__ import annotations

import numpy as np

from ..context import Context
from ..result import Case, PropertyResult, Verdict
from .base import Check, guarded

SIZE = 4096
PAIRS = 8


class SeedReproducibility(Check):
    """Two calls with the same seed return identical outputs; calls with different seeds return different
    masks.

    Guards bug class 9 (the seed is ignored, or something else, such as an address, decides the mask).
    Test: exact comparison on ``PAIRS`` seeds of 4096 elements at p = 0.5; for a correct target two
    different seeds give equal masks with probability 2**-4096, so this spends no alpha."""

    name = "seed_reproducibility"
    hypothesis = "same seed -> same output; different seeds -> different masks"
    test = "exact comparison"
    bug_classes = (9,)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        for dtype in ctx.dtypes:
            result.cases += guarded(dtype, 0.5, self._compare, ctx, dtype)

    def _compare(self, ctx: Context, dtype: np.dtype) -> Case:
        x = ctx.rng(self.name, dtype.name).uniform(0.5, 1.5, SIZE).astype(dtype)
        seeds = list(ctx.call_seeds(PAIRS, self.name, dtype.name))
        first = [ctx.target.forward(x, 0.5, training=True, seed=s) for s in seeds]
        again = [ctx.target.forward(x, 0.5, training=True, seed=s) for s in seeds]
        unequal = sum(a.tobytes() != b.tobytes() for a, b in zip(first, again, strict=True))
        # distinct outputs: distinct masks for a two-point law (x is never 0), distinct noise for Gaussian
        masks = {y.tobytes() for y in first}
        message = ""
        if unequal:
            message = f"{unequal} of {PAIRS} seeds gave a different output when called again"
        elif len(masks) < PAIRS:
            message = f"{PAIRS} different seeds gave only {len(masks)} different masks (outputs)"
        return Case(dtype=dtype.name, p=0.5, shape=[SIZE], verdict=Verdict.of(not message), samples=2 * PAIRS,
                    message=message, extra={"irreproducible": unequal, "distinct_masks": len(masks)})
