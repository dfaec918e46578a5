"""Harness overhead: the battery's wall time over the time spent inside target calls, on the reference at
the standard tier (the issue's bar is 1.5), in this process and with two worker processes. The time
inside target calls is what the run itself records (``RunResult.target_seconds``, summed over workers)."""

from __future__ import annotations

import time

import pytest
from dropout_verify.properties import verify


@pytest.mark.parametrize("workers", [0, 2])
def test_battery_overhead_on_the_reference(benchmark, workers):
    benchmark.group = "harness overhead"
    began = time.perf_counter()
    run = benchmark.pedantic(verify, args=("reference",), kwargs={"tier": "standard", "workers": workers},
                             rounds=1, iterations=1)
    wall = time.perf_counter() - began
    assert run.verdict == "pass"
    benchmark.extra_info.update(impl=f"battery-workers-{workers}", workers=workers, wall_seconds=wall,
                                target_seconds=run.target_seconds, overhead_ratio=wall / run.target_seconds)
