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
    {"min_side": -1}, {"shapes": []}, {"shapes": [(2, -1)]}, {"shapes": [(2.0, 3)]},
])
def test_bad_arguments_are_refused_when_the_strategy_is_built(arguments):
    with pytest.raises(InvalidArgument):
        dst.float_arrays(**arguments)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_layout_examples_are_non_contiguous_with_distinct_values_and_one_shape(dtype):
    examples = dst.layout_examples(np.dtype(dtype))
    assert len({example.strides for example in examples}) == len(examples)  # five different layouts
    assert {example.shape for example in examples} == {(2, 3, 5, 8)}  # one compile for a compiling framework
    for example in examples:
        assert not example.flags.c_contiguous
        assert np.unique(example).size == example.size and (example != 0).all()


def test_the_rule_palette_keeps_what_the_exact_rules_need_to_see():
    sizes = [int(np.prod(shape)) for shape in dst.RULE_SHAPES]
    assert {len(shape) for shape in dst.RULE_SHAPES} == {0, 1, 2, 3, 4}
    assert {len(shape) for shape in dst.RULE_SHAPES if 0 in shape} >= {1, 3}  # empty arrays of two ranks
    assert any(1 in shape and len(shape) >= 3 for shape in dst.RULE_SHAPES)  # an axis of length 1
    assert {size % 8 for size in sizes} == set(range(8))
    assert sum(size > 16 for size in sizes) >= 5  # a 16-lane loop runs a body and a tail
    pairs = dst.shape_rate_pairs(dst.RULE_RATES)
    assert {shape for shape, _ in pairs} == set(dst.RULE_SHAPES)
    for rate in dst.RULE_RATES:  # every rate meets shapes of several ranks
        assert len({len(shape) for shape, p in pairs if p == rate}) >= 3
    assert len(pairs) == dst.RATES_PER_SHAPE * len(dst.RULE_SHAPES)  # what a jitted target compiles per dtype
    assert set(dst.INFERENCE_RATES) >= {0.0, 1.0}


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_rule_examples_send_palette_shapes_in_every_layout(data):
    dtype = np.dtype(data.draw(st.sampled_from(dst.FLOAT_DTYPES), label="dtype"))
    example = data.draw(dst.rule_examples(dtype), label="example")
    x, p = example["x"], example["p"]
    assert (x.shape, p) in dst.shape_rate_pairs(dst.RULE_RATES) and x.dtype == dtype
    assert 0 <= example["seed"] < 2**31


def test_rule_examples_include_non_contiguous_inputs_with_distinct_values():
    """Bug class 15 needs permuted and strided inputs of mostly distinct elements, at every rank >= 2."""
    found = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(dst.rule_examples(np.dtype(np.float32)))
    def collect(example):
        x = example["x"]
        if x.ndim >= 2 and not x.flags.c_contiguous and np.unique(x).size > x.size // 2:
            found.add(x.ndim)

    collect()
    assert found == {2, 3, 4}


def test_the_docstring_examples_run():
    result = doctest.testmod(dst, verbose=False)
    assert result.attempted >= 1 and result.failed == 0
