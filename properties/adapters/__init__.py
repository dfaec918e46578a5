"""Adapters: third-party dropout implementations behind the target protocol, frameworks imported lazily."""

from __future__ import annotations

import importlib
import os
import sys
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


def keras_on(backend: str, extra: str) -> ModuleType:
    """Import Keras 3 on ``backend``: it reads ``KERAS_BACKEND`` once, at its first import, so a process holds one
    backend; a Keras already imported on another one raises ``MissingFramework`` (run such a target in a
    process of its own: the CLI's workers and ``tox`` envs do)."""
    if "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = backend
    keras = require("keras", extra)
    if keras.backend.backend() != backend:
        raise MissingFramework(
            f"keras runs on the {keras.backend.backend()!r} backend in this process; this target needs "
            f"{backend!r}: set KERAS_BACKEND={backend} before keras is imported, or verify it in a process of its own"
        )
    return keras
