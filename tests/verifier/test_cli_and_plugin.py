"""The command line and the pytest plugin, as a user runs them: exit codes, output, files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from dropout_verify.properties import TargetLoadError, load_target, verify

ZOO_PATH = str(Path(__file__).resolve().parents[1] / "zoo")


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": ZOO_PATH + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def test_cli_passes_the_reference_and_writes_json_and_report(tmp_path):
    out = _run("-m", "dropout_verify.properties", "reference", "--tier", "quick", "--json", str(tmp_path / "run.json"),
               "--report", str(tmp_path / "report"))
    assert out.returncode == 0, out.stderr
    assert "mask_rate" in out.stdout and "verdict: pass" in out.stdout
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["verdict"] == "pass" and run["tier"] == "quick" and run["seed"] == 0
    for prop in run["properties"]:
        assert {"name", "verdict", "p_value", "samples", "alpha", "power", "effect_size", "estimate", "ci",
                "message", "cases"} <= set(prop)
    assert (tmp_path / "report" / "report.json").exists()
    assert "# dropout-verify: reference" in (tmp_path / "report" / "report.md").read_text()


def test_cli_fails_a_broken_target_with_exit_1_and_names_the_property():
    out = _run("-m", "dropout_verify.properties", "dropout_zoo:KeepDropSwapped", "--tier", "quick",
               "--properties", "mask_rate")
    assert out.returncode == 1
    line = next(line for line in out.stdout.splitlines() if line.startswith("mask_rate"))
    assert "fail" in line and "keep rate" in line


@pytest.mark.parametrize("args", [["no-such-target"], ["no_such_module:thing"], ["dropout_zoo:Nothing"],
                                  ["reference", "--properties", "no_such_property"], ["reference", "--seed", "-1"]])
def test_usage_errors_exit_2_with_one_line_and_no_traceback(args):
    out = _run("-m", "dropout_verify.properties", *args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_same_seed_gives_the_same_json_apart_from_timings():
    first = verify("reference", tier="quick", seed=5).to_json(timings=False)
    again = verify("reference", tier="quick", seed=5).to_json(timings=False)
    other = verify("reference", tier="quick", seed=6).to_json(timings=False)
    assert first == again
    assert first != other


def test_load_target_accepts_objects_classes_factories_and_functions():
    assert load_target("dropout_zoo:Correct").convention == "inverted"  # a class
    assert hasattr(load_target("reference"), "forward_backward")
    with pytest.raises(TargetLoadError, match="unknown target"):
        load_target("nope")

    def plain(x, p, *, training, seed):
        return x

    run = verify(plain, tier="quick", properties=["inference"])
    assert run.property("inference").verdict == "pass"


def test_pytest_plugin_adds_one_item_per_property(tmp_path):
    out = _run("-m", "pytest", "-p", "no:cacheprovider", "--dropout-target=reference", "--dropout-tier=quick",
               "-q", cwd=tmp_path)
    assert out.returncode == 0, out.stdout[-2000:]
    assert "13 passed, 2 skipped" in out.stdout  # mask_structure (elementwise) and noise_law (bernoulli)


def test_pytest_plugin_refuses_a_distributed_target_by_name(tmp_path):
    out = _run("-m", "pytest", "-p", "no:cacheprovider", "--dropout-target=ranks_zoo:RankOffsetSeeds",
               "--dropout-tier=quick", "-q", "-k", "mask_rate", cwd=tmp_path)
    assert out.returncode == 1 and "is a distributed target (forward_ranks)" in out.stdout, out.stdout[-2000:]


def test_pytest_plugin_under_xdist_gives_the_same_verdicts(tmp_path):
    pytest.importorskip("xdist")
    args = ("-m", "pytest", "-p", "no:cacheprovider", "--dropout-target=dropout_zoo:LowPrecisionScale",
            "--dropout-tier=quick", "-q")
    alone = _run(*args, f"--junitxml={tmp_path / 'alone.xml'}", cwd=tmp_path)
    spread = _run(*args, "-n", "2", f"--junitxml={tmp_path / 'spread.xml'}", cwd=tmp_path)
    assert alone.returncode == spread.returncode == 1
    assert "bringing up nodes" in spread.stdout  # xdist did spread the items

    def verdicts(path: Path) -> dict[str, str]:
        cases = ET.parse(path).getroot().iter("testcase")
        return {case.get("name"): next((child.tag for child in case if child.tag in ("failure", "error", "skipped")),
                                       "passed") for case in cases}

    alone_verdicts = verdicts(tmp_path / "alone.xml")
    assert alone_verdicts == verdicts(tmp_path / "spread.xml")
    assert len(alone_verdicts) == 15
    assert alone_verdicts["kept_values"] == "failure"


def test_pytest_plugin_reports_a_failing_property(tmp_path):
    out = _run("-m", "pytest", "-p", "no:cacheprovider", "--dropout-target=dropout_zoo:GlobalRng",
               "--dropout-tier=quick", "-q", cwd=tmp_path)
    assert out.returncode == 1
    assert "seed_reproducibility fail" in out.stdout


@pytest.mark.parametrize("workers", ["0", "2"])
def test_the_cli_leaves_the_working_directory_as_it_found_it(tmp_path, workers):
    # Hypothesis caches in .hypothesis/ under the working directory unless told otherwise
    out = subprocess.run([sys.executable, "-m", "dropout_verify.properties", "reference", "--tier", "quick",
                          "--properties", "kept_values,inference,backward_mask", "--workers", workers],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_pytest_plugin_isolates_a_segfaulting_target_and_selects_with_k(tmp_path):
    # the property's calls run in a worker process: a segfault fails its item, the session goes on
    harness = Path(__file__).resolve().parents[1] / "harness"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(harness), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--dropout-target=misbehaving:segfaults",
         "--dropout-tier=quick", "-k", "mask_rate or inference", "-rA", "--junitxml", str(tmp_path / "j.xml")],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert out.returncode == 1, out.stdout[-3000:]
    assert "1 failed, 1 passed, 13 deselected" in out.stdout
    assert "FAILED dropout-verify/misbehaving:segfaults::mask_rate" in out.stdout
    assert "PASSED dropout-verify/misbehaving:segfaults::inference" in out.stdout
    assert "killed by SIGSEGV" in out.stdout


def test_pytest_plugin_maps_expected_findings_to_xfail_and_a_fixed_one_to_a_strict_failure(tmp_path):
    (tmp_path / "expected.toml").write_text(
        '[[finding]]\nproperty = "mask_rate"\nreason = "swapped on purpose"\n'
        '[[finding]]\nproperty = "inference"\nreason = "nothing to find"\n', encoding="utf-8")
    args = ("-m", "pytest", "-p", "no:cacheprovider", "--dropout-target=dropout_zoo:KeepDropSwapped",
            "--dropout-tier=quick", "-k", "mask_rate or inference", f"--dropout-expect={tmp_path / 'expected.toml'}",
            "-rA")
    lenient = _run(*args, cwd=tmp_path)
    assert lenient.returncode == 0, lenient.stdout[-3000:]
    assert "1 passed, 13 deselected, 1 xfailed" in lenient.stdout and "swapped on purpose" in lenient.stdout
    strict = _run(*args, "--dropout-strict-expect", cwd=tmp_path)
    assert strict.returncode == 1 and "1 failed, 13 deselected, 1 xfailed" in strict.stdout
    assert "expected finding #2 inference no longer fails (strict): remove it" in strict.stdout
    typo = _run(*args[:-2], "--dropout-expect=missing.toml", cwd=tmp_path)
    assert typo.returncode == 4 and "cannot read expected findings" in typo.stderr
