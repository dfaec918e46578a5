"""The run's plan, fixed before any property runs: the dtypes the target takes and the per-decision alpha.

A property never sees a half-built plan: the probe finds the dtypes, the plan splits the family-wise alpha
over every decision the whole battery will make for those dtypes (so a property's verdict does not depend
on which others run with it), and only then does any property run, in this process or a worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .tiers import Tier

if TYPE_CHECKING:
    from .target import TargetAdapter

CANDIDATE_DTYPES: list[np.dtype] = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)]
try:  # bfloat16 only where ml_dtypes is installed (JAX brings it)
    import ml_dtypes

    CANDIDATE_DTYPES.append(np.dtype(ml_dtypes.bfloat16))
except ImportError:  # pragma: no cover - depends on the environment
    pass


def dtypes_named(names: Iterable[str]) -> tuple[np.dtype, ...]:
    """The candidate dtypes with these names, in the candidates' order."""
    wanted = set(names)
    return tuple(dtype for dtype in CANDIDATE_DTYPES if dtype.name in wanted)


@dataclass(frozen=True)
class Probe:
    """Which candidate dtypes the target accepted, and why it refused the others."""

    dtypes: tuple[str, ...]
    unsupported: tuple[tuple[str, str], ...] = ()

    @classmethod
    def failed(cls, reason: str) -> Probe:
        return cls(dtypes=(), unsupported=(("all", f"probing the dtypes failed: {reason}"),))


def probe_dtypes(target: TargetAdapter) -> Probe:
    """Find the dtypes the target accepts: a dtype whose probe call raises is left out, with its reason."""
    accepted, refused = [], []
    for dtype in CANDIDATE_DTYPES:
        try:
            # the raw call (a writable input, no output checks): only whether the dtype is taken is asked here
            target.raw_forward(target.full_input(np.ones(8, dtype=dtype)), 0.5, training=True, seed=0)
        except Exception as error:
            refused.append((dtype.name, str(error)))
            continue
        accepted.append(dtype.name)
    return Probe(dtypes=tuple(accepted), unsupported=tuple(refused))


@dataclass(frozen=True)
class Scope:
    """What fixes how many statistical decisions a property makes."""

    tier: Tier
    dtypes: tuple[np.dtype, ...]
    has_backward: bool
    law: str = "bernoulli"


class Decides(Protocol):
    def planned_decisions(self, scope: Scope) -> int: ...


@dataclass(frozen=True)
class RunPlan:
    """The dtypes to test, those refused, and the alpha of every statistical decision."""

    dtypes: tuple[str, ...]
    unsupported: tuple[tuple[str, str], ...]
    alpha: float
    decisions: int

    @classmethod
    def build(cls, tier: Tier, probe: Probe, has_backward: bool, battery: Iterable[Decides],
              law: str = "bernoulli") -> RunPlan:
        """Bonferroni over every decision of the whole ``battery`` (not just the properties that will run) that
        applies to the target's ``law``."""
        scope = Scope(tier=tier, dtypes=dtypes_named(probe.dtypes), has_backward=has_backward, law=law)
        decisions = sum(check.planned_decisions(scope) for check in battery)
        alpha = tier.family_alpha / decisions if decisions else tier.family_alpha
        return cls(dtypes=tuple(dtype.name for dtype in scope.dtypes), unsupported=probe.unsupported, alpha=alpha,
                   decisions=decisions)

    @property
    def numpy_dtypes(self) -> tuple[np.dtype, ...]:
        return dtypes_named(self.dtypes)

    @property
    def refused(self) -> Mapping[str, str]:
        return dict(self.unsupported)
