"""Hypothesis strategies for dropout inputs: float arrays of every layout, drop rates, dtypes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal

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
    shapes: Sequence[tuple[int, ...]] | None = None,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of one float dtype (or any), ``min_dims`` to ``max_dims``-d, possibly empty, in one of ``layouts``:
    contiguous, transposed (a non-identity axis permutation), strided (every other element of the last
    axis) or reversed (a negative stride). With ``distinct`` every element is drawn on its own, so that a
    value at the wrong index shows; otherwise Hypothesis draws a fill value and a few elements (about
    twice as fast, and where index bugs are not the question). ``shapes``, when given, lists the shapes to
    draw from instead (the dims and sides arguments then do not apply): the array has one of those shapes
    whatever its layout, the memory behind a transposed one being laid out in another order. Arguments
    are checked when the strategy is built, as Hypothesis's own strategies do.

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
    if shapes is not None:
        listed = tuple(tuple(shape) for shape in shapes)
        if not listed or not all(all(isinstance(side, int) and side >= 0 for side in shape) for shape in listed):
            raise InvalidArgument(f"shapes must be a non-empty list of tuples of sides >= 0, got {shapes!r}")
        return _float_arrays(chosen, finite, st.sampled_from(listed), tuple(layouts), distinct)
    if not 0 <= min_dims <= max_dims or not 0 <= min_side <= max_side:
        raise InvalidArgument(f"need 0 <= min_dims <= max_dims and 0 <= min_side <= max_side, got dims "
                              f"{min_dims}..{max_dims}, sides {min_side}..{max_side}")
    return _float_arrays(chosen, finite, _shapes(min_dims, max_dims, min_side, max_side), tuple(layouts), distinct)


@st.composite
def _float_arrays(draw: st.DrawFn, dtype: np.dtype | None, finite: bool,
                  shapes: st.SearchStrategy[tuple[int, ...]], layouts: tuple[str, ...], distinct: bool) -> np.ndarray:
    chosen: np.dtype = draw(dtypes, label="dtype") if dtype is None else dtype
    shape = draw(shapes, label="shape")
    layout = draw(st.sampled_from(layouts), label="layout")
    elements = float_elements(chosen, finite)
    fill = st.nothing() if distinct else None  # nothing: no fill value, every element drawn on its own
    if layout == "transposed" and len(shape) >= 2:
        # the identity is mapped to the reversal rather than filtered out (a filter wastes draws)
        axes = draw(st.permutations(range(len(shape))).map(lambda a: a if list(a) != sorted(a) else a[::-1]),
                    label="axes")
        # memory laid out so that the transposed view has the drawn shape: view axis i is memory axis axes[i]
        memory_shape = tuple(shape[axes.index(axis)] for axis in range(len(shape)))
        return np.transpose(draw(hnp.arrays(chosen, memory_shape, elements=elements, fill=fill), label="base"), axes)
    base = draw(hnp.arrays(chosen, shape, elements=elements, fill=fill), label="base")
    if layout == "strided" and base.ndim >= 1:
        return np.repeat(base, 2, axis=-1)[..., ::2]
    if layout == "reversed" and base.ndim >= 1:
        return base[::-1]
    return base


# The shapes and rates the exact rules send a target. Compiling frameworks (XLA, Inductor) compile a program
# for each new shape and dtype, and jitted layers for each rate too (about 0.15-0.3 s each on this machine's
# CPU, against 0.4 ms for a repeated call): with free shapes, 100 examples cost a compile each. A bounded
# palette keeps what the rules need to see: ranks 0 to 4; empty arrays of rank 1 and 3; axes of length 1;
# sizes with every remainder mod 8, five of them past 16 (a 16-lane loop runs a body and a tail). The memory
# behind each shape is still drawn freely (transposed, strided, reversed): frameworks copy it into a
# contiguous buffer, so layouts cost no compile, and bug class 15 keeps its whole search.
RULE_SHAPES: tuple[tuple[int, ...], ...] = (
    (), (0,), (3,), (2, 3), (2, 5), (3, 4), (2, 0, 3), (2, 2, 2), (3, 1, 7), (23,), (3, 11), (2, 3, 2, 2),
    (2, 1, 3, 5),
)
# rates whose 1/q is inexact (0.5's is exact), near 0 and near 1; INFERENCE_RATES adds the edges
RULE_RATES: tuple[float, ...] = (0.5, 0.1, 1 / 3, 0.9, 1e-9, 1 - 1e-9)
INFERENCE_RATES: tuple[float, ...] = (0.0, 1.0, *RULE_RATES)
RATES_PER_SHAPE = 2


def shape_rate_pairs(rates: Sequence[float]) -> tuple[tuple[tuple[int, ...], float], ...]:
    """Each of ``RULE_SHAPES`` with ``RATES_PER_SHAPE`` of ``rates``, cycling through them so that every
    rate meets several shapes: a jitted target compiles at most this many programs per dtype and rule."""
    return tuple((shape, rates[(RATES_PER_SHAPE * index + k) % len(rates)])
                 for index, shape in enumerate(RULE_SHAPES) for k in range(RATES_PER_SHAPE))


def rule_examples(dtype: np.dtype, rates: Sequence[float] = RULE_RATES) -> st.SearchStrategy[dict[str, Any]]:
    """Examples for the exact rules: ``{"x", "p", "seed"}`` with (shape, p) from ``shape_rate_pairs`` and
    ``x`` either any layout with a fill value and a few drawn elements, or, for the shapes of rank >= 2
    with no axis shorter than 2, a non-contiguous layout with every element drawn, so that a value written at
    the wrong index of a permuted or strided input is found (bug class 15)."""
    return _rule_examples(np.dtype(dtype), shape_rate_pairs(tuple(rates)))


@st.composite
def _rule_examples(draw: st.DrawFn, dtype: np.dtype,
                   pairs: tuple[tuple[tuple[int, ...], float], ...]) -> dict[str, Any]:
    shape, p = draw(st.sampled_from(pairs), label="shape and p")
    x = draw(_rule_arrays(dtype, shape), label="x")
    return {"x": x, "p": p, "seed": draw(st.integers(0, 2**31 - 1), label="seed")}


@cache
def _rule_arrays(dtype: np.dtype, shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    arrays = float_arrays(dtype=dtype, distinct=False, shapes=[shape])
    if len(shape) >= 2 and min(shape) >= 2:
        arrays = st.one_of(arrays, float_arrays(dtype=dtype, shapes=[shape],
                                                layouts=("transposed", "strided", "reversed")))
    return arrays


def layout_examples(dtype: np.dtype) -> list[np.ndarray]:
    """Fixed non-contiguous inputs with distinct nonzero values, all of logical shape ``(2, 3, 5, 8)`` (one
    compile for a compiling framework): channels-last, reversed, strided, axes swapped in pairs, Fortran order.

    Hypothesis draws many zeros and repeated values; these guarantee that every run sees inputs where a
    value at the wrong index cannot hide (bug class 15)."""
    values = (np.arange(1, 241, dtype=np.float64) / 8).astype(dtype)  # exact in every float dtype, bfloat16 too
    return [
        np.transpose(values.reshape(2, 5, 8, 3), (0, 3, 1, 2)),  # NCHW view of NHWC memory: channels_last
        values.reshape(2, 3, 5, 8)[::-1, :, ::-1],
        np.repeat(values.reshape(2, 3, 5, 8), 2, axis=-1)[..., ::2],
        np.transpose(values.reshape(5, 8, 2, 3), (2, 3, 0, 1)),
        np.asfortranarray(values.reshape(2, 3, 5, 8)),
    ]
