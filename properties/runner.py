"""Run the battery on one target: probe its dtypes, split the family-wise alpha, run every property."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from .checks import ALL_CHECKS, Check
from .context import Context
from .distributed import is_distributed, verify_distributed
from .expectations import Expectations
from .grading import grade
from .harness import (
    DEFAULT_CALL_TIMEOUT,
    TargetSpec,
    WorkerPool,
    check_call_timeout,
    check_workers,
    run_property,
)
from .limits import DEFAULT_DEVIATION_TOLERANCE, check_tolerance
from .messages import CheckAnswer, CheckTask, Failed, ProbeAnswer, ProbeTask, Task
from .plan import Probe, RunPlan, probe_dtypes
from .result import PropertyResult, RunResult
from .target import TargetAdapter, as_target, describe, load_target
from .tiers import TIERS, Tier

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
    expect: str | Path | Expectations | None = None,
    strict_expect: bool = False,
    deviation_tolerance: float = DEFAULT_DEVIATION_TOLERANCE,
    strict: bool = False,
    world_size: int | None = None,
) -> RunResult:
    """Verify ``target`` (an object, a function, or a name for ``load_target``) and return the run.

    Every statistical decision of the run gets ``family_alpha / decisions`` (Bonferroni), so a correct
    target fails with probability at most the tier's family alpha.

    ``workers=0`` runs in this process. ``workers=N`` runs the properties in N worker processes (see
    ``harness``): a call that takes longer than ``call_timeout`` seconds is abandoned and a worker that
    dies is replaced, each making its property an ``error`` that names the call; the verdicts do not
    depend on N. With ``interruptible``, Ctrl-C (KeyboardInterrupt) ends the run early and returns what
    was measured, marked incomplete (``complete = False``, verdict ``fail``); otherwise it propagates.

    A failure whose measured effect on E[y] is at most ``deviation_tolerance`` (relative) is a ``deviation``,
    which fails the run only when ``strict``. ``expect`` (an expected-findings TOML file, see
    ``expectations``) turns the findings it names into ``xfail``; an entry that names nothing is reported
    ``fixed``, which fails the run when ``strict_expect``.

    A distributed target (``forward_ranks``, see ``distributed``) runs the rank battery instead, on its own
    ``world_size`` ranks or ``world_size`` given here; ``workers`` and ``expect`` do not apply to it yet."""
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; choose one of {', '.join(TIERS)}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    check_workers(workers)
    call_timeout = check_call_timeout(call_timeout)
    deviation_tolerance = check_tolerance(deviation_tolerance)
    expectations = (expect if isinstance(expect, Expectations) or expect is None
                    else Expectations.load(expect, tuple(check.name for check in ALL_CHECKS)))
    name = target if isinstance(target, str) else ""
    obj = load_target(target) if isinstance(target, str) else as_target(target)
    if is_distributed(obj):
        run = verify_distributed(obj, name or describe(obj), tier=tier, seed=seed, world_size=world_size,
                                 versions={**_versions(), **getattr(obj, "versions", {})}, machine=_machine())
        grade(run, deviation_tolerance, strict=strict)
        return run
    if world_size is not None:
        raise ValueError(f"world_size is for distributed targets (with forward_ranks); {name or describe(obj)} "
                         "runs on one process")
    adapter = TargetAdapter(obj, name or describe(obj))
    checks = select_checks(properties)
    started = time.perf_counter()
    if workers:
        pool = WorkerPool(TargetSpec.of(obj, name, adapter.name), tier, seed, workers, call_timeout)
        results, complete = _in_workers(pool, adapter, TIERS[tier], seed, checks, progress, interruptible)
        counter: Any = pool.counter
    else:
        results, complete = _in_process(adapter, TIERS[tier], seed, checks, progress, interruptible)
        counter = adapter
    if progress:
        progress("done", len(results), len(checks), counter)
    run = RunResult(
        target=adapter.name, convention=adapter.convention, law=adapter.law.name, seed=seed, tier=tier,
        family_alpha=TIERS[tier].family_alpha, properties=results,
        versions={**_versions(), **getattr(obj, "versions", {})}, machine=_machine(),
        seconds=time.perf_counter() - started, complete=complete,
    )
    grade(run, deviation_tolerance, strict=strict)
    if expectations is not None:
        run.expectations, run.strict_expect = expectations.apply(run), strict_expect
    return run


def plan_for(adapter: TargetAdapter, tier: Tier, probe: Probe) -> RunPlan:
    """The run's plan: alpha split over every decision of the whole battery, even when a subset runs, so
    that a property's verdict does not depend on which others run with it."""
    return RunPlan.build(tier, probe, adapter.has_backward, ALL_CHECKS, law=adapter.law.name)


def _interrupted(ctx: Context, check: Check) -> PropertyResult:
    return check.error_result(ctx, "interrupted before it finished; the run is incomplete")


def _in_process(adapter: TargetAdapter, tier: Tier, seed: int, checks: list[Check], progress: Progress | None,
                interruptible: bool) -> tuple[list[PropertyResult], bool]:
    ctx = Context(target=adapter, tier=tier, run_seed=seed, plan=plan_for(adapter, tier, probe_dtypes(adapter)))
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


def _in_workers(pool: WorkerPool, adapter: TargetAdapter, tier: Tier, seed: int, checks: list[Check],
                progress: Progress | None, interruptible: bool) -> tuple[list[PropertyResult], bool]:
    complete = True
    try:
        pool.start_all()
        probe = pool.run([ProbeTask()])[ProbeTask()]
        if not isinstance(probe, ProbeAnswer):
            reason = probe.reason if isinstance(probe, Failed) else repr(probe)
            ctx = Context(target=adapter, tier=tier, run_seed=seed,
                          plan=plan_for(adapter, tier, Probe.failed(reason)))
            return [check.error_result(ctx, f"probing the dtypes failed: {reason}") for check in checks], True
        ctx = Context(target=adapter, tier=tier, run_seed=seed, plan=plan_for(adapter, tier, probe.probe))
        # heaviest first, so that the last task to finish is a short one and no worker idles at the end
        ordered = sorted(checks, key=lambda check: -check.weight)
        tasks: list[Task] = [CheckTask(check.name, ctx.plan) for check in ordered]
        started: list[str] = []

        def on_start(task: Task) -> None:
            if isinstance(task, CheckTask):
                started.append(task.name)
                if progress:
                    progress(task.name, len(started) - 1, len(checks), pool.counter)

        answers = pool.run(tasks, on_start=on_start)
    except KeyboardInterrupt:
        if not interruptible:
            raise
        answers, complete = pool.partial, False
        ctx = Context(target=adapter, tier=tier, run_seed=seed, plan=plan_for(adapter, tier, Probe(())))
    finally:
        pool.close()
    results = []
    for check in checks:
        answer = answers.get(CheckTask(check.name, ctx.plan))
        if isinstance(answer, CheckAnswer):
            results.append(answer.result)
        elif isinstance(answer, Failed):
            results.append(check.error_result(ctx, answer.reason))
        else:
            results.append(_interrupted(ctx, check))
    return results, complete
