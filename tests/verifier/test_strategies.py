"""The verifier's own Hypothesis strategies: what they promise, checked on what they draw."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from dropout_verify.properties import strategies as dst
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_float_arrays_keep_dtype_dims_and_layout(data):
    dtype = data.draw(st.sampled_from(dst.FLOAT_DTYPES), label="dtype")
    layout = data.draw(st.sampled_from(dst.LAYOUTS), label="layout")
    array = data.draw(dst.float_arrays(dtype=dtype, min_dims=2, max_dims=3, min_side=2, max_side=3,
                                       layouts=(layout,)), label="array")
    assert array.dtype == dtype and 2 <= array.ndim <= 3
    assert np.isfinite(array.astype(np.float64)).all()
    if layout == "contiguous":
        assert array.flags.c_contiguous
    else:  # every other layout is a view a kernel that ignores strides gets wrong
        assert not array.flags.c_contiguous


@settings(max_examples=100, deadline=None)
@given(dst.float_arrays(dtype=np.float16, finite=False, min_dims=1, min_side=8, max_side=8, distinct=True))
def test_non_finite_arrays_are_float16_arrays_of_eight(array):
    assert array.dtype == np.float16 and array.shape[-1] == 8


@settings(max_examples=200, deadline=None)
@given(st.one_of(dst.rates, dst.interior_rates))
def test_rates_are_probabilities(p):
    assert 0.0 <= p <= 1.0


@settings(max_examples=200, deadline=None)
@given(dst.interior_rates)
def test_interior_rates_exclude_the_edges(p):
    assert 0.0 < p < 1.0


@pytest.mark.parametrize("arguments", [
    {"layouts": ()}, {"layouts": ("diagonal",)}, {"dtype": np.int32}, {"min_dims": 3, "max_dims": 2},
    {"min_side": -1},
])
def test_bad_arguments_are_refused_when_the_strategy_is_built(arguments):
    with pytest.raises(InvalidArgument):
        dst.float_arrays(**arguments)


def test_layout_examples_are_non_contiguous_with_distinct_values():
    for example in dst.layout_examples(np.dtype(np.float32)):
        assert not example.flags.c_contiguous
        assert np.unique(example).size == example.size and (example != 0).all()


def test_the_docstring_examples_run():
    result = doctest.testmod(dst, verbose=False)
    assert result.attempted >= 1 and result.failed == 0
