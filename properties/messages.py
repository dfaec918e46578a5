"""What the parent and a worker process say to each other: small frozen records, never positional tuples."""

from __future__ import annotations

from dataclasses import dataclass

from .plan import Probe, RunPlan
from .result import PropertyResult


@dataclass(frozen=True)
class ProbeTask:
    """Find the dtypes the target accepts."""


@dataclass(frozen=True)
class CheckTask:
    """Run one property under the run's plan."""

    name: str
    plan: RunPlan


@dataclass(frozen=True)
class ProbeAnswer:
    probe: Probe


@dataclass(frozen=True)
class CheckAnswer:
    result: PropertyResult


@dataclass(frozen=True)
class Failed:
    """The task got no answer: the worker could not load the target, died, or a call hung (the reason says)."""

    reason: str


Task = ProbeTask | CheckTask
Answer = ProbeAnswer | CheckAnswer | Failed
