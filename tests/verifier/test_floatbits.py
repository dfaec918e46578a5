"""The bit-pattern counts agree with numpy's own on every bit pattern, NaN payloads and both zeros included."""

from __future__ import annotations

import numpy as np
from dropout_verify.properties.floatbits import any_nan, count_nonzero
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOAT_OF_UINT = {np.dtype(np.uint16): np.float16, np.dtype(np.uint32): np.float32, np.dtype(np.uint64): np.float64}


@st.composite
def any_bit_patterns(draw: st.DrawFn) -> np.ndarray:
    uint = draw(st.sampled_from(sorted(FLOAT_OF_UINT, key=str)))
    bits = draw(hnp.arrays(uint, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=8)))
    values = bits.view(FLOAT_OF_UINT[uint])
    return values[..., ::2] if draw(st.booleans()) and values.ndim else values  # strided as well


@given(any_bit_patterns())
def test_count_nonzero_matches_numpy(y):
    assert count_nonzero(y) == np.count_nonzero(y)


@given(any_bit_patterns())
def test_any_nan_matches_numpy(y):
    assert any_nan(y) == bool(np.isnan(y).any())


def test_zeros_of_both_signs_and_infinities():
    for dtype in (np.float16, np.float32, np.float64):
        y = np.array([0.0, -0.0, np.inf, -np.inf], dtype=dtype)
        assert count_nonzero(y) == 2
        assert not any_nan(y)
