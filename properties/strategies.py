"""Hypothesis strategies for dropout inputs: float arrays of every layout, drop rates, dtypes."""

from __future__ import annotations

from typing import Literal

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOAT_DTYPES = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)]

dtypes: st.SearchStrategy[np.dtype] = st.sampled_from(FLOAT_DTYPES)
# drop probabilities including the edges and values whose keep probability has no short binary form
rates = st.one_of(
    st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0, 1 / 3, 1e-9, 1 - 1e-9]),
    st.floats(0.0, 1.0, allow_nan=False),
)
interior_rates = rates.filter(lambda p: 0.0 < p < 1.0)


@st.composite
def float_arrays(
    draw: st.DrawFn, *, dtype: np.dtype | None = None, finite: bool = True, max_dims: int = 4
) -> np.ndarray:
    """Arrays of any float dtype, 0-d to ``max_dims``-d, possibly empty, permuted or strided (non-contiguous)."""
    chosen: np.dtype = draw(dtypes, label="dtype") if dtype is None else np.dtype(dtype)
    width: Literal[16, 32, 64] = {2: 16, 4: 32, 8: 64}[chosen.itemsize]  # type: ignore[assignment]
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=6), label="shape")
    elements = st.floats(width=width, allow_nan=not finite, allow_infinity=not finite,
                         allow_subnormal=True)
    base = draw(hnp.arrays(chosen, shape, elements=elements), label="base")
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]), label="layout")
    if layout == "transposed" and base.ndim >= 2:
        return np.transpose(base, draw(st.permutations(range(base.ndim)), label="axes"))
    if layout == "strided" and base.ndim >= 1:
        doubled = np.repeat(base, 2, axis=0)
        return doubled[::2]
    return base
