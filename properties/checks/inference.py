"""inference: with training=False no mask is applied."""

from __future__ import annotations

import numpy as np

from .. import strategies as dst
from ..context import Context
from ..exact import correctly_rounded_product, ulp_distance
from ..result import PropertyResult
from ..target import InputWritten, TargetCallError
from .base import Check, PropertyFailure, run_hypothesis


class Inference(Check):
    """At inference the output is ``x`` bit for bit (inverted; alpha and Gaussian dropout too) or ``q * x``
    within one ulp of the correctly rounded product (classic): no element is dropped, nothing else is scaled.

    A target that refuses p = 1 by raising (MLX, eager Haiku: ``edge_rates`` accepts and reports it) may refuse
    it at inference too; any other raise is an error naming the call.

    Guards bug class 12 (dropout active at inference). Test: an exact rule on inputs Hypothesis draws
    (every layout, zeros, subnormals), shrunk on failure; deterministic, so it spends no alpha."""

    name = "inference"
    weight = 0.65
    hypothesis = "training=False returns x bit for bit (inverted) or q*x (classic)"
    test = "exact rule on Hypothesis inputs"
    bug_classes = (12,)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        inverted = ctx.target.convention == "inverted"
        for dtype in ctx.dtypes:
            strategy = dst.rule_examples(dtype, dst.INFERENCE_RATES)

            def rule(example: dict) -> None:
                x, p = example["x"], example["p"]
                try:
                    y = ctx.target.forward(x, p, training=False, seed=example["seed"])
                except InputWritten:
                    raise
                except TargetCallError as error:
                    if p == 1.0 and error.raised and _refuses_p_one_in_training(ctx, x):
                        return  # p = 1 refused in both modes, as edge_rates accepts
                    raise
                if inverted:
                    if y.dtype != x.dtype or y.tobytes() != np.ascontiguousarray(x).tobytes():
                        differ = np.argwhere(np.asarray(y != x))
                        where = tuple(int(i) for i in differ[0]) if differ.size else "dtype"
                        raise PropertyFailure(f"inference output differs from x at {where} (p = {p})")
                    return
                expected = correctly_rounded_product(x, 1.0 - p)
                distance = np.abs(ulp_distance(y.astype(x.dtype), expected))
                if distance.size and distance.max() > 1:
                    index = tuple(int(i) for i in np.unravel_index(int(distance.argmax()), x.shape))
                    raise PropertyFailure(f"at {index}: x = {x[index]!r}, y = {y[index]!r}, expected q*x = "
                                          f"{expected[index]!r}")

            result.cases.append(run_hypothesis(ctx, dtype, self.name, strategy, rule))


def _refuses_p_one_in_training(ctx: Context, x: np.ndarray) -> bool:
    """Whether the target raises at p = 1 in training as well: then its raise at inference is the same refusal."""
    try:
        ctx.target.forward(x, 1.0, training=True, seed=0)
    except InputWritten:
        raise
    except TargetCallError as error:
        return error.raised
    return False
