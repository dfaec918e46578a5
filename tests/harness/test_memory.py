"""Statistics accumulate in chunks: ten times the samples must not take more memory (tracemalloc peaks of
the same properties at two sample sizes 10x apart). Not a timed assertion, and not RSS: tracemalloc sees
every numpy buffer the battery allocates."""

from __future__ import annotations

import dataclasses
import math
import tracemalloc

import pytest
from dropout_verify.properties import verify
from dropout_verify.properties.tiers import TIERS

# the smaller run already makes full-size calls (CALL_ELEMENTS), so both peaks include the same call buffers
SMALL = dataclasses.replace(TIERS["quick"], name="memory-small", rate_ps=(0.5,), unbiased_ps=(0.5,),
                            independence_ps=(0.5,), rate_delta=0.003)
# every statistical sample size grows as 1/effect**2: dividing the effects by sqrt(10) makes it 10x (the
# quick tier's pair tests need less than one call, so their effect is divided by 10 to reach 10 calls)
LARGE = dataclasses.replace(SMALL, name="memory-large", rate_delta=SMALL.rate_delta / math.sqrt(10),
                            bias_delta=SMALL.bias_delta / math.sqrt(10), lag_rho=SMALL.lag_rho / 10)
PROPERTIES = ["mask_rate", "unbiased", "independence_elements"]


def peak(tier: str) -> tuple[int, dict[str, int]]:
    tracemalloc.start()
    try:
        run = verify("reference", tier=tier, properties=PROPERTIES)
        return tracemalloc.get_traced_memory()[1], {prop.name: prop.samples for prop in run.properties}
    finally:
        tracemalloc.stop()


@pytest.fixture
def tiers(monkeypatch):
    monkeypatch.setitem(TIERS, SMALL.name, SMALL)
    monkeypatch.setitem(TIERS, LARGE.name, LARGE)


@pytest.mark.usefixtures("tiers")
def test_ten_times_the_samples_take_no_more_memory():
    small_peak, small_samples = peak(SMALL.name)
    large_peak, large_samples = peak(LARGE.name)
    assert all(large_samples[name] >= 8 * small_samples[name] for name in PROPERTIES), (small_samples, large_samples)
    assert large_peak <= small_peak + (1 << 20), (small_peak, large_peak)  # within 1 MiB
