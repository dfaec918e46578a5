"""The statistical helpers against values computed independently: closed forms, R, enumeration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dropout_verify.properties.stats import (
    bernstein_mean_design,
    clopper_pearson,
    rate_decision,
    rate_design,
    sign_test,
)
from scipy import stats


def test_clopper_pearson_matches_r_binom_test():
    # R: binom.test(7, 20)$conf.int -> 0.1539092 0.5921885
    low, high = clopper_pearson(7, 20, 0.05)
    assert low == pytest.approx(0.1539092, abs=1e-7) and high == pytest.approx(0.5921885, abs=1e-7)


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_clopper_pearson_edges_have_closed_forms(n):
    # k = 0: upper = 1 - (alpha/2)**(1/n); k = n: lower = (alpha/2)**(1/n) (Clopper and Pearson 1934)
    alpha = 1e-3
    low0, high0 = clopper_pearson(0, n, alpha)
    lown, highn = clopper_pearson(n, n, alpha)
    assert low0 == 0 and high0 == pytest.approx(1 - (alpha / 2) ** (1 / n), rel=1e-10)
    assert highn == 1 and lown == pytest.approx((alpha / 2) ** (1 / n), rel=1e-10)


def test_rate_design_false_alarm_is_the_exact_sum_over_the_binomial():
    design = rate_design(0.3, 0.05, 1e-3)
    failing = 0.0
    for k in range(design.n + 1):
        if not rate_decision(k, design.n, design).passed:
            failing += stats.binom.pmf(k, design.n, 0.3)
    assert failing == pytest.approx(design.false_alarm, rel=1e-6, abs=1e-15)
    assert design.false_alarm <= 1e-3
    assert design.power > 0.999


def test_bernstein_design_fits_a_correct_interval_inside_the_margin_and_bounds_the_tail():
    design = bernstein_mean_design(0.01, 1e-6, mean=100.0, variance=50.0, bound=2.0)
    assert 2 * design.deviation() <= 0.01 * design.calls * 100.0
    assert 2 * design.deviation(design.calls - 1) > 0.01 * (design.calls - 1) * 100.0
    # at the deviation the two-sided bound is alpha / 2, by construction
    assert design.pvalue(design.calls * 100.0 + design.deviation()) == pytest.approx(0.5e-6, rel=1e-9)
    # the bound is a bound: above the exact tail of a sum of scaled Bernoulli terms (here 400 terms of 2 m,
    # m ~ Bernoulli(1/2): mean 400, variance 400, centred terms bounded by 1)
    exact = bernstein_mean_design(0.3, 1e-3, mean=400.0, variance=400.0, bound=1.0)
    total = 400.0 * exact.calls
    for t in (20, 60, 100):
        k = (total + t) / 2  # S = 2 K with K ~ Binomial(400 calls, 1/2)
        tail = 2 * stats.binom.sf(math.ceil(k) - 1, 400 * exact.calls, 0.5)
        assert tail <= exact.pvalue(total + t)


def test_sign_test_is_the_binomial_two_sided_p_value():
    # all 10 one way: p = 2 * 0.5**10
    assert sign_test(10, 0) == pytest.approx(2 * 0.5**10)
    assert sign_test(0, 0) == 1.0


def test_bernoulli_e_process_keeps_its_false_alarm_rate_under_repeated_looks():
    # Ville: under H0 the chance of ever crossing 1/alpha is at most alpha, whatever the looks. 2000
    # streams of 50 looks at alpha = 0.05; the count of crossings must not show an excess over 5%
    # (one-sided exact binomial test at 1e-6; the seed is fixed, so the verdict is too).
    from dropout_verify.properties.stats import BernoulliEProcess

    rng = np.random.default_rng(11)
    crossed = 0
    for _ in range(2000):
        process = BernoulliEProcess(0.7, 0.05)
        for kept in rng.binomial(10_000, 0.7, size=50):
            process.update(int(kept), 10_000)
            if process.rejected:
                crossed += 1
                break
    assert stats.binomtest(crossed, 2000, 0.05, alternative="greater").pvalue >= 1e-6, crossed


def test_bernoulli_e_process_rejects_a_wrong_rate_early_and_scales_with_the_error():
    from dropout_verify.properties.stats import BernoulliEProcess

    rng = np.random.default_rng(12)
    needed = {}
    for error in (0.02, 0.005, 0.001):
        process, draws = BernoulliEProcess(0.5, 1e-9), 0
        while not process.rejected:
            process.update(int(rng.binomial(1 << 16, 0.5 + error)), 1 << 16)
            draws += 1 << 16
        needed[error] = draws
    # about 2 log(1/alpha) / error**2 draws: quadratic in 1/error
    assert needed[0.02] <= 1 << 17 and needed[0.005] < needed[0.001] and needed[0.001] <= 1 << 25


def test_bernoulli_e_process_refuses_a_degenerate_rate():
    from dropout_verify.properties.stats import BernoulliEProcess

    with pytest.raises(ValueError, match="q must be in"):
        BernoulliEProcess(1.0, 0.05)
