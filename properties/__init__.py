"""The verifier: checks any dropout implementation against exact and statistical properties.

``verify(target)`` runs the battery; ``load_target(name)`` resolves ``reference`` or ``module:attr``.
Names are imported on first use, so that the pytest plugin (``dropout_verify.properties.pytest_plugin``) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .result import Case, PropertyResult, RunResult
    from .runner import verify
    from .target import Target, TargetCallError, TargetLoadError, load_target
    from .tiers import TIERS, Tier

_EXPORTS = {
    "Case": "result", "PropertyResult": "result", "RunResult": "result", "verify": "runner", "Target": "target",
    "TargetCallError": "target", "TargetLoadError": "target", "load_target": "target", "TIERS": "tiers",
    "Tier": "tiers",
}
__all__ = [
    "TIERS", "Case", "PropertyResult", "RunResult", "Target", "TargetCallError", "TargetLoadError", "Tier",
    "load_target", "verify",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
