"""Seeds of target calls: derived from the run seed and names, and never repeated within one stream."""

from __future__ import annotations

import numpy as np
from dropout_verify.properties.context import Context
from dropout_verify.properties.plan import RunPlan
from dropout_verify.properties.target import TargetAdapter, load_target
from dropout_verify.properties.tiers import TIERS


def _context(seed: int = 0) -> Context:
    plan = RunPlan(dtypes=("float32",), unsupported=(), alpha=1e-8, decisions=100)
    return Context(target=TargetAdapter(load_target("reference"), "reference"), tier=TIERS["quick"], run_seed=seed,
                   plan=plan)


def test_call_seeds_are_distinct_where_random_31_bit_values_would_collide():
    """200,000 random 31-bit values repeat about 9 times (birthday); a repeated seed repeats a mask, which
    independence_calls counts as a bug (it failed the reference at the thorough tier this way)."""
    count = 200_000
    raw = _context().seed_sequence("x").generate_state(count, dtype=np.uint32) >> 1
    assert np.unique(raw).size < count  # the collisions this guards against do occur in the raw stream
    seeds = list(_context().call_seeds(count, "x"))
    assert len(seeds) == len(set(seeds)) == count
    assert all(0 <= s < 2**31 for s in seeds)
    kept = np.unique(raw, return_index=True)[1]
    assert [seeds[i] for i in kept[:1000]] == [int(raw[i]) for i in kept[:1000]]  # only repeats are redrawn


def test_call_seeds_depend_on_the_run_seed_and_names_only():
    assert list(_context(3).call_seeds(50, "a", "b")) == list(_context(3).call_seeds(50, "a", "b"))
    assert list(_context(3).call_seeds(50, "a", "b")) != list(_context(4).call_seeds(50, "a", "b"))
    assert list(_context(3).call_seeds(50, "a", "b")) != list(_context(3).call_seeds(50, "a", "c"))
