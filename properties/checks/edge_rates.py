"""edge_rates: p = 0 is the identity, p = 1 gives finite zeros (or a documented error)."""

from __future__ import annotations

import math

import numpy as np

from ..context import Context, calls_for
from ..result import Case, PropertyResult, Verdict
from ..target import InputWritten, TargetCallError, WrongValue
from .base import Check, guarded


class EdgeRates(Check):
    """At ``p = 0`` every output equals its input bit for bit, over ``identity_elements`` elements; at
    ``p = 1`` the output is all zeros and finite (raising is accepted and reported as info), and so is
    the gradient.

    Guards bug classes 13 (p = 0 still drops: with 10**7 elements a drop probability of 5e-7 is seen
    with probability 0.99) and 14 (p = 1 gives NaN). Deterministic: it spends no alpha.

    Alpha dropout's ``a`` is infinite at p = 1, and its dropped value ``a alpha' q`` tends to 0: zeros (the
    limit) or an error. Gaussian dropout's variance ``p / q`` is infinite at p = 1 and the law has no limit:
    the target must raise."""

    name = "edge_rates"
    weight = 0.1
    hypothesis = "p = 0 is the exact identity; p = 1 gives finite zeros and finite gradients"
    test = "exact comparison over a large sample"
    bug_classes = (13, 14)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        for dtype in ctx.dtypes:
            result.cases += guarded(dtype, 0.0, self._p_zero, ctx, dtype)
            result.cases += guarded(dtype, 1.0, self._p_one, ctx, dtype)

    def key_estimate(self, result: PropertyResult) -> str:
        p_one = {case.extra.get("p1") for case in result.cases if case.p == 1.0}
        return "p = 1 raises" if "raises" in p_one else "p = 1 gives zeros"

    def _p_zero(self, ctx: Context, dtype: np.dtype) -> Case:
        rng = ctx.rng(self.name, "p0", dtype.name)
        changed = checked = 0
        sizes = list(calls_for(ctx.tier.identity_elements))
        # one set of values for every call: p = 0 must be the identity whatever the values, and fresh
        # normals for 10^7 elements took longer than the target calls on them
        values = rng.standard_normal(max(sizes)).astype(dtype)
        for size in sizes:
            x = values[:size].copy()  # a target that writes into its input changes no later call
            y = ctx.target.forward(x, 0.0, training=True, seed=int(rng.integers(2**31)))
            changed += int(np.count_nonzero(np.asarray(y.astype(dtype) != x)))
            checked += size
        return Case(
            dtype=dtype.name, p=0.0, shape=None, verdict=Verdict.of(not changed), estimate=changed / checked,
            samples=checked, message=f"p = 0 changed {changed} of {checked} elements" if changed else "",
        )

    def _p_one(self, ctx: Context, dtype: np.dtype) -> Case:
        x = ctx.rng(self.name, "p1", dtype.name).standard_normal(4096).astype(dtype)
        try:
            y = ctx.target.forward(x, 1.0, training=True, seed=1)
        except InputWritten:
            raise  # the harness's protection, not an answer about p = 1: an error naming the call
        except TargetCallError as error:
            if error.raised:  # TensorFlow's documented choice
                return Case(dtype=dtype.name, p=1.0, shape=[4096], verdict=Verdict.INFO, samples=1,
                            message=f"raises at p = 1 (accepted): {error}", extra={"p1": "raises"})
            # NaN from 0/0 (bug class 14), or another unusable output
            return Case(dtype=dtype.name, p=1.0, shape=[4096], verdict=Verdict.FAIL, samples=1,
                        message=f"p = 1: {error}", extra={"p1": "bad output"},
                        effect=math.inf if isinstance(error, WrongValue) else None)
        if ctx.target.law.name == "gaussian":
            return Case(dtype=dtype.name, p=1.0, shape=[4096], verdict=Verdict.FAIL, samples=1,
                        message="p = 1 returned an output: Gaussian noise of variance p / q = inf has no law, the call "
                                f"must raise (got {int(np.count_nonzero(np.isfinite(y)))} finite of 4096 values)",
                        extra={"p1": "output"})
        y64 = y.astype(np.float64)
        problems = []
        if not np.all(np.isfinite(y64)):
            problems.append(f"{int(np.count_nonzero(~np.isfinite(y64)))} non-finite outputs")
        elif np.any(y64 != 0):
            problems.append(f"{int(np.count_nonzero(y64))} nonzero outputs")
        if ctx.target.has_backward:
            try:
                _, dx = ctx.target.forward_backward(x, np.ones_like(x), 1.0, seed=1)
                dx64 = dx.astype(np.float64)
                if not np.all(np.isfinite(dx64)) or np.any(dx64 != 0):
                    problems.append("gradient not all finite zeros")
            except InputWritten:
                raise
            except TargetCallError as error:
                problems.append(f"backward raises at p = 1: {error}")
        return Case(dtype=dtype.name, p=1.0, shape=[4096], verdict=Verdict.of(not problems), samples=1,
                    message="; ".join(problems), extra={"p1": "zeros"})
