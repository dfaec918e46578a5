"""Run the battery on one target: probe its dtypes, split the family-wise alpha, run every property."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

from .checks import ALL_CHECKS, Check
from .context import CANDIDATE_DTYPES, Context, probe_dtypes
from .harness import DEFAULT_CALL_TIMEOUT, TargetSpec, WorkerPool, run_property
from .result import PropertyResult, RunResult, Verdict
from .target import TargetAdapter, as_target, describe, load_target
from .tiers import TIERS

# called before each property (name, index, count) and once at the end ("done"), with the adapter whose
# ``elements`` counter grows with every call, so that a display can show the work inside a property
Progress = Callable[[str, int, int, Any], None]


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
    workers: int = 0,
    call_timeout: float = DEFAULT_CALL_TIMEOUT,
) -> RunResult:
    """Verify ``target`` (an object, a function, or a name for ``load_target``) and return the run.

    Every statistical decision of the run gets ``family_alpha / decisions`` (Bonferroni), so a correct
    target fails with probability at most the tier's family alpha.

    ``workers=0`` runs in this process. ``workers=N`` runs the properties in N worker processes (see
    ``harness``): a call that takes longer than ``call_timeout`` seconds is abandoned and a worker that
    dies is replaced, each making its property an ``error`` that names the call; the verdicts do not
    depend on N. With ``interruptible``, Ctrl-C (KeyboardInterrupt) ends the run early and returns what
    was measured, marked incomplete (``complete = False``, verdict ``fail``); otherwise it propagates."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; choose one of {', '.join(TIERS)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ValueError(f"workers must be a non-negative integer, got {workers!r}")
    if isinstance(call_timeout, bool) or not isinstance(call_timeout, (int, float)) or not call_timeout > 0:
        raise ValueError(f"call_timeout must be a positive number of seconds, got {call_timeout!r}")
    name = target if isinstance(target, str) else ""
    obj = load_target(target) if isinstance(target, str) else as_target(target)
    adapter = TargetAdapter(obj, name or describe(obj))
    checks = select_checks(properties)
    started = time.perf_counter()
    ctx = Context(target=adapter, tier=TIERS[tier], run_seed=seed)
    if workers:
        pool = WorkerPool(TargetSpec.of(obj, name, adapter.name), tier, seed, workers, float(call_timeout))
        results, complete = _in_workers(pool, ctx, checks, progress, interruptible)
        counter: Any = pool.counter
    else:
        results, complete = _in_process(ctx, checks, progress, interruptible)
        counter = adapter
    if progress:
        progress("done", len(results), len(checks), counter)
    return RunResult(
        target=adapter.name, convention=adapter.convention, seed=seed, tier=tier,
        family_alpha=ctx.tier.family_alpha, properties=results,
        versions={**_versions(), **getattr(obj, "versions", {})}, machine=_machine(),
        seconds=time.perf_counter() - started, complete=complete,
    )


def _split_alpha(ctx: Context) -> None:
    # alpha is split over the whole battery even when a subset runs, so that a property's verdict does
    # not depend on which others run with it
    decisions = sum(check.decisions(ctx) for check in ALL_CHECKS)
    ctx.alpha = ctx.tier.family_alpha / decisions if decisions else ctx.tier.family_alpha


def _interrupted(ctx: Context, check: Check, cases: int = 0) -> PropertyResult:
    result = check.new_result(ctx)
    result.verdict = Verdict.ERROR
    result.message = f"interrupted after {cases} cases; the run is incomplete"
    return result


def _in_process(ctx: Context, checks: list[Check], progress: Progress | None,
                interruptible: bool) -> tuple[list[PropertyResult], bool]:
    probe_dtypes(ctx)
    _split_alpha(ctx)
    results: list[PropertyResult] = []
    for index, check in enumerate(checks):
        if progress:
            progress(check.name, index, len(checks), ctx.target)
        try:
            results.append(run_property(ctx, check))
        except KeyboardInterrupt:
            if not interruptible:
                raise
            results.append(_interrupted(ctx, check))
            return results, False
    return results, True


def _in_workers(pool: WorkerPool, ctx: Context, checks: list[Check], progress: Progress | None,
                interruptible: bool) -> tuple[list[PropertyResult], bool]:
    answers: dict[tuple, Any] = {}
    complete = True
    try:
        pool.start_all()
        probe = pool.run([("probe",)])[("probe",)]
        if probe[0] == "failed":
            ctx.unsupported = {"all": f"probing the dtypes failed: {probe[1]}"}
            results = []
            for check in checks:
                result = check.new_result(ctx)
                result.verdict, result.message = Verdict.ERROR, f"probing the dtypes failed: {probe[1]}"
                results.append(result)
            return results, True
        ctx.dtypes = [dtype for dtype in CANDIDATE_DTYPES if dtype.name in probe[1]]
        ctx.unsupported = dict(probe[2])
        _split_alpha(ctx)
        dtypes = tuple(dtype.name for dtype in ctx.dtypes)
        unsupported = tuple(sorted(ctx.unsupported.items()))
        # heaviest first, so that the last task to finish is a short one and no worker idles at the end
        ordered = sorted(checks, key=lambda check: -check.weight)
        tasks = [("check", check.name, dtypes, unsupported, ctx.alpha) for check in ordered]
        started: list[str] = []

        def on_start(task: tuple) -> None:
            started.append(task[1])
            if progress:
                progress(task[1], len(started) - 1, len(checks), pool.counter)

        answers = pool.run(tasks, on_start=on_start)
    except KeyboardInterrupt:
        if not interruptible:
            raise
        answers, complete = pool.partial, False
    finally:
        pool.close()
    results = []
    for check in checks:
        answer = next((value for task, value in answers.items() if task[:2] == ("check", check.name)), None)
        if answer is None:
            results.append(_interrupted(ctx, check))
        elif answer[0] == "failed":
            result = check.new_result(ctx)
            result.verdict, result.message = Verdict.ERROR, answer[1]
            results.append(result)
        else:
            results.append(answer[1])
    return results, complete
