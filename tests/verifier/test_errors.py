"""A target that raises gives the verdict 'error' naming the call, and the rest of the battery runs."""

from __future__ import annotations

import numpy as np
from dropout_verify.properties import verify
from dropout_verify.properties.checks import ALL_CHECKS


class RaisesOnLargeFloat32:
    """Correct, but raises for float32 inputs of more than 10**5 elements (a kernel with a size limit)."""

    def forward(self, x, p, *, training, seed):
        if x.dtype == np.float32 and x.size > 10**5:
            raise RuntimeError("no large float32 kernel")
        from dropout_verify.dropout_core import dropout_forward

        return dropout_forward(x, p, rng=np.random.default_rng(seed), training=training)[0]


def test_a_raising_call_is_an_error_that_names_the_call_and_the_run_goes_on():
    run = verify(RaisesOnLargeFloat32(), tier="quick", properties=["mask_rate", "seed_reproducibility"])
    assert run.property("mask_rate").verdict == "error"
    assert run.property("seed_reproducibility").verdict == "pass"
    assert "forward(dtype=float32" in run.property("mask_rate").message
    assert "no large float32 kernel" in run.property("mask_rate").message
    passed = [case for case in run.property("mask_rate").cases if case.verdict == "pass"]
    assert {case.dtype for case in passed} >= {"float16", "float64"}
    assert run.verdict == "fail"


def test_a_property_that_crashes_is_an_error_not_a_pass(monkeypatch):
    check = next(c for c in ALL_CHECKS if c.name == "seed_reproducibility")

    def boom(ctx, result):
        raise ZeroDivisionError("inside the property")

    monkeypatch.setattr(check, "run", boom)
    run = verify("reference", tier="quick", properties=["seed_reproducibility", "invalid_rate"])
    assert run.property("seed_reproducibility").verdict == "error"
    assert "ZeroDivisionError" in run.property("seed_reproducibility").message
    assert run.property("invalid_rate").verdict == "pass"


def test_a_rate_that_returns_nan_instead_of_raising_counts_as_accepted():
    # torch.compile's F.dropout returns NaN for p = NaN: the call did not raise, so the rate was accepted
    def nan_for_nan(x, p, *, training, seed):
        if p != p:
            return np.full_like(x, np.nan)
        if not 0 <= p <= 1:
            raise ValueError(f"bad p {p}")
        return x.copy()

    run = verify(nan_for_nan, tier="quick", properties=["invalid_rate"])
    assert run.property("invalid_rate").verdict == "fail"
    assert "accepted p = nan" in run.property("invalid_rate").message


class RefusesPOne:
    """Correct, and refuses p = 1 in both modes, as MLX and eager Haiku do (``edge_rates`` accepts it)."""

    refuse_in_training = True

    def forward(self, x, p, *, training, seed):
        if p == 1.0 and (training is False or self.refuse_in_training):
            raise ValueError("p must be in [0, 1)")
        from dropout_verify.dropout_core import dropout_forward

        return dropout_forward(x, p, rng=np.random.default_rng(seed), training=training)[0]


class RefusesPOneAtInferenceOnly(RefusesPOne):
    """Broken: returns zeros at p = 1 in training but raises at inference, where p plays no part."""

    refuse_in_training = False


def test_refusing_p_one_at_inference_passes_when_training_refuses_it_too():
    run = verify(RefusesPOne(), tier="quick", properties=["inference", "edge_rates"])
    assert run.property("inference").verdict == "pass"
    assert run.property("edge_rates").key_estimate == "p = 1 raises"


def test_refusing_p_one_only_at_inference_is_an_error_naming_the_call():
    run = verify(RefusesPOneAtInferenceOnly(), tier="quick", properties=["inference"])
    assert run.property("inference").verdict == "error"
    assert "p=1.0" in run.property("inference").message and "training=False" in run.property("inference").message
