"""A broken target gives a clear verdict, never a crashed or hung run: each misbehaviour becomes an ``error``
naming the call, the other properties still run, the report is written and the exit code is 1.

Run times are bounded by subprocess timeouts (a hang would fail the test), not asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import misbehaving
import pytest
from dropout_verify.properties import verify
from dropout_verify.reports.summary import literal

HERE = Path(__file__).parent
# mask_rate and edge_rates make the large calls the targets misbehave on; inference makes small ones
PROPERTIES = "mask_rate,inference,edge_rates"
CASES = {
    "raises_sometimes": "raised RuntimeError('kernel launch failed')",
    "wrong_shape": "returned shape",
    "wrong_type": "not array-like",
    "returns_none": "returned shape ()",
    "makes_nan": "returned NaN at 1 positions where the input was finite",
    "hangs": "did not return within 3 s; the call was abandoned",
    "aborts": "the worker process killed by SIGABRT during forward(dtype=",
    "segfaults": "the worker process killed by SIGSEGV during forward(dtype=",
}


JUDGED = {"makes_nan": "fail"}  # the misbehaviours that are findings rather than calls the harness cannot judge


def run_cli(tmp_path: Path, target: str, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "dropout_verify.properties", f"misbehaving:{target}", "--tier", "quick",
         "--properties", PROPERTIES, "--report", str(tmp_path / "report"), *options],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)


@pytest.mark.parametrize("target", list(CASES))
def test_misbehaving_target_is_an_error_naming_the_call_and_the_run_finishes(tmp_path, target):
    # only the hanging target gets a short limit: it blocks on an event that is never set, so any limit sees
    # it, while a call that is merely slow on a loaded machine must never be mistaken for a hang
    limit = ["--call-timeout", "3"] if target == "hangs" else []
    out = run_cli(tmp_path, target, "--workers", "2", *limit)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    run = json.loads((tmp_path / "report" / "report.json").read_text())
    verdicts = {prop["name"]: prop["verdict"] for prop in run["properties"]}
    # NaN for a finite input is a wrong value, a finding about the target (fail); the rest cannot be judged
    judged = JUDGED.get(target, "error")
    assert verdicts == {"mask_rate": judged, "inference": "pass", "edge_rates": judged}, verdicts
    message = next(prop["message"] for prop in run["properties"] if prop["name"] == "mask_rate")
    assert CASES[target] in message and "\n" not in message
    assert "p=" in message and "seed=" in message and "shape=" in message  # the call, named
    # report.md quotes the target's message as literal Markdown
    assert literal(CASES[target].split(" (")[0]) in (tmp_path / "report" / "report.md").read_text()


def test_a_target_that_always_raises_errors_every_property_with_the_reason(tmp_path):
    out = run_cli(tmp_path, "raises_always", "--workers", "1")
    assert out.returncode == 1
    run = json.loads((tmp_path / "report" / "report.json").read_text())
    assert {prop["verdict"] for prop in run["properties"] if prop["name"] != "inference"} == {"error"}
    assert all("not implemented for this device" in prop["message"] for prop in run["properties"]
               if prop["verdict"] == "error")


@pytest.mark.parametrize("target", ["raises_sometimes", "wrong_shape", "wrong_type", "returns_none", "makes_nan"])
def test_in_process_the_same_misbehaviours_are_errors_too(target):
    run = verify(getattr(misbehaving, target), tier="quick", properties=PROPERTIES.split(","))
    assert run.property("mask_rate").verdict == JUDGED.get(target, "error")
    assert CASES[target] in run.property("mask_rate").message
    assert run.property("inference").verdict == "pass"


def test_one_and_two_workers_give_the_same_json_as_in_process():
    runs = [verify("reference", tier="quick", seed=3, workers=workers).to_json(timings=False) for workers in (0, 1, 2)]
    assert runs[0] == runs[1] == runs[2]


def test_an_object_that_cannot_be_pickled_is_refused_for_workers_with_a_clear_error():
    def local_target(x, p, *, training, seed):
        return x.copy()

    with pytest.raises(ValueError, match="cannot be sent to a worker process"):
        verify(local_target, tier="quick", workers=1)
    assert verify(local_target, tier="quick", workers=0, properties=["inference"]).verdict == "pass"


def _descendants(pid: int) -> set[int]:
    """Processes whose parent chain leads to ``pid`` (read from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_workers_die_with_a_run_that_is_killed(tmp_path):
    # a CI job that times out sends SIGKILL: the worker, asleep in the target's call, must not outlive it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    cli = subprocess.Popen([sys.executable, "-m", "dropout_verify.properties", "misbehaving:hangs", "--tier", "quick",
                            "--properties", "mask_rate", "--workers", "1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not _descendants(cli.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = _descendants(cli.pid)
        assert workers, "the CLI started no worker"
        time.sleep(3)  # the worker is now inside the hanging call
    finally:
        cli.kill()
        cli.wait()
    deadline = time.monotonic() + 30
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = {pid for pid in workers if Path(f"/proc/{pid}").exists()
                 and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]}
    assert not alive, f"workers {sorted(alive)} outlived the killed run"


def test_a_target_that_writes_into_its_input_is_an_error_naming_the_call_and_contract_fails():
    # the harness reuses its inputs (unbiased: one input for every rate); a write into them would corrupt
    # later calls and the sample sizes computed from them, so inputs are passed read-only
    import dropout_zoo

    run = verify(dropout_zoo.ModifiesInput(), tier="quick", seed=0, workers=0)
    verdicts = {prop.name: prop.verdict for prop in run.properties}
    assert verdicts["contract"] == "fail" and "the input was modified" in run.property("contract").message
    for name in ("mask_rate", "unbiased", "independence_elements", "edge_rates"):
        assert verdicts[name] == "error", name
        assert "wrote into its input" in run.property(name).message and "forward(dtype=" in run.property(name).message
