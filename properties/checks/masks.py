"""What the three independence properties share: masks read from the target, and the case of an omnibus decision."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..context import Context
from ..dependence import MaxTestResult
from ..result import Case, Verdict


def mask_of(ctx: Context, dtype: np.dtype, p: float, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """The keep mask of one training call (``y != 0`` for ``x = 1``), or the law's indicator in its place
    (``e > 1`` for Gaussian noise): independent elements give independent indicators."""
    y = ctx.target.forward(np.ones(shape, dtype=dtype), p, training=True, seed=seed)
    return ctx.target.law.indicator(y, p)


def mask_pairs(ctx: Context, dtype: np.dtype, p: float, shape: tuple[int, ...], calls: int,
               *names: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``calls`` pairs of masks from calls with distinct, unrelated seeds: the two masks that a symmetrised
    statistic (``dependence.symmetrised``) subtracts."""
    seeds = list(ctx.call_seeds(2 * calls, *names))
    for first, second in zip(seeds[::2], seeds[1::2], strict=True):
        yield mask_of(ctx, dtype, p, shape, first), mask_of(ctx, dtype, p, shape, second)


def max_case(ctx: Context, dtype: np.dtype, p: float | None, shape: list[int], samples: int, decision: str,
             found: MaxTestResult, what: str) -> Case:
    """The case of one omnibus decision: fails when the union-bound p-value is below the decision's alpha,
    with a message naming the lag (offset, pair) found and up to four more."""
    passed = found.pvalue >= ctx.alpha
    message = ""
    if not passed:
        others = ", ".join(finding.where for finding in found.findings[1:])
        message = (f"{what}: {found.where} correlated, phi = {found.correlation:+.4f} (z = {found.z:.1f}, "
                   f"bound on the p-value over {found.tests:,} tests {found.pvalue:.2g})"
                   + (f"; also {others}" if others else ""))
    return Case(
        dtype=dtype.name, p=p, shape=shape, verdict=Verdict.of(passed), estimate=found.correlation,
        p_value=found.pvalue, samples=samples, message=message,
        extra={"decision": decision, "where": found.where, "lag": found.lag, "z": found.z, "tests": found.tests,
               "findings": [{"where": f.where, "lag": f.lag, "z": f.z, "correlation": f.correlation}
                            for f in found.findings],
               "profile": found.profile},
    )
