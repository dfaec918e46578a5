"""Tier settings that the statistics rely on."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from dropout_verify.properties.plan import CANDIDATE_DTYPES
from dropout_verify.properties.tiers import TIERS


@pytest.mark.parametrize("tier", list(TIERS.values()), ids=lambda tier: tier.name)
def test_sign_test_rates_have_a_scale_that_rounds_in_every_dtype(tier):
    # a scale 1/q rounded to the dtype before the multiply biases nothing when 1/q is exact (p = 0.5: 2)
    for p in tier.kept_ps:
        for dtype in CANDIDATE_DTYPES:
            exact = 1 / Fraction(1 - p)
            assert Fraction(float(np.array(float(exact)).astype(dtype))) != exact, (p, dtype)


@pytest.mark.parametrize("tier", list(TIERS.values()), ids=lambda tier: tier.name)
def test_the_rank_test_has_its_rate(tier):
    assert 0.5 in tier.independence_ps
