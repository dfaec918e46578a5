"""Ctrl-C during a run keeps what was measured, marked incomplete; the progress line draws only on a
terminal."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from types import SimpleNamespace

import numpy as np
import pytest
from dropout_verify.properties import verify
from dropout_verify.properties.progress import ProgressLine


class InterruptedAfter:
    """A correct-looking target whose n-th call is interrupted, as by Ctrl-C."""

    def __init__(self, calls: int) -> None:
        self.left = calls

    def forward(self, x, p, *, training, seed):
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt
        return x.copy() if not training else np.where(np.random.default_rng(seed).random(x.shape) < 1 - p,
                                                     x / (1 - p), 0).astype(x.dtype)


def test_an_interrupted_run_returns_what_it_measured_marked_incomplete():
    run = verify(InterruptedAfter(30), tier="quick", interruptible=True)
    assert not run.complete and run.verdict == "fail"
    last = run.properties[-1]
    assert last.verdict == "error" and "interrupted" in last.message
    assert len(run.properties) < 14


def test_without_interruptible_the_interrupt_propagates():
    with pytest.raises(KeyboardInterrupt):
        verify(InterruptedAfter(30), tier="quick")


def _sigint_as_on_a_terminal() -> None:
    """In the child before exec: SIGINT delivered and handled by default, as in a shell on a terminal. A
    process inherits an ignored SIGINT (a shell's background job) and a blocked one (the signal mask of the
    thread that forks); then Python never raises KeyboardInterrupt (the full suite under tox -p saw the CLI
    finish its run despite the signal)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])


@pytest.mark.parametrize("workers", [0, 2])
def test_ctrl_c_in_the_cli_writes_reports_marked_incomplete_and_exits_130(tmp_path, workers):
    # the 40th call sends SIGINT to the dropout-verify process, as Ctrl-C on its terminal would: in a
    # worker (which leaves SIGINT to its parent) that is the parent process
    (tmp_path / "sigint_target.py").write_text(textwrap.dedent(f"""
        import os, signal
        import numpy as np
        calls = 0
        def forward(x, p, *, training, seed):
            global calls
            calls += 1
            if calls == 40:
                os.kill(os.getppid() if {workers} else os.getpid(), signal.SIGINT)
            return x.copy()
    """))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "dropout_verify.properties", "sigint_target:forward", "--tier", "quick",
                          "--workers", str(workers), "--report", str(tmp_path / "report")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
                         preexec_fn=_sigint_as_on_a_terminal)
    assert out.returncode == 130, out.stdout[-1500:] + out.stderr
    assert "INCOMPLETE" in out.stdout and "Traceback" not in out.stderr
    assert "INCOMPLETE" in (tmp_path / "report" / "report.md").read_text().splitlines()[0]
    run = json.loads((tmp_path / "report" / "report.json").read_text())
    assert run["complete"] is False and any("interrupted" in prop["message"] for prop in run["properties"])
    assert not [p for p in (tmp_path / "report").iterdir() if p.name.startswith(".")]  # no temporary left


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_names_the_property_elements_and_time():
    line = ProgressLine(stream=Terminal())
    line.state, line.adapter = ("unbiased", 2, 14), SimpleNamespace(elements=12_500_000)
    text = line.line()
    assert text.startswith("[3/14] unbiased: 12.5M elements, 0:0") and "left" in text


def test_progress_draws_on_a_terminal_and_is_silent_elsewhere():
    for stream, draws in ((Terminal(), True), (io.StringIO(), False)):
        progress = ProgressLine(stream=stream, interval=0.01)
        progress("mask_rate", 0, 14, SimpleNamespace(elements=0))
        deadline = time.monotonic() + 10
        while draws and "mask_rate" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        progress("done", 14, 14, SimpleNamespace(elements=0))
        assert ("[1/14] mask_rate" in stream.getvalue()) is draws

