"""Calibration: correct targets over many seeds fail no more often than the stated alpha allows.

200 quick-tier runs per family on every core: the Bernoulli family (the reference in both conventions and the
correct zoo variants) and the dropout family's other laws (reference-alpha, reference-gaussian and the correct
alpha, Gaussian and drop-path members of the zoo), the targets taking the seeds in turn. Two measurements:
- whole-run failures: the family-wise alpha is 1e-6, so 200 runs fail at all with probability <= 2e-4;
  zero is expected and asserted;
- every statistical decision's p-value: under H0 they are uniform or, for discrete tests, stochastically
  larger, so the share below 0.05 must not exceed 0.05 significantly (exact binomial test, one-sided,
  alpha 1e-3). This sees a miscalibration that 200 runs at alpha 1e-6 never could.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor

import pytest
from scipy import stats

RUNS = 200
FAMILIES = {
    "bernoulli": ["reference", "reference-classic", "dropout_zoo:Correct", "dropout_zoo:CorrectPhiloxIntegerThreshold",
                  "dropout_zoo:CorrectClassic", "dropout_zoo:CorrectMultiplicativeSFC64"],
    "other-laws": ["reference-alpha", "reference-gaussian", "family_zoo:CorrectAlpha", "family_zoo:CorrectGaussian",
                   "family_zoo:CorrectDropPath"],
    "ranks": ["ranks_zoo:RankOffsetSeeds", "ranks_zoo:ReplicasAgree", "ranks_zoo:ShardedCounter"],
}


def _one(job: tuple[str, int]) -> dict:
    from dropout_verify.properties import verify

    target, seed = job
    run = verify(target, tier="quick", seed=seed)
    p_values = [(prop.name, case.p_value) for prop in run.properties for case in prop.cases
                if case.p_value is not None]
    failing = [prop.name for prop in run.properties if prop.verdict in ("fail", "error")]
    return {"target": target, "seed": seed, "verdict": run.verdict, "failing": failing, "p_values": p_values}


@pytest.mark.calibration
@pytest.mark.parametrize("family", list(FAMILIES))
def test_false_alarm_rate_matches_the_nominal_alpha(family):
    targets = FAMILIES[family]
    jobs = [(targets[i % len(targets)], 1000 + i) for i in range(RUNS)]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(_one, jobs))
    failures = [r for r in results if r["verdict"] != "pass"]
    p_values = [p for r in results for _, p in r["p_values"]]
    below = sum(p < 0.05 for p in p_values)
    by_property: dict[str, list[float]] = {}
    for r in results:
        for name, p in r["p_values"]:
            by_property.setdefault(name, []).append(p)
    excess = stats.binomtest(below, len(p_values), 0.05, alternative="greater")
    summary = {"family": family, "runs": len(results), "failed_runs": len(failures), "decisions": len(p_values),
               "share_below_0.05": below / len(p_values), "excess_p_value": excess.pvalue,
               "failures": [(r["target"], r["seed"], r["failing"]) for r in failures],
               "share_below_0.05_by_property": {name: [len(ps), round(sum(p < 0.05 for p in ps) / len(ps), 4)]
                                                for name, ps in by_property.items()}}
    print("\ncalibration:", json.dumps(summary))
    assert not failures, summary
    assert excess.pvalue > 1e-3, summary
