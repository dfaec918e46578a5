"""Expected findings (--expect) and graded verdicts (deviation): a known finding passes the run, a fixed one is
reported (and fails under --strict-expect), a file with a typo is refused, and an immaterial finding is a
deviation that fails only a strict run."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from dropout_verify.properties import verify
from dropout_verify.properties.checks import ALL_CHECKS
from dropout_verify.properties.expectations import ExpectationError, Expectations, Status
from dropout_verify.properties.result import Verdict
from dropout_zoo import KeepDropSwapped, LowPrecisionScale

KNOWN = tuple(check.name for check in ALL_CHECKS)
HERE = Path(__file__).resolve().parent
ZOO = HERE.parent / "zoo"


def expect_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "expected.toml"
    path.write_text(text, encoding="utf-8")
    return path


SWAPPED = '''
[[finding]]
property = "mask_rate"
reason = "the zoo's KeepDropSwapped keeps with probability p"
link = "https://example.org/issue/1"
'''


def test_an_expected_finding_is_xfail_and_the_run_passes(tmp_path):
    run = verify(KeepDropSwapped(), tier="quick", properties=["mask_rate", "inference"],
                 expect=expect_file(tmp_path, SWAPPED))
    prop = run.property("mask_rate")
    assert prop.verdict == Verdict.XFAIL and run.verdict == Verdict.PASS
    assert all(case.expected == "the zoo's KeepDropSwapped keeps with probability p" for case in prop.findings)
    (outcome,) = run.expectations
    assert outcome.status == Status.MATCHED and outcome.cases == len(prop.findings) > 0
    data = json.loads(run.to_json())
    assert data["verdict"] == "pass" and data["expectations"][0]["status"] == "matched"
    assert data["expectations"][0]["link"] == "https://example.org/issue/1"


def test_an_expected_finding_that_no_longer_fails_is_reported_fixed_and_fails_a_strict_run(tmp_path):
    path = expect_file(tmp_path, SWAPPED)
    lenient = verify("reference", tier="quick", properties=["mask_rate"], expect=path)
    assert lenient.verdict == Verdict.PASS and [o.status for o in lenient.expectations] == [Status.FIXED]
    strict = verify("reference", tier="quick", properties=["mask_rate"], expect=path, strict_expect=True)
    assert strict.verdict == Verdict.FAIL and strict.fixed


def test_an_entry_for_a_property_not_run_or_another_target_is_neither_matched_nor_fixed(tmp_path):
    text = SWAPPED + '''
[[finding]]
property = "kept_values"
targets = ["torch*"]
reason = "another target's finding"
'''
    run = verify("reference", tier="quick", properties=["inference"], expect=expect_file(tmp_path, text),
                 strict_expect=True)
    assert [outcome.status for outcome in run.expectations] == [Status.NOT_RUN]  # the torch entry does not apply
    assert run.verdict == Verdict.PASS


def test_only_the_named_cases_are_expected_and_the_rest_still_fail(tmp_path):
    text = '''
[[finding]]
property = "mask_rate"
dtype = "float32"
p = [0.1]
verdict = "fail"
message = "keep rate"
reason = "only float32 at p = 0.1"
'''
    run = verify(KeepDropSwapped(), tier="quick", properties=["mask_rate"], expect=expect_file(tmp_path, text))
    prop = run.property("mask_rate")
    expected = [case for case in prop.findings if case.expected]
    assert [(case.dtype, case.p) for case in expected] == [("float32", 0.1)]
    assert prop.verdict == Verdict.FAIL and run.verdict == Verdict.FAIL
    assert "dtype=float32, p=0.1" not in prop.message  # the headline is a finding nobody expected


@pytest.mark.parametrize(("text", "match"), [
    ('[[finding]]\nproperty = "mask_rates"\nreason = "typo"\n', "property 'mask_rates' is not one of"),
    ('[[finding]]\nproperty = "mask_rate"\n', "a reason is required"),
    ('[[finding]]\nproperty = "mask_rate"\nreason = "r"\ndtype = "float8"\n', "dtype"),
    ('[[finding]]\nproperty = "mask_rate"\nreason = "r"\np = 1.5\n', "p must be a rate"),
    ('[[finding]]\nproperty = "mask_rate"\nreason = "r"\nverdict = "xfail"\n', "verdict 'xfail' is not one of"),
    ('[[finding]]\nproperty = "mask_rate"\nreason = "r"\nmessage = "("\n', "not a regular expression"),
    ('[[finding]]\nproperty = "mask_rate"\nreason = "r"\ndtypes = "float32"\n', "unknown keys \\['dtypes'\\]"),
    ('[findings]\nproperty = "mask_rate"\n', "unknown top-level keys"),
    ('[[finding]\n', "cannot read expected findings"),
])
def test_a_file_the_battery_could_never_match_is_refused_naming_the_entry(tmp_path, text, match):
    with pytest.raises(ExpectationError, match=match):
        Expectations.load(expect_file(tmp_path, text), KNOWN)


def test_a_missing_file_is_refused():
    with pytest.raises(ExpectationError, match="cannot read"):
        Expectations.load("/nonexistent/expected.toml", KNOWN)


def test_the_cli_writes_an_expect_file_that_makes_the_same_run_pass(tmp_path):
    env_path = f"{ZOO}"
    base = [sys.executable, "-m", "dropout_verify.properties", "dropout_zoo:KeepDropSwapped", "--tier", "quick",
            "--properties", "mask_rate,inference", "--workers", "0"]
    env = {"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"}
    written = tmp_path / "expected.toml"
    first = subprocess.run([*base, "--write-expect", str(written)], capture_output=True, text=True, env=env,
                           timeout=600)
    assert first.returncode == 1, first.stderr
    text = written.read_text()
    # one entry per failing case: every dtype and rate of mask_rate, nothing of inference (which passes)
    assert text.count("[[finding]]") == text.count('property = "mask_rate"') >= 6
    assert 'targets = "dropout_zoo:KeepDropSwapped"' in text
    # as written, the entries have a placeholder reason: a team edits it, and the file is accepted as it is
    second = subprocess.run([*base, "--expect", str(written), "--strict-expect"], capture_output=True, text=True,
                            env=env, timeout=600)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "mask_rate                xfail" in second.stdout and "matched" in second.stdout
    bad = subprocess.run([*base, "--expect", str(tmp_path / "missing.toml")], capture_output=True, text=True,
                         env=env, timeout=600)
    assert bad.returncode == 2 and "cannot read expected findings" in bad.stderr


@pytest.fixture(scope="module")
def low_precision_run():
    return verify(LowPrecisionScale(), tier="standard", seed=0, properties=["kept_values"])


def test_an_immaterial_rounding_finding_is_a_deviation_and_a_material_one_fails(low_precision_run):
    cases = {(case.dtype, case.p): case for case in low_precision_run.property("kept_values").cases}
    assert cases[("float64", 0.1)].verdict == Verdict.DEVIATION and cases[("float64", 0.1)].effect < 1e-15
    assert cases[("float16", 0.1)].verdict == Verdict.FAIL and cases[("float16", 0.1)].effect > 1e-4
    # the property's headline is its most serious finding: a failure, the largest effect first
    assert low_precision_run.property("kept_values").verdict == Verdict.FAIL


class WideScaleRounded(LowPrecisionScale):
    """LowPrecisionScale that supports float32 and float64 only: its one finding is immaterial."""

    def forward(self, x, p, *, training, seed):
        if x.dtype not in (np.float32, np.float64):
            raise TypeError(f"{x.dtype} is not supported")
        return super().forward(x, p, training=training, seed=seed)


def test_deviations_alone_pass_unless_strict():
    run = verify(WideScaleRounded(), tier="quick", properties=["kept_values"])
    assert run.property("kept_values").verdict == Verdict.DEVIATION
    assert run.verdict == Verdict.DEVIATION and not run.verdict.bad
    strict = verify(WideScaleRounded(), tier="quick", properties=["kept_values"], strict=True)
    assert strict.verdict == Verdict.FAIL
    zero = verify(WideScaleRounded(), tier="quick", properties=["kept_values"], deviation_tolerance=0.0)
    assert zero.property("kept_values").verdict == Verdict.FAIL


@pytest.mark.parametrize("tolerance", [-1e-6, 1.0, float("nan"), "1e-6", True])
def test_a_tolerance_outside_0_1_is_refused(tolerance):
    with pytest.raises(ValueError, match="deviation tolerance"):
        verify("reference", tier="quick", properties=["inference"], deviation_tolerance=tolerance)


def test_a_design_beyond_the_cap_is_an_error_not_a_run_of_hours():
    from dropout_verify.properties.context import Context
    from dropout_verify.properties.limits import MAX_CALLS_PER_DESIGN, DesignTooLarge
    from dropout_verify.properties.plan import Probe, RunPlan
    from dropout_verify.properties.target import TargetAdapter, load_target
    from dropout_verify.properties.tiers import TIERS

    adapter = TargetAdapter(load_target("reference"), "reference")
    plan = RunPlan.build(TIERS["quick"], Probe(("float32",)), adapter.has_backward, ALL_CHECKS)
    ctx = Context(target=adapter, tier=TIERS["quick"], run_seed=0, plan=plan)
    assert len(list(ctx.call_seeds(1000, "unbiased", "float32"))) == 1000
    with pytest.raises(DesignTooLarge, match="unbiased/float32 asks for 1,048,577 target calls"):
        ctx.call_seeds(MAX_CALLS_PER_DESIGN + 1, "unbiased", "float32")


def textbook_dropout(x, p, *, training, seed):
    """The course-book inverted dropout with numpy 2: keep_prob rounded to the array's dtype, then
    ``a3 = x * d3; a3 /= keep_prob`` (0/0 is NaN where keep_prob rounds to 0)."""
    if not training:
        return np.array(x, copy=True)
    keep_prob = x.dtype.type(1 - p)
    d3 = np.random.default_rng(seed).random(x.shape) < keep_prob
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        a3 = x * d3
        a3 /= keep_prob
    return a3


def test_a_wrong_value_is_a_failure_and_the_headline_names_the_most_serious_finding():
    run = verify(textbook_dropout, tier="standard", seed=0, properties=["kept_values", "edge_rates"])
    kept = run.property("kept_values")
    verdicts = {(case.dtype, case.p): case.verdict for case in kept.cases if case.p is not None}
    assert kept.verdict == Verdict.FAIL  # judged, not an error: the rounding bias is a finding about the target
    assert verdicts[("float16", 0.1)] == Verdict.FAIL and verdicts[("float32", 0.1)] == Verdict.DEVIATION
    # a NaN the rule meets (Hypothesis may draw p = 0.999999999, where keep_prob rounds to 0) has effect inf
    # and leads; otherwise the bfloat16 rounding, the largest measured effect
    worst = max((case for case in kept.findings if case.verdict == Verdict.FAIL),
                key=lambda case: math.inf if case.effect is None else case.effect)
    assert kept.message.startswith(f"{worst.where}: ")
    # p = 1: keep_prob is 0 and every element 0/0 = NaN, a wrong value: a failure, not an error
    edge = run.property("edge_rates")
    assert edge.verdict == Verdict.FAIL and "returned NaN" in edge.message
    assert not any(case.verdict == Verdict.ERROR for case in edge.cases)


def test_an_error_of_a_whole_property_can_be_expected_by_property_verdict_and_message(tmp_path):
    import misbehaving

    text = '''
[[finding]]
property = "mask_rate"
verdict = "error"
message = "accepted none of the dtypes"
reason = "this target refuses every dtype"

[[finding]]
property = "inference"
verdict = "error"
dtype = "float32"
reason = "a dtype cannot name an error of the whole property"
'''
    run = verify(misbehaving.raises_always, tier="quick", properties=["mask_rate", "inference"],
                 expect=expect_file(tmp_path, text))
    mask_rate = run.property("mask_rate")
    assert not mask_rate.cases and mask_rate.verdict == Verdict.XFAIL
    assert mask_rate.expected == "this target refuses every dtype"
    assert [outcome.status for outcome in run.expectations] == [Status.MATCHED, Status.UNDECIDED]
    assert run.property("inference").verdict == Verdict.ERROR and run.verdict == Verdict.FAIL
