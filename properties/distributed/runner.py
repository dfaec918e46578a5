"""Run the rank battery on a distributed target: probe its dtypes, split the family-wise alpha over the rank
properties' decisions, judge every property. The target runs its own ranks (processes, devices), so the battery
runs in this process."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..plan import CANDIDATE_DTYPES
from ..result import PropertyResult, RunResult, Verdict
from ..tiers import TIERS
from .checks import RANK_CHECKS, RankContext
from .protocol import RankAdapter


def _probe(adapter: RankAdapter) -> tuple[tuple[np.dtype, ...], list[tuple[str, str]]]:
    accepted, refused = [], []
    for dtype in CANDIDATE_DTYPES:
        try:
            adapter.outputs(np.ones(8, dtype=dtype), 0.5, training=True, seed=0)
        except Exception as error:
            refused.append((dtype.name, str(error)))
            continue
        accepted.append(dtype)
    return tuple(accepted), refused


def verify_distributed(target: Any, name: str, *, tier: str, seed: int, world_size: int | None,
                       versions: dict[str, str], machine: dict[str, Any]) -> RunResult:
    """The rank battery on ``target``: ``rank_rate`` always, then ``rank_independence`` or ``rank_replication`` by
    its contract. Every decision gets ``family_alpha / decisions`` (Bonferroni)."""
    started = time.perf_counter()
    adapter = RankAdapter(target, name, world_size)
    dtypes, refused = _probe(adapter)
    base = RankContext(target=adapter, tier=TIERS[tier], dtypes=dtypes, run_seed=seed, alpha=1.0)
    decisions = sum(check.new_result(base).decisions for check in RANK_CHECKS)
    family = TIERS[tier].family_alpha
    ctx = RankContext(target=adapter, tier=TIERS[tier], dtypes=dtypes, run_seed=seed,
                      alpha=family / decisions if decisions else family)
    properties: list[PropertyResult] = []
    for check in RANK_CHECKS:
        if not dtypes:
            result = check.new_result(ctx)
            result.verdict = Verdict.ERROR
            result.message = "the target accepted none of the dtypes: " + "; ".join(f"{d}: {r}" for d, r in refused)
        else:
            result = check.judge(ctx)
        result.key_estimate = result.message
        properties.append(result)
    run = RunResult(target=adapter.name, convention=getattr(target, "convention", "inverted"), seed=seed, tier=tier,
                    family_alpha=family, properties=properties, versions=versions, machine=machine,
                    seconds=time.perf_counter() - started)
    run.world_size, run.contract = adapter.world_size, adapter.contract
    return run
