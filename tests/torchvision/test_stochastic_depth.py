"""Drop-path targets (timm, torchvision): one draw per sample, and the standard battery on timm's, which finds
exactly what expected-findings.toml names; torchvision's shares timm's arithmetic and runs the properties that
tell the two apart (structure and independence across samples) and the rounding one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torchvision")
pytest.importorskip("timm")

from dropout_verify.properties import load_target, verify
from expected_findings import run_against, surprises

EXPECTED = Path(__file__).with_name("expected-findings.toml")
TARGETS = ["timm-droppath", "torchvision-stochastic-depth"]


@pytest.mark.parametrize("name", TARGETS)
def test_one_draw_per_sample_scaled_by_one_over_q(name):
    target = load_target(name)
    y = target.forward(np.ones((512, 3, 4), np.float64), 0.25, training=True, seed=7)
    assert (y == y[:, :1, :1]).all() and set(np.unique(y)) == {0.0, 1 / 0.75}
    _, dx = target.forward_backward(np.ones((512, 3, 4)), np.ones((512, 3, 4)), 0.25, seed=7)
    np.testing.assert_array_equal(dx, y)  # the forward mask, the same scale


def test_timm_standard_battery_finds_exactly_the_expected_findings():
    run = run_against("timm-droppath", EXPECTED, ["kept_values", "backward_mask", "mask_structure", "contract"])
    assert not surprises(run), surprises(run)
    assert run.property("mask_structure").verdict == "pass"


def test_torchvision_row_mode_keeps_samples_whole_and_independent():
    run = verify("torchvision-stochastic-depth", tier="standard", seed=0,
                 properties=["mask_structure", "independence_samples", "mask_rate"])
    assert [prop.verdict for prop in run.properties] == ["pass", "pass", "pass"], run.to_json()
