"""contract: dtype and shape preserved, every shape accepted, the input never modified."""

from __future__ import annotations

import numpy as np

from ..context import Context
from ..result import Case, PropertyResult, Verdict
from ..target import TargetCallError
from .base import Check

SHAPES = [(), (0,), (3, 0, 2), (7,), (5, 6), (2, 3, 4, 5), (1 << 20,)]


class Contract(Check):
    """For every dtype and shapes 0-d, empty, small and large, in training and inference: the output has
    the input's dtype and shape, and the input array is unchanged afterwards.

    Guards bug class 16 (contract breaks: dtype or shape changes, in-place modification of the input).
    Deterministic: it spends no alpha."""

    name = "contract"
    weight = 0.1
    hypothesis = "output dtype and shape equal the input's; the input is not modified"
    test = "exact comparison"
    bug_classes = (16,)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        for dtype in ctx.dtypes:
            problems: list[str] = []
            rng = ctx.rng(self.name, dtype.name)
            for battery_shape in SHAPES:
                for training in (True, False):
                    x = rng.standard_normal(battery_shape) if battery_shape else np.asarray(1.5)
                    x = ctx.target.full_input(x.astype(dtype))  # a structured target gets its own layout
                    shape = x.shape
                    before = x.copy()
                    try:  # the raw target: a wrong shape or dtype is this property's finding, not an error
                        raw = ctx.target.raw_forward(x, 0.5, training=training, seed=3)
                        y = np.asarray(raw)
                    except TargetCallError as error:  # names the call and what it raised
                        problems.append(f"shape {shape} training={training}: {error}")
                        continue
                    except Exception as error:  # numpy.asarray could not convert the output
                        problems.append(f"shape {shape} training={training}: output not array-like: {error!r}")
                        continue
                    if y.shape != x.shape:
                        problems.append(f"shape {shape} training={training}: output shape {y.shape}")
                    if y.dtype != x.dtype:
                        problems.append(f"shape {shape} training={training}: output dtype {y.dtype}")
                    if x.tobytes() != before.tobytes():
                        problems.append(f"shape {shape} training={training}: the input was modified")
            result.cases.append(Case(dtype=dtype.name, p=0.5, shape=None, verdict=Verdict.of(not problems),
                                     samples=2 * len(SHAPES), message="; ".join(problems[:3]),
                                     extra={"problems": problems}))
        for name, reason in ctx.unsupported.items():
            result.cases.append(Case(dtype=name, p=None, shape=None, verdict=Verdict.INFO,
                                     message=f"not accepted: {reason}"))

