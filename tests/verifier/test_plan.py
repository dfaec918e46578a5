"""The run's plan and the messages between processes: typed, frozen, complete before any property runs."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from dropout_verify.properties.checks import ALL_CHECKS
from dropout_verify.properties.context import Context
from dropout_verify.properties.messages import CheckAnswer, CheckTask, Failed, ProbeAnswer, ProbeTask
from dropout_verify.properties.plan import Probe, RunPlan, Scope, dtypes_named, probe_dtypes
from dropout_verify.properties.result import PropertyResult, Verdict
from dropout_verify.properties.target import TargetAdapter, load_target
from dropout_verify.properties.tiers import TIERS


def test_the_plan_splits_the_family_alpha_over_every_decision_of_the_battery():
    adapter = TargetAdapter(load_target("reference"), "reference")
    probe = probe_dtypes(adapter)
    assert probe.dtypes == ("float16", "float32", "float64")
    assert [name for name, _ in probe.unsupported] == ["bfloat16"]
    plan = RunPlan.build(TIERS["standard"], probe, adapter.has_backward, ALL_CHECKS)
    scope = Scope(tier=TIERS["standard"], dtypes=dtypes_named(probe.dtypes), has_backward=True)
    assert plan.decisions == sum(check.planned_decisions(scope) for check in ALL_CHECKS) == 66
    assert plan.alpha == pytest.approx(1e-6 / 66)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.alpha = 0.0  # type: ignore[misc]


def test_a_context_cannot_exist_without_its_plan():
    adapter = TargetAdapter(load_target("reference"), "reference")
    with pytest.raises(TypeError):
        Context(target=adapter, tier=TIERS["quick"], run_seed=0)  # type: ignore[call-arg]


def test_a_failed_probe_leaves_no_dtype_and_says_why():
    plan = RunPlan.build(TIERS["quick"], Probe.failed("killed by SIGSEGV"), True, ALL_CHECKS)
    assert plan.dtypes == () and plan.decisions == 0
    assert plan.refused == {"all": "probing the dtypes failed: killed by SIGSEGV"}


def test_messages_survive_the_pipe_and_key_the_answers():
    plan = RunPlan(dtypes=("float32",), unsupported=(("bfloat16", "no"),), alpha=1e-8, decisions=3)
    result = PropertyResult(name="mask_rate", verdict=Verdict.PASS, hypothesis="h", test="t", bug_classes=[2])
    for message in (ProbeTask(), CheckTask("mask_rate", plan), ProbeAnswer(Probe(("float32",))),
                    CheckAnswer(result), Failed("the worker process killed by SIGKILL")):
        assert pickle.loads(pickle.dumps(message)) == message
    answers = {CheckTask("mask_rate", plan): Failed("x")}
    assert answers[pickle.loads(pickle.dumps(CheckTask("mask_rate", plan)))] == Failed("x")
