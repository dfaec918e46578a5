"""The independence statistics against direct computation and enumeration: sums, bounds, exact laws, ranks."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from dropout_verify.properties.dependence import (
    LagFamily,
    gf2_ranks,
    identical_rows,
    lag_sums,
    max_lag_test,
    max_pair_test,
    max_shift_test,
    max_test_design,
    rank_deficiency_probability,
    rank_design,
    row_pair_sums,
    shift_design,
    shift_overlaps,
    symmetrised,
)
from scipy import stats


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_lag_sums_match_direct_products_and_never_cross_other_axes(axis):
    rng = np.random.default_rng(0)
    u = symmetrised(rng.random((5, 7, 11)) < 0.3, rng.random((5, 7, 11)) < 0.3)
    total, support, pairs = lag_sums(u, 20, axis=axis)
    rows = np.moveaxis(u, axis, -1).reshape(-1, u.shape[axis]).astype(int)
    for k in range(1, rows.shape[1]):
        assert total[k - 1] == (rows[:, :-k] * rows[:, k:]).sum()
        assert support[k - 1] == np.abs(rows[:, :-k] * rows[:, k:]).sum()
        assert pairs[k - 1] == rows.shape[0] * (rows.shape[1] - k)
    assert total.size == u.shape[axis] - 1


def test_the_sub_gaussian_bound_holds_for_every_sign_pattern():
    # Given |u|, the signs are fair coins under H0: enumerate all 2**12 of them for one support and check that
    # P(|T_k| >= t) <= 2 exp(-t**2 / (2 N_k)) at every lag and every threshold.
    magnitudes = np.array([1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1])
    nonzero = np.flatnonzero(magnitudes)
    counts: dict[int, dict[int, int]] = {}
    for signs in itertools.product((-1, 1), repeat=nonzero.size):
        u = magnitudes.copy()
        u[nonzero] = signs
        total, support, _ = lag_sums(u, 6)
        for k in range(6):
            counts.setdefault(k, {}).setdefault(abs(int(total[k])), 0)
            counts[k][abs(int(total[k]))] += 1
    patterns = 2**nonzero.size
    _, support, _ = lag_sums(magnitudes, 6)
    for k, histogram in counts.items():
        for t in histogram:
            tail = sum(count for value, count in histogram.items() if value >= t) / patterns
            assert tail <= min(1.0, 2 * math.exp(-t * t / (2 * support[k]))) + 1e-12, (k, t)


def test_a_correlation_at_one_lag_is_found_there_with_its_phi():
    rng = np.random.default_rng(1)
    n, lag, share = 400_000, 777, 0.2
    words = rng.random(n)
    reuse = np.flatnonzero(rng.random(n) < share)
    reuse = reuse[reuse >= lag]
    words[reuse] = words[reuse - lag]
    other = rng.random(n)
    first, second = words < 0.7, other < 0.7
    family = LagFamily("flat", "lag {}", np.arange(1, 2001))
    u = symmetrised(first, second)
    family.add(*lag_sums(u, 2000))
    design = max_test_design(2000, 0.01, 1e-8, 0.99)
    found = max_lag_test([family], design, float(np.mean(u != 0)))
    assert found.lag == lag and found.where == "lag 777"
    # bit i copies the word of i - lag when i is reused and i - lag is not: phi = share (1 - share); only the
    # first call carries it, so the symmetrised estimate is half of that
    phi = share * (1 - share) / 2
    assert found.correlation == pytest.approx(phi, abs=0.01)
    assert found.pvalue < 1e-100
    assert found.z == pytest.approx(phi * math.sqrt(n - lag), rel=0.1)


def test_max_test_design_spends_exactly_alpha_and_reaches_its_power():
    design = max_test_design(4095, 0.01, 1e-8, 0.99)
    assert 4095 * 2 * math.exp(-design.critical_z**2 / 2) == pytest.approx(1e-8, rel=1e-9)
    assert design.power(design.pairs) >= 0.99 > design.power(design.pairs * 0.97)
    assert design.detectable_rho(design.pairs) == pytest.approx(0.01, rel=1e-3)


def test_row_pairs_gram_matches_direct_sums_and_names_the_pair():
    rng = np.random.default_rng(2)
    first = rng.random((16, 4096)) < 0.5
    first[11] = first[3]
    u = symmetrised(first, rng.random((16, 4096)) < 0.5)
    gram, support = row_pair_sums(u)
    assert gram[3, 11] == int((u[3].astype(int) * u[11]).sum())
    assert support[2, 5] == int(np.abs(u[2].astype(int) * u[5]).sum())
    found = max_pair_test(gram, support, 4096, float(np.mean(u != 0)))
    assert found.where == "rows 3 and 11 (offset 8)" and found.tests == 16 * 15 // 2
    assert identical_rows(first) == (3, 11)
    assert identical_rows(first[:5]) is None


def test_every_shift_overlap_is_exactly_hypergeometric_over_all_arrangements():
    # A fixed, B a uniformly random arrangement of 4 kept among 10: the overlap at each shift has the
    # hypergeometric law, counted over all C(10, 4) = 210 arrangements.
    first = np.array([1, 1, 0, 1, 0, 0, 1, 0, 1, 0], dtype=bool)
    law = stats.hypergeom(10, int(first.sum()), 4)
    tallies = np.zeros((10, 5))
    for kept in itertools.combinations(range(10), 4):
        second = np.zeros(10, dtype=bool)
        second[list(kept)] = True
        overlaps = shift_overlaps(first, second)
        assert overlaps[3] == int(np.sum(first & np.roll(second, -3)))
        tallies[np.arange(10), overlaps] += 1
    assert np.allclose(tallies / 210, law.pmf(np.arange(5))[None, :])


def test_a_shifted_stream_is_named_with_its_shift():
    rng = np.random.default_rng(3)
    stream = rng.random(2**16 + 500) < 0.9
    found = max_shift_test(stream[:2**16], stream[500 : 2**16 + 500])  # b[i] = a[i + 500]
    assert found.shift == 500 and found.pvalue == 0.0 and found.correlation > 0.99
    found = max_shift_test(stream[500 : 2**16 + 500], stream[:2**16])
    assert found.shift == -500
    independent = max_shift_test(stream[:2**16], rng.random(2**16) < 0.9)
    assert independent.pvalue > 1e-3


def test_shift_design_is_the_size_at_which_its_power_holds():
    design = shift_design(10, 0.01, 1e-8, 0.99)
    critical = stats.norm.isf(1e-8 / (2 * design.tests))
    assert design.power >= 0.99
    assert stats.norm.sf(critical - 0.01 * math.sqrt(design.elements * 0.98)) < 0.99


def _brute_rank(matrix: np.ndarray) -> int:
    rows = [int("".join("1" if bit else "0" for bit in row), 2) for row in matrix]
    rank = 0
    for bit in reversed(range(matrix.shape[1])):
        pivot = next((row for row in rows if row >> bit & 1), None)
        if pivot is None:
            continue
        rows.remove(pivot)
        rows = [row ^ pivot if row >> bit & 1 else row for row in rows]
        rank += 1
    return rank


def test_gf2_ranks_match_elimination_on_python_integers():
    rng = np.random.default_rng(4)
    matrices = rng.random((30, 70, 70)) < 0.5
    matrices[0] = False
    matrices[1] = True
    matrices[2, 5] = matrices[2, 7] ^ matrices[2, 9]
    matrices[3, :, 3] = False
    assert list(gf2_ranks(matrices)) == [_brute_rank(m) for m in matrices]


def test_rank_law_matches_enumeration_and_nist():
    # every 3x3 binary matrix, counted by rank
    counts = np.zeros(4)
    for bits in itertools.product((0, 1), repeat=9):
        counts[_brute_rank(np.array(bits, dtype=bool).reshape(3, 3))] += 1
    for d in range(4):
        assert rank_deficiency_probability(3, d) == pytest.approx(counts[: 4 - d].sum() / 512, rel=1e-12)
    # NIST SP 800-22 section 3.5, 32 x 32: P(32) = 0.2888, P(31) = 0.5776, P(<= 30) = 0.1336
    assert 1 - rank_deficiency_probability(32, 1) == pytest.approx(0.2888, abs=1e-4)
    assert rank_deficiency_probability(32, 1) - rank_deficiency_probability(32, 2) == pytest.approx(0.5776, abs=1e-4)
    assert rank_deficiency_probability(32, 2) == pytest.approx(0.1336, abs=1e-4)


def test_rank_design_is_the_smallest_deficiency_within_alpha():
    design = rank_design(512, 16, 1e-8)
    assert design.false_alarm <= 1e-8
    assert -math.expm1(16 * math.log1p(-rank_deficiency_probability(512, design.deficiency - 1))) > 1e-8
