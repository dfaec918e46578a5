"""The Hypothesis searches depend on the run seed alone, not on which local modules the process has loaded."""

from __future__ import annotations

import hashlib
import importlib
import sys

import numpy as np
import pytest
from dropout_verify.properties import hypothesis_isolation as isolation
from dropout_verify.properties import verify
from dropout_verify.properties.hypothesis_isolation import isolated_hypothesis, neutral_constants_active
from hypothesis.internal.conjecture import providers


class Recording:
    """The reference's behaviour (a correct numpy dropout), remembering a digest of every input it is called with."""

    convention = "inverted"

    def __init__(self) -> None:
        self.inputs: list[str] = []

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        self.inputs.append(hashlib.sha256(repr((x.shape, x.dtype.str, x.tobytes(), p, seed)).encode()).hexdigest())
        if not training or p == 0:
            return x.copy()
        keep = np.random.default_rng(seed).random(x.shape) < 1.0 - p
        return np.where(keep, (x.astype(np.float64) / (1.0 - p)).astype(x.dtype), x.dtype.type(0))


@pytest.fixture
def local_module_with_constants(tmp_path, monkeypatch):
    """A module outside site-packages, full of float literals Hypothesis would otherwise draw from."""
    # a name of its own per test: Hypothesis notices new modules by the length of sys.modules
    name = f"odd_constants_{hashlib.sha256(str(tmp_path).encode()).hexdigest()[:12]}"
    (tmp_path / f"{name}.py").write_text(
        "VALUES = (0.123456789, 0.987654321, 0.314159265, 0.271828182, 1234.5678, -0.000123456)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield lambda: importlib.import_module(name)
    sys.modules.pop(name, None)


def _inputs_seen(seed_value: int) -> list[str]:
    target = Recording()
    verify(target, tier="quick", seed=seed_value, properties=["kept_values", "inference"])
    return target.inputs


@pytest.mark.skipif(not neutral_constants_active(), reason="this Hypothesis draws no local constants")
def test_importing_a_local_module_does_not_change_what_a_seeded_run_draws(local_module_with_constants):
    before = _inputs_seen(3)
    local_module_with_constants()
    after = _inputs_seen(3)
    assert len(before) > 100
    assert after == before
    assert _inputs_seen(4) != before  # the digests do see a change of seed


@pytest.mark.skipif(not neutral_constants_active(), reason="this Hypothesis draws no local constants")
def test_without_the_isolation_the_same_seed_draws_otherwise(local_module_with_constants, monkeypatch):
    """What the isolation prevents; and afterwards the user's own tests get Hypothesis as it was."""
    stock = providers._get_local_constants
    with isolated_hypothesis():
        assert providers._get_local_constants is not stock
        assert len(providers._get_local_constants().floats) == 0
    assert providers._get_local_constants is stock
    monkeypatch.setattr(isolation, "_LOCAL_CONSTANTS", False)
    before = _inputs_seen(3)
    local_module_with_constants()
    assert 0.123456789 in providers._get_local_constants().floats
    assert _inputs_seen(3) != before
