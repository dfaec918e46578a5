"""Adapters: third-party dropout implementations behind the target protocol, frameworks imported lazily."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingFramework(ImportError):
    """A built-in target whose framework is not installed; the message names the extra to install."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise ``MissingFramework`` naming ``pip install 'dropout-verify[extra]'``."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingFramework(
            f"{module} is not installed: pip install 'dropout-verify[{extra}]' ({error})"
        ) from error
