"""Hypothesis strategies for dropout inputs: float arrays of every layout, drop rates, dtypes."""

from __future__ import annotations

import math
from functools import cache
from typing import Literal

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra import numpy as hnp

FLOAT_DTYPES = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)]

dtypes: st.SearchStrategy[np.dtype] = st.sampled_from(FLOAT_DTYPES)
# drop probabilities including the edges and values whose keep probability has no short binary form
rates = st.one_of(
    st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0, 1 / 3, 1e-9, 1 - 1e-9]),
    st.floats(0.0, 1.0, allow_nan=False),
)
interior_rates = st.one_of(
    st.sampled_from([0.1, 0.5, 0.9, 1 / 3, 1e-9, 1 - 1e-9]),
    st.floats(0.0, 1.0, exclude_min=True, exclude_max=True),
)


LAYOUTS = ("contiguous", "transposed", "strided", "reversed")


@cache
def float_elements(dtype: np.dtype, finite: bool = True) -> st.SearchStrategy[float]:
    """Values of ``dtype``: every finite one (subnormals included), or also NaN and the infinities.

    The finite range is given as bounds: unbounded ``floats(width=16)`` draws float64 values and rejects
    those beyond float16's range, about 4 draws in 10, so an array of 16 drawn elements was rejected
    seven times for each one kept. Built once per dtype, since building a strategy validates it."""
    dtype = np.dtype(dtype)
    width: Literal[16, 32, 64] = {2: 16, 4: 32, 8: 64}[dtype.itemsize]  # type: ignore[assignment]
    largest = float(np.finfo(f"f{dtype.itemsize}").max)  # bfloat16 draws float16 values, as floats(width=16)
    finite_values = st.floats(-largest, largest, width=width, allow_subnormal=True)
    return finite_values if finite else st.one_of(finite_values, st.sampled_from([math.nan, math.inf, -math.inf]))


@cache
def _shapes(min_dims: int, max_dims: int, min_side: int, max_side: int) -> st.SearchStrategy[tuple[int, ...]]:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def float_arrays(
    *,
    dtype: np.dtype | type | str | None = None,
    finite: bool = True,
    min_dims: int = 0,
    max_dims: int = 4,
    min_side: int = 0,
    max_side: int = 6,
    layouts: tuple[str, ...] = LAYOUTS,
    distinct: bool = True,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of one float dtype (or any), ``min_dims`` to ``max_dims``-d, possibly empty, in one of ``layouts``:
    contiguous, transposed (a non-identity axis permutation), strided (every other element of the last
    axis) or reversed (a negative stride). With ``distinct`` every element is drawn on its own, so that a
    value at the wrong index shows; otherwise Hypothesis draws a fill value and a few elements (about
    twice as fast, and where index bugs are not the question). Arguments are checked when the strategy is
    built, as Hypothesis's own strategies do.

    >>> from hypothesis import find
    >>> find(float_arrays(dtype=np.float32, min_dims=2, min_side=2, layouts=("transposed",)),
    ...      lambda array: True).flags.c_contiguous
    False
    """
    chosen = None if dtype is None else np.dtype(dtype)
    if chosen is not None and chosen.kind != "f" and chosen.name != "bfloat16":
        raise InvalidArgument(f"dtype must be a float dtype, got {dtype!r}")
    if not layouts or set(layouts) - set(LAYOUTS):
        raise InvalidArgument(f"layouts must be a non-empty subset of {LAYOUTS}, got {layouts!r}")
    if not 0 <= min_dims <= max_dims or not 0 <= min_side <= max_side:
        raise InvalidArgument(f"need 0 <= min_dims <= max_dims and 0 <= min_side <= max_side, got dims "
                              f"{min_dims}..{max_dims}, sides {min_side}..{max_side}")
    return _float_arrays(chosen, finite, _shapes(min_dims, max_dims, min_side, max_side), tuple(layouts), distinct)


@st.composite
def _float_arrays(draw: st.DrawFn, dtype: np.dtype | None, finite: bool,
                  shapes: st.SearchStrategy[tuple[int, ...]], layouts: tuple[str, ...], distinct: bool) -> np.ndarray:
    chosen: np.dtype = draw(dtypes, label="dtype") if dtype is None else dtype
    shape = draw(shapes, label="shape")
    elements = float_elements(chosen, finite)
    fill = st.nothing() if distinct else None  # nothing: no fill value, every element drawn on its own
    base = draw(hnp.arrays(chosen, shape, elements=elements, fill=fill), label="base")
    layout = draw(st.sampled_from(layouts), label="layout")
    if layout == "transposed" and base.ndim >= 2:
        # the identity is mapped to the reversal rather than filtered out (a filter wastes draws)
        axes = draw(st.permutations(range(base.ndim)).map(lambda a: a if list(a) != sorted(a) else a[::-1]),
                    label="axes")
        return np.transpose(base, axes)
    if layout == "strided" and base.ndim >= 1:
        return np.repeat(base, 2, axis=-1)[..., ::2]
    if layout == "reversed" and base.ndim >= 1:
        return base[::-1]
    return base


def any_layout_arrays(dtype: np.dtype) -> st.SearchStrategy[np.ndarray]:
    """Half any array (0-d, empty, contiguous..., values from a fill and a few drawn elements), half a
    multi-dimensional non-contiguous one with every element drawn, so that a value written at the wrong
    index of a permuted or strided input is found (bug class 15)."""
    return st.one_of(
        float_arrays(dtype=dtype, distinct=False),
        # sides of 2 or 3: every element is drawn (up to 81), and a misplaced value shows as well in 2x3 as
        # in 6x6; sides up to 4 made Hypothesis twice as slow here. Fixed 4-d inputs: ``layout_examples``
        float_arrays(dtype=dtype, min_dims=2, min_side=2, max_side=3, layouts=("transposed", "strided", "reversed")),
    )


def layout_examples(dtype: np.dtype) -> list[np.ndarray]:
    """Fixed non-contiguous inputs with distinct nonzero values: channels-last, reversed, strided, permuted.

    Hypothesis draws many zeros and repeated values; these guarantee that every run sees inputs where a
    value at the wrong index cannot hide (bug class 15)."""
    base = (np.arange(1, 241, dtype=np.float64) / 8).reshape(2, 3, 5, 8).astype(dtype)
    return [
        np.transpose(base, (0, 3, 1, 2)),  # NCHW view of NHWC memory: channels_last
        base[::-1, :, ::-1],
        base[..., ::2],
        np.transpose(base, (3, 2, 1, 0)),
        np.asfortranarray(base.reshape(6, 40)),
    ]
