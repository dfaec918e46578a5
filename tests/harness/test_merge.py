"""A run split over machines by property subsets merges into the single run: same JSON apart from timings."""

from __future__ import annotations

import json

import pytest
from dropout_verify.properties import verify
from dropout_verify.properties.cli import main
from dropout_verify.properties.merge import merge_runs

FIRST = ["mask_rate", "independence_elements", "edge_rates", "nan_policy"]
SECOND = ["kept_values", "unbiased", "noise_law", "inference", "backward_mask", "mask_structure",
          "independence_samples", "independence_calls", "seed_reproducibility", "contract", "invalid_rate"]


def test_parts_computed_separately_merge_into_the_single_run():
    whole = verify("reference", tier="quick", seed=5)
    parts = [verify("reference", tier="quick", seed=5, properties=names) for names in (SECOND, FIRST)]
    merged = merge_runs(parts)
    assert merged.to_json(timings=False) == whole.to_json(timings=False)


def test_parts_that_disagree_or_overlap_are_refused():
    part = verify("reference", tier="quick", seed=5, properties=["inference"])
    other_seed = verify("reference", tier="quick", seed=6, properties=["contract"])
    with pytest.raises(ValueError, match="differs in seed"):
        merge_runs([part, other_seed])
    with pytest.raises(ValueError, match="property 'inference' is in parts 1 and 2"):
        merge_runs([part, part])


def test_merge_command_writes_the_merged_run(tmp_path):
    for index, names in enumerate((FIRST, SECOND)):
        assert main(["reference", "--tier", "quick", "--seed", "5", "--workers", "0", "--properties", ",".join(names),
                     "--json", str(tmp_path / f"part{index}.json")]) == 0
    code = main(["merge", str(tmp_path / "part0.json"), str(tmp_path / "part1.json"), "--json",
                 str(tmp_path / "run.json")])
    assert code == 0
    merged = json.loads((tmp_path / "run.json").read_text())
    assert [prop["name"] for prop in merged["properties"]][:3] == ["mask_rate", "kept_values", "unbiased"]
    assert merged["verdict"] == "pass"
