"""Each property counts its calls whose (method, dtype, shape, rate, mode) is new to the process: where a compiling
framework compiles, so that its compile time shows apart from its run time."""

from __future__ import annotations

import json

import numpy as np
from dropout_verify.properties import verify


class Counting:
    """A correct numpy dropout that remembers the signature of every call."""

    convention = "inverted"

    def __init__(self) -> None:
        self.signatures: list[tuple] = []

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        self.signatures.append(("forward", x.dtype.name, x.shape, p, training))
        if not training or p == 0:
            return x.copy()
        keep = np.random.default_rng(seed).random(x.shape) < 1.0 - p
        return np.where(keep, (x.astype(np.float64) / (1.0 - p)).astype(x.dtype), x.dtype.type(0))


def test_first_calls_are_the_distinct_signatures_and_a_timing_only():
    target = Counting()
    run = verify(target, tier="quick", seed=0, properties=["mask_rate", "inference"])
    calls = sum(prop.target_calls for prop in run.properties)
    probe = target.signatures[:-calls]  # the dtype probe's calls come first, outside every property
    assert 0 < len(probe) <= 8
    new = [signature for index, signature in enumerate(target.signatures)
           if index >= len(probe) and signature not in target.signatures[:index]]
    assert sum(prop.first_calls for prop in run.properties) == len(new) > 0
    assert 0 < run.first_call_seconds <= run.target_seconds
    stripped = json.loads(run.to_json(timings=False))
    assert "first_call_seconds" not in stripped
    assert not {"first_call_seconds", "first_calls"} & set(stripped["properties"][0])
