"""The core's keep rate and mean, by exact binomial and t tests at fixed seeds; ties of the lazy threshold.

Each test states H0, its test and alpha. With fixed seeds a verdict is reproducible, and alpha is the
chance that the fixed seed happened to be an unlucky one for a correct implementation.
"""

from __future__ import annotations

import numpy as np
import pytest
from dropout_verify.dropout_core import dropout_forward, keep_mask, keep_threshold
from dropout_verify.dropout_core._mask import fill_keep, words_from
from scipy import stats

ALPHA = 1e-6
N = 4 * 10**6  # > BLOCK: exercises the spawned streams and threads


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9, 0.999, 1 / 3])
def test_keep_rate_is_q(p):
    """H0: P(keep) = 1 - p; exact two-sided binomial test, alpha 1e-6. An 8-bit threshold at p = 0.1
    (keep 230/256 = 0.8984) is 17 standard errors away at this N, so power against it is ~1."""
    mask = keep_mask(np.random.default_rng(20261123), (N,), 1 - p)
    result = stats.binomtest(int(mask.sum()), N, 1 - p)
    assert result.pvalue > ALPHA, (p, mask.mean(), result.pvalue)


def test_inverted_output_mean_equals_input():
    """H0: E[y - x] = 0 for inverted dropout on normal inputs; one-sample t test, alpha 1e-6."""
    x = np.random.default_rng(1).standard_normal(N)
    y, _ = dropout_forward(x, 0.3, rng=np.random.default_rng(2))
    assert stats.ttest_1samp(y - x, 0.0).pvalue > ALPHA


class _ScriptedWords:
    """A stand-in source of 64-bit words that hands out prepared values, to steer the tie branch."""

    def __init__(self, words: list[int]) -> None:
        self.words = list(words)

    def __call__(self, size: int) -> np.ndarray:
        taken, self.words = self.words[:size], self.words[size:]
        return np.array(taken, dtype=np.uint64)


def test_ties_on_the_first_byte_are_resolved_by_the_next_56_bits():
    q = 0.5 + 2.0**-20  # top byte 128, low bits 2**36
    threshold = keep_threshold(q)
    assert threshold == 2**63 + 2**44
    first = int.from_bytes(bytes([128, 127, 129, 128, 0, 0, 0, 0]), "little")
    below, above = (2**44 - 1) << 8, (2**44) << 8  # low 56 bits of U sit in bits 8..63 of the extra word
    out = np.empty(8, dtype=bool)
    fill_keep(_ScriptedWords([first, below, above]), out, threshold)
    # byte 0: tie -> below -> keep; 1: 127 < 128 keep; 2: drop; 3: tie -> above -> drop; 4..7: 0 < 128 keep
    assert out.tolist() == [True, True, False, False, True, True, True, True]


def test_threshold_edges():
    assert keep_threshold(1.0) == 2**64 and keep_threshold(0.0) == 0
    out = np.empty(16, dtype=bool)
    fill_keep(words_from(np.random.default_rng(0)), out, 2**64)
    assert out.all()
    fill_keep(words_from(np.random.default_rng(0)), out, 0)
    assert not out.any()


@pytest.mark.parametrize(
    "bit_generator", [np.random.MT19937, np.random.PCG64, np.random.PCG64DXSM, np.random.Philox, np.random.SFC64]
)
@pytest.mark.parametrize("size", [10**5, 3 * 10**6])  # the caller's stream, and spawned block streams
def test_keep_rate_is_q_for_every_numpy_bit_generator(bit_generator, size):
    """H0: P(keep) = 0.5 whatever bit generator the caller's Generator wraps; exact binomial test,
    alpha 1e-6. MT19937's ``random_raw`` yields 32-bit values: reading its words as 64 random bits kept
    75% at p = 0.5 (the bug this guards), 158 standard errors away at n = 10**5."""
    mask = keep_mask(np.random.Generator(bit_generator(7)), (size,), 0.5)
    assert stats.binomtest(int(mask.sum()), size, 0.5).pvalue > ALPHA, mask.mean()


@pytest.mark.parametrize("size", [1000, 3 * 10**6 + 1])  # one stream, and several blocks with a partial last one
def test_forward_draws_the_mask_keep_mask_draws(size):
    """The forward pass draws its mask block by block as it scales; the bits are keep_mask's, seed for seed."""
    _, mask = dropout_forward(np.ones(size, np.float32), 0.3, rng=np.random.default_rng(5))
    assert np.array_equal(mask, keep_mask(np.random.default_rng(5), (size,), 0.7))
