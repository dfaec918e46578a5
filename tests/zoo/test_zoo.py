"""The verifier catches every class of bug-classes.md, each by the property that guards it, and passes
correct implementations written differently from the reference. All at the standard tier, seed 0."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from dropout_verify.properties import verify
from dropout_zoo import AIMED as BERNOULLI_AIMED
from dropout_zoo import CORRECT as BERNOULLI_CORRECT
from dropout_zoo import ZOO as BERNOULLI_ZOO
from family_zoo import FAMILY_AIMED, FAMILY_CORRECT, FAMILY_ZOO
from ranks_zoo import RANKS_CORRECT, RANKS_ZOO

ZOO = {**BERNOULLI_ZOO, **FAMILY_ZOO}
CORRECT = [*BERNOULLI_CORRECT, *FAMILY_CORRECT]
AIMED = {**BERNOULLI_AIMED, **FAMILY_AIMED}


def test_the_zoo_covers_every_bug_class_and_several_of_3_5_7():
    counts = Counter([bug for bug, _ in ZOO.values()] + [bug for bug, _, _ in RANKS_ZOO.values()])
    assert set(counts) == set(range(1, 23))
    assert all(counts[bug] >= 2 for bug in (3, 5, 7, 18, 19, 20, 21))


@pytest.mark.slow
@pytest.mark.parametrize("broken", list(ZOO), ids=lambda cls: f"class{ZOO[cls][0]}-{cls.__name__}")
def test_broken_target_fails_the_property_that_guards_it(broken):
    bug, prop = ZOO[broken]
    run = verify(broken(), tier="standard", seed=0, properties=[prop])
    result = run.property(prop)
    assert result.verdict == "fail", f"class {bug} ({broken.__doc__}) was not caught by {prop}: {result.message}"
    assert result.message
    assert AIMED.get(broken, "") in result.message, result.message
    assert run.verdict == "fail"


@pytest.mark.slow
@pytest.mark.parametrize("correct", CORRECT, ids=lambda cls: cls.__name__)
def test_correct_variant_passes_the_whole_standard_battery(correct):
    run = verify(correct(), tier="standard", seed=0)
    bad = {prop.name: prop.message for prop in run.properties if prop.verdict in ("fail", "error")}
    assert not bad, bad
    assert run.verdict == "pass"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["reference", "reference-classic", "reference-alpha", "reference-gaussian"])
def test_reference_passes_the_whole_standard_battery(name):
    run = verify(name, tier="standard", seed=0)
    bad = {prop.name: prop.message for prop in run.properties if prop.verdict in ("fail", "error")}
    assert not bad, bad
    assert json.loads(run.to_json())["verdict"] == "pass"


@pytest.mark.slow
@pytest.mark.parametrize("broken", list(RANKS_ZOO), ids=lambda cls: cls.__name__)
def test_broken_distributed_target_fails_the_rank_property_that_guards_it(broken):
    _, prop, aimed = RANKS_ZOO[broken]
    run = verify(broken(), tier="quick", seed=0)  # each defect is gross: the quick tier's sample finds it
    result = run.property(prop)
    assert result.verdict == "fail" and aimed in result.message, result.message
    assert run.verdict == "fail"


@pytest.mark.slow
@pytest.mark.parametrize("correct", RANKS_CORRECT, ids=lambda cls: cls.__name__)
def test_correct_distributed_target_passes_the_rank_battery(correct):
    run = verify(correct(), tier="standard", seed=0)
    assert run.verdict == "pass", [(prop.name, prop.message) for prop in run.properties]
