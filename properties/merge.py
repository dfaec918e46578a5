"""Merge runs of disjoint property subsets (from several machines or processes) into one run.

Each property's alpha is split over the whole battery and its randomness comes from the run seed and its
own name, so ``--properties a,b`` on one machine and ``--properties c,d`` on another give exactly the
cases a single run would; merging them gives the single run's verdicts and JSON (apart from timings).
"""

from __future__ import annotations

from collections.abc import Sequence

from .checks import ALL_CHECKS
from .expectations import Outcome, Status
from .result import RunResult

SAME = ("target", "convention", "law", "seed", "tier", "family_alpha", "versions", "deviation_tolerance", "strict",
        "strict_expect")
# an expected finding's status over the parts: what one part saw beats a part that did not run its property
STATUS_ORDER = (Status.MATCHED, Status.FIXED, Status.UNDECIDED, Status.NOT_RUN)


def merge_runs(parts: Sequence[RunResult]) -> RunResult:
    """One run from parts that agree on target, convention, seed, tier, alpha and versions and hold
    disjoint properties; anything else raises ValueError naming the disagreement."""
    if not parts:
        raise ValueError("nothing to merge")
    first = parts[0]
    for index, part in enumerate(parts[1:], start=2):
        for name in SAME:
            if getattr(part, name) != getattr(first, name):
                raise ValueError(f"part {index} differs in {name}: {getattr(part, name)!r} vs {getattr(first, name)!r}")
    seen: dict[str, int] = {}
    for index, part in enumerate(parts, start=1):
        for prop in part.properties:
            if prop.name in seen:
                raise ValueError(f"property {prop.name!r} is in parts {seen[prop.name]} and {index}")
            seen[prop.name] = index
    order = {check.name: position for position, check in enumerate(ALL_CHECKS)}
    properties = sorted((prop for part in parts for prop in part.properties), key=lambda prop: order[prop.name])
    return RunResult(
        target=first.target, convention=first.convention, law=first.law, seed=first.seed, tier=first.tier,
        family_alpha=first.family_alpha, properties=properties, versions=first.versions, machine=first.machine,
        seconds=sum(part.seconds for part in parts), complete=all(part.complete for part in parts),
        deviation_tolerance=first.deviation_tolerance, strict=first.strict, strict_expect=first.strict_expect,
        expectations=_merged_expectations(parts),
    )


def _merged_expectations(parts: Sequence[RunResult]) -> list[Outcome]:
    """Each expected finding once, with the status the part that ran its property gave it."""
    by_entry: dict[int, list[Outcome]] = {}
    for part in parts:
        for outcome in part.expectations:
            by_entry.setdefault(outcome.expectation.index, []).append(outcome)
    merged = []
    for index in sorted(by_entry):
        outcomes = by_entry[index]
        best = min(outcomes, key=lambda outcome: STATUS_ORDER.index(outcome.status))
        merged.append(Outcome(best.expectation, best.status, sum(outcome.cases for outcome in outcomes)))
    return merged
