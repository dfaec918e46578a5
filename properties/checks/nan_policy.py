"""nan_policy: what a dropped NaN or inf becomes (reported, never failed)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..context import Context
from ..result import Case, PropertyResult, Verdict
from .base import Check, guarded

SIZE = 2048


class NanPolicy(Check):
    """Reports what dropped NaN and inf inputs become: 0 (select semantics: Flax, Keras 3, the reference)
    or NaN (multiplicative: PyTorch keeps a dropped NaN by design). Both are correct conventions, so
    this property is information only and never fails. Alpha dropout: "0" reads as its dropped value."""

    name = "nan_policy"
    hypothesis = "report only: a dropped NaN/inf becomes 0 or NaN"
    test = "observation at p = 0.5"
    bug_classes = ()
    not_for: ClassVar[dict[str, str]] = {"gaussian": "no element is dropped: a NaN or inf times e stays non-finite"}

    def run(self, ctx: Context, result: PropertyResult) -> None:
        result.verdict = Verdict.INFO
        for dtype in ctx.dtypes:
            result.cases += guarded(dtype, 0.5, self._observe, ctx, dtype)
        if result.cases:
            result.message = result.cases[0].message

    def key_estimate(self, result: PropertyResult) -> str:
        return result.message

    @staticmethod
    def _observe(ctx: Context, dtype: np.dtype) -> Case:
        x = np.full(SIZE, np.nan, dtype=dtype)
        x[SIZE // 2 :] = np.inf
        y = ctx.target.forward(x, 0.5, training=True, seed=5).astype(np.float64)
        nan_in, inf_in = y[: SIZE // 2], y[SIZE // 2 :]
        dropped = float(ctx.target.law.dropped(np.ones(1, dtype=dtype), 0.5)[0])  # 0, or alpha's a alpha' q
        policy = {
            "nan_dropped_to_zero": int(np.count_nonzero(nan_in == dropped)),
            "nan_kept_nan": int(np.count_nonzero(np.isnan(nan_in))),
            "inf_dropped_to_zero": int(np.count_nonzero(inf_in == dropped)),
            "inf_to_nan": int(np.count_nonzero(np.isnan(inf_in))),
            "inf_kept_inf": int(np.count_nonzero(np.isinf(inf_in))),
        }
        if policy["nan_dropped_to_zero"] or policy["inf_dropped_to_zero"]:
            summary = "a dropped NaN/inf becomes 0 (select)"
        elif policy["nan_kept_nan"] == SIZE // 2:
            summary = "a dropped NaN stays NaN and a dropped inf becomes NaN (multiplicative)"
        else:
            summary = "mixed"
        return Case(dtype=dtype.name, p=0.5, shape=[SIZE], verdict=Verdict.INFO, samples=1, message=summary,
                    extra=policy)
