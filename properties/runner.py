"""Run the battery on one target: probe its dtypes, split the family-wise alpha, run every property."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

from .checks import ALL_CHECKS, Check
from .context import Context, probe_dtypes
from .result import PropertyResult, RunResult
from .target import TargetAdapter, as_target, describe, load_target
from .tiers import TIERS

# called before each property (name, index, count) and once at the end ("done"), with the adapter whose
# ``elements`` counter grows with every call, so that a display can show the work inside a property
Progress = Callable[[str, int, int, TargetAdapter], None]


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("dropout-verify", "numpy", "scipy", "hypothesis"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _machine() -> dict[str, Any]:
    return {"platform": platform.platform(), "processor": platform.machine(), "cpus": os.cpu_count()}


def select_checks(names: Sequence[str] | None) -> list[Check]:
    """The battery, or the named subset of it in battery order; unknown names raise ValueError."""
    if not names:
        return list(ALL_CHECKS)
    known = {check.name: check for check in ALL_CHECKS}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown properties {unknown}; known: {', '.join(known)}")
    return [check for check in ALL_CHECKS if check.name in names]


def verify(
    target: Any,
    *,
    tier: str = "standard",
    seed: int = 0,
    properties: Sequence[str] | None = None,
    progress: Progress | None = None,
    interruptible: bool = False,
) -> RunResult:
    """Verify ``target`` (an object, a function, or a name for ``load_target``) and return the run.

    Every statistical decision of the run gets ``family_alpha / decisions`` (Bonferroni), so a correct
    target fails with probability at most the tier's family alpha.

    With ``interruptible``, Ctrl-C (KeyboardInterrupt) ends the run early and returns what was measured,
    marked incomplete (``complete = False``, verdict ``fail``); otherwise the interrupt propagates."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; choose one of {', '.join(TIERS)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    name = target if isinstance(target, str) else ""
    obj = load_target(target) if isinstance(target, str) else as_target(target)
    adapter = TargetAdapter(obj, name or describe(obj))
    checks = select_checks(properties)
    started = time.perf_counter()
    ctx = Context(target=adapter, tier=TIERS[tier], run_seed=seed)
    probe_dtypes(ctx)
    # alpha is split over the whole battery even when a subset runs, so that a property's verdict does
    # not depend on which others run with it
    decisions = sum(check.decisions(ctx) for check in ALL_CHECKS)
    ctx.alpha = ctx.tier.family_alpha / decisions if decisions else ctx.tier.family_alpha
    results: list[PropertyResult] = []
    complete = True
    for index, check in enumerate(checks):
        if progress:
            progress(check.name, index, len(checks), adapter)
        result = check.new_result(ctx)
        began = time.perf_counter()
        if not ctx.dtypes and check.name not in ("contract", "invalid_rate"):
            result.verdict, result.message = "error", "the target accepted none of the dtypes: " + "; ".join(
                f"{dtype}: {reason}" for dtype, reason in ctx.unsupported.items())
        else:
            try:
                check.run(ctx, result)
            except Exception as error:  # a broken property or target must not end the run
                result.verdict, result.message = "error", f"{type(error).__name__}: {error}"
            except KeyboardInterrupt:
                if not interruptible:
                    raise
                complete = False
            result.summarise()
            if not complete:
                result.verdict = "error"
                result.message = f"interrupted after {len(result.cases)} cases; the run is incomplete"
        result.seconds = time.perf_counter() - began
        results.append(result)
        if not complete:
            break
    if progress:
        progress("done", len(results), len(checks), adapter)
    return RunResult(
        target=adapter.name, convention=adapter.convention, seed=seed, tier=tier,
        family_alpha=ctx.tier.family_alpha, properties=results,
        versions={**_versions(), **getattr(obj, "versions", {})}, machine=_machine(),
        seconds=time.perf_counter() - started, complete=complete,
    )
