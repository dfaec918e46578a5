"""Hypothesis searches that depend on the run seed alone: not on the user's working directory, nor on which
modules the process has imported.

Hypothesis (since 6.13x) mixes into its draws the literal constants of every "local" module (one outside
site-packages and the standard library) loaded in ``sys.modules``. Useful for a project's own tests, but for a
verifier it means that the same target and seed draw other examples, and may give another verdict, when the
CLI runs from another folder, when the pytest plugin has loaded the user's conftest, or when a target module
is imported. Inside ``isolated_hypothesis()`` Hypothesis sees no local constant (its built-in ones, such as
boundaries and 0.5, stay) and keeps its example cache in a temporary folder."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:  # the internals that local constants come with; without them there is nothing to neutralise
    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import Constants

    _LOCAL_CONSTANTS = hasattr(providers, "_get_local_constants") and hasattr(providers, "CONSTANTS_CACHE")
except ImportError:  # pragma: no cover - an older Hypothesis
    _LOCAL_CONSTANTS = False


def neutral_constants_active() -> bool:
    """Whether searches here ignore local modules' constants (False only on a Hypothesis without them)."""
    return _LOCAL_CONSTANTS


def _no_local_constants() -> Any:
    return Constants()


@contextmanager
def _without_local_constants() -> Iterator[None]:
    """Every Hypothesis provider finds no local constant while inside. The cache of permitted constants is
    emptied on the way in and out, since it keeps what each side saw."""
    if not _LOCAL_CONSTANTS:
        yield
        return
    stock = providers._get_local_constants
    providers._get_local_constants = _no_local_constants
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = stock
        providers.CONSTANTS_CACHE.cache.clear()


@contextmanager
def isolated_hypothesis() -> Iterator[None]:
    """Within: Hypothesis draws no local module's constants, and keeps its caches in a temporary folder (a
    verifier leaves the user's ``.hypothesis/`` alone). Both come back afterwards, since the user's own
    Hypothesis tests may share this process."""
    from hypothesis import configuration

    before_home = vars(configuration).get("__hypothesis_home_directory")
    with tempfile.TemporaryDirectory(prefix="dropout-verify-hypothesis-") as home, _without_local_constants():
        configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(before_home)
