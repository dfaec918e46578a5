"""Structured targets: the cell view the battery works on, and how a target declares it."""

from __future__ import annotations

import numpy as np
import pytest
from dropout_verify.properties import TargetLoadError, verify
from dropout_verify.properties.structure import BROADCAST_EXTENT, Structure
from dropout_verify.properties.target import TargetAdapter
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

CHANNELS = Structure(4, (2, 3))


@pytest.mark.parametrize(("shape", "cells"), [
    ((), (1, 1)), ((7,), (1, 7)), ((5, 6), (5, 6)), ((8, 4, 32), (8, 128)), ((3, 0, 2), (3, 0)),
])
def test_battery_shapes_fold_into_the_cell_axes(shape, cells):
    assert CHANNELS.cell_shape(shape) == cells
    assert CHANNELS.full_shape(shape) == (*cells, BROADCAST_EXTENT, BROADCAST_EXTENT)


@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)),
       st.sampled_from([Structure(4, (2, 3)), Structure(4, (1, 2)), Structure(3, (1,)), Structure(2, (0,))]))
def test_expanding_then_reading_the_first_position_gives_the_cells_back(cells, structure):
    full = structure.expand(cells)
    assert full.flags.c_contiguous and full.ndim == structure.ndim
    assert structure.varying_cells(full) == 0
    np.testing.assert_array_equal(structure.first(full, cells.shape), cells)


def test_varying_cells_counts_cells_not_positions_and_compares_bits():
    full = CHANNELS.expand(np.zeros((3, 5)))
    full[1, 2, 1, 1] = 1.0
    full[2, 4, 0, 1] = -0.0  # a different bit pattern counts, although -0.0 == 0.0
    full[2, 4, 1, 0] = 7.0
    assert CHANNELS.varying_cells(full) == 2
    nan = CHANNELS.expand(np.full((2, 2), np.nan))
    assert CHANNELS.varying_cells(nan) == 0


class Declares:
    def __init__(self, **attributes):
        self.__dict__.update(attributes)

    def forward(self, x, p, *, training, seed):
        return x.copy()


@pytest.mark.parametrize("attributes", [
    {"broadcast_axes": (2, 3)},  # no ndim
    {"broadcast_axes": (2, 3), "ndim": 1},
    {"broadcast_axes": (4,), "ndim": 4},
    {"broadcast_axes": (1, 1), "ndim": 4},
    {"broadcast_axes": (0, 1, 2, 3), "ndim": 4},
    {"broadcast_axes": ("h",), "ndim": 4},
    {"broadcast_axes": (), "ndim": 4},
])
def test_a_nonsense_declaration_is_a_load_error_naming_the_target(attributes):
    with pytest.raises(TargetLoadError, match=r"broadcast_axes|ndim"):
        TargetAdapter(Declares(**attributes), "declares")


def test_negative_axes_are_normalised():
    assert TargetAdapter(Declares(broadcast_axes=(-1, -2), ndim=4)).structure == CHANNELS


def test_an_elementwise_target_skips_mask_structure():
    run = verify("reference", tier="quick", properties=["mask_structure"])
    assert run.property("mask_structure").verdict == "skipped"
    assert run.verdict == "pass"


def test_structured_reference_passes_and_reports_its_structure():
    run = verify("reference-2d", tier="quick")
    assert run.verdict == "pass", {p.name: p.message for p in run.properties if p.verdict != "pass"}
    structure = run.property("mask_structure")
    assert structure.verdict == "pass" and "shared over axes (2, 3)" in structure.effect_size
