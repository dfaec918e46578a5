"""invalid_rate: a drop probability outside [0, 1] or NaN raises."""

from __future__ import annotations

import numpy as np

from ..context import Context
from ..result import Case, PropertyResult, Verdict
from ..target import InputWritten, TargetCallError
from .base import Check

INVALID = [-0.1, 1.1, 256.0, float("nan"), float("inf")]


class InvalidRate(Check):
    """``p < 0``, ``p > 1``, ``p = 256`` (Keras accepted ``Dropout(256)``), NaN and inf each raise an
    exception instead of returning a silent result.

    Guards bug class 17 (bad arguments accepted silently). Deterministic: it spends no alpha."""

    name = "invalid_rate"
    hypothesis = "p outside [0, 1] or NaN raises"
    test = "exact: every call must raise"
    bug_classes = (17,)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        dtype = ctx.dtypes[0] if ctx.dtypes else np.dtype(np.float32)
        accepted = []
        for p in INVALID:
            try:
                ctx.target.forward(np.ones(16, dtype=dtype), p, training=True, seed=0)
            except InputWritten:
                raise  # the harness's protection, not an answer about the rate: an error naming the call
            except TargetCallError as error:
                if error.raised:
                    continue
                # it returned, and what it returned is unusable (NaN, wrong shape): accepted all the same
            accepted.append(repr(p))
        result.cases.append(Case(dtype=dtype.name, p=None, shape=[16], verdict=Verdict.of(not accepted),
                                 samples=len(INVALID),
                                 message=f"accepted p = {', '.join(accepted)} without an error" if accepted else ""))
