"""The verifier: checks any dropout implementation against exact and statistical properties.

``verify(target)`` runs the battery; ``load_target(name)`` resolves ``reference`` or ``module:attr``.
"""

from .result import Case, PropertyResult, RunResult
from .runner import verify
from .target import Target, TargetCallError, TargetLoadError, load_target
from .tiers import TIERS, Tier

__all__ = [
    "TIERS", "Case", "PropertyResult", "RunResult", "Target", "TargetCallError", "TargetLoadError", "Tier",
    "load_target", "verify",
]
