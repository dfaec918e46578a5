"""Harness overhead: the battery's wall time over the time spent inside target calls, on the reference at
the standard tier (the issue's bar is 1.5), in this process and with two worker processes."""

from __future__ import annotations

import time

import pytest

from properties import verify
from properties.target import TargetAdapter


@pytest.mark.parametrize("workers", [0, 2])
def test_battery_overhead_on_the_reference(benchmark, monkeypatch, workers):
    inside: list[float] = []
    original = TargetAdapter._call

    def timed(self, *args, **kwargs):
        began = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            inside.append(time.perf_counter() - began)

    monkeypatch.setattr(TargetAdapter, "_call", timed)  # in-process only: workers time their own calls
    began = time.perf_counter()
    run = benchmark.pedantic(verify, args=("reference",), kwargs={"tier": "standard", "workers": workers},
                             rounds=1, iterations=1)
    wall = time.perf_counter() - began
    assert run.verdict == "pass"
    benchmark.extra_info.update(impl=f"battery-workers-{workers}", wall_seconds=wall)
    if not workers:
        benchmark.extra_info.update(target_seconds=sum(inside), overhead_ratio=wall / sum(inside))
