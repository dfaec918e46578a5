"""Time to a verdict on the built-in framework targets: the standard battery's wall time, beside the time inside
target calls and the number of calls per property, and the floor: the framework's own time for one 2^20-element
call, measured in the same test. A framework that is not installed skips its targets (tox -e bench-frameworks
installs them all)."""

from __future__ import annotations

import statistics
import time

import numpy as np
import pytest
from dropout_verify.properties import TargetLoadError, load_target, verify
from dropout_verify.properties.target import BUILTIN_TARGETS

FRAMEWORK_TARGETS = [name for name in BUILTIN_TARGETS if not name.startswith("reference")]
FLOOR_ELEMENTS = 2**20
FLOOR_P = 0.1
WORKERS = 2  # this machine's cores, as the CLI's default for a standard run here


def floor_seconds(target: object) -> float:
    """Median time of the target's own training forward on 2^20 float32 elements (shaped (16, 64, 32, 32) for
    a structured target), after two warm-up calls that pay any compile."""
    shape = (16, 64, 32, 32) if getattr(target, "ndim", None) == 4 else (FLOOR_ELEMENTS,)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    times = []
    for call in range(7):
        began = time.perf_counter()
        target.forward(x, FLOOR_P, training=True, seed=call)  # type: ignore[attr-defined]
        if call >= 2:
            times.append(time.perf_counter() - began)
    return statistics.median(times)


@pytest.mark.parametrize("name", FRAMEWORK_TARGETS)
def test_standard_battery_on_a_framework_target(benchmark, name, tmp_path, monkeypatch):
    # a cold start: Inductor's on-disk cache of compiled kernels, kept across runs, would hide torch-compile's
    # compiles (the worker processes inherit the variable)
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "inductor-cache"))
    try:
        target = load_target(name)
    except TargetLoadError as error:
        pytest.skip(str(error))
    floor = floor_seconds(target)
    benchmark.group = "standard battery on framework targets"
    began = time.perf_counter()
    run = benchmark.pedantic(verify, args=(name,), kwargs={"tier": "standard", "seed": 0, "workers": WORKERS},
                             rounds=1, iterations=1)
    wall = time.perf_counter() - began
    assert run.complete
    by_property = {
        prop.name: {"wall_seconds": round(prop.seconds, 2), "target_seconds": round(prop.target_seconds, 2),
                    "target_calls": prop.target_calls, "first_call_seconds": round(prop.first_call_seconds, 2),
                    "first_calls": prop.first_calls}
        for prop in run.properties
    }
    benchmark.extra_info.update(
        impl=name, workers=WORKERS, wall_seconds=wall, target_seconds=run.target_seconds,
        target_calls=sum(prop.target_calls for prop in run.properties), first_call_seconds=run.first_call_seconds,
        floor_seconds=floor,
        wall_over_floor=wall / floor, properties=by_property, verdict=str(run.verdict),
    )
