"""Tiers: the effect sizes each tier must detect. Sample sizes are computed from these, never set by hand."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    name: str
    family_alpha: float  # P(a correct target fails the run) <= this, by Bonferroni over every decision
    power: float  # wanted power of each statistical decision against its effect size
    rate_delta: float  # mask_rate: equivalence margin on the keep rate
    rate_ps: tuple[float, ...]
    bias_delta: float  # unbiased: equivalence margin on the relative bias of E[y]
    unbiased_ps: tuple[float, ...]
    lag_rho: float  # independence: phi correlation between two mask bits to detect
    independence_ps: tuple[float, ...]
    kept_ps: tuple[float, ...]  # rates whose 1/q is inexact in every dtype: a rounded scale shows only there
    kept_mismatch_share: float  # kept_values: a one-way rounding bias touching this share of kept values
    examples: int  # Hypothesis examples per deterministic property
    duplicate_calls: int  # independence_calls: masks hashed to find repeats
    lag_call_elements: int  # independence_elements: one call's mask, searched at every lag up to half of it
    seed_offsets: int  # independence_calls: seeds s..s+K, every pair compared at every shift
    identity_elements: int  # edge_rates: elements checked at p = 0
    noise_variance_delta: float = 0.01  # noise_law: relative error of Gaussian dropout's variance p / q to detect


TIERS: dict[str, Tier] = {
    "quick": Tier(
        name="quick", family_alpha=1e-6, power=0.99, rate_delta=0.01, rate_ps=(0.1, 0.5, 0.9),
        bias_delta=0.02, unbiased_ps=(0.1, 0.5), lag_rho=0.05, independence_ps=(0.5,),
        kept_ps=(0.1,), kept_mismatch_share=0.05, examples=20, duplicate_calls=300, identity_elements=10**5,
        lag_call_elements=2**18, seed_offsets=2, noise_variance_delta=0.03,
    ),
    "standard": Tier(
        name="standard", family_alpha=1e-6, power=0.99, rate_delta=0.001, rate_ps=(0.01, 0.1, 0.3, 0.5, 0.9, 0.99),
        bias_delta=0.002, unbiased_ps=(0.1, 0.5), lag_rho=0.01, independence_ps=(0.1, 0.5),
        kept_ps=(0.1, 0.3), kept_mismatch_share=0.01, examples=100, duplicate_calls=2000, identity_elements=10**7,
        lag_call_elements=2**22, seed_offsets=4,
    ),
    "thorough": Tier(
        name="thorough", family_alpha=1e-6, power=0.999, rate_delta=0.0003,
        rate_ps=(0.001, 0.01, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999), bias_delta=0.0005,
        unbiased_ps=(0.1, 0.3, 0.5, 0.9), lag_rho=0.005, independence_ps=(0.1, 0.5, 0.9),
        kept_ps=(0.1, 0.3, 0.7, 0.85), kept_mismatch_share=0.002, examples=500, duplicate_calls=10000,
        identity_elements=10**8, lag_call_elements=2**22, seed_offsets=8, noise_variance_delta=0.005,
    ),
}
