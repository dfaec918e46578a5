"""The distributed target protocol: what is checked before any rank property runs, and what a bad answer becomes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from dropout_verify.properties import verify
from dropout_verify.properties.cli import main
from dropout_verify.properties.distributed import RankAdapter
from dropout_verify.properties.target import TargetCallError, TargetLoadError
from ranks_zoo import RankOffsetSeeds, SameSeedEveryRank


class Fixed(RankOffsetSeeds):
    def __init__(self) -> None:  # the world size is the property's
        pass

    @property
    def world_size(self) -> int:  # read-only: a target built for one world size
        return 2


@pytest.mark.parametrize("world_size", [1, 0, -3, 2.5, True, "4", None])
def test_a_world_size_below_two_or_not_an_integer_is_refused(world_size):
    target = RankOffsetSeeds()
    target.world_size = world_size
    with pytest.raises(TargetLoadError, match="world_size must be an integer of at least 2"):
        RankAdapter(target)


def test_the_contract_is_checked_and_world_size_can_be_overridden():
    target = RankOffsetSeeds()
    target.contract = "shared"
    with pytest.raises(TargetLoadError, match="contract must be one of independent, replicated"):
        RankAdapter(target)
    assert RankAdapter(RankOffsetSeeds(), world_size=8).world_size == 8
    with pytest.raises(TargetLoadError, match="fixed world size"):
        RankAdapter(Fixed(), world_size=8)


def test_a_wrong_number_of_outputs_or_a_wrong_shape_names_the_call():
    adapter = RankAdapter(RankOffsetSeeds(world_size=3))
    adapter.target.forward_ranks = lambda x, p, **_: [x, x]
    with pytest.raises(TargetCallError, match=r"returned 2 outputs for 3 ranks"):
        adapter.outputs(np.ones(4, np.float32), 0.5, training=True, seed=1)
    adapter.target.forward_ranks = lambda x, p, **_: [x, x, x[:2]]
    with pytest.raises(TargetCallError, match=r"rank 2 returned shape \(2,\), expected \(4,\)"):
        adapter.outputs(np.ones(4, np.float32), 0.5, training=True, seed=1)


def test_world_size_is_refused_for_a_single_process_target():
    with pytest.raises(ValueError, match="world_size is for distributed targets"):
        verify("reference", world_size=4)


def test_the_cli_runs_a_distributed_target_on_the_ranks_asked_for(tmp_path, capsys):
    out = tmp_path / "run.json"
    code = main(["ranks_zoo:SameSeedEveryRank", "--tier", "quick", "--world-size", "3", "--json", str(out)])
    assert code == 1
    assert "independent contract on 3 ranks" in capsys.readouterr().out
    run = json.loads(out.read_text())
    assert run["world_size"] == 3 and run["contract"] == "independent"
    independence = next(prop for prop in run["properties"] if prop["name"] == "rank_independence")
    case = independence["cases"][0]
    assert case["extra"]["identical_pairs"] == [[0, 1], [0, 2], [1, 2]]
    assert len(case["extra"]["correlation"]) == 3 and len(case["extra"]["rates"]) == 3
    with pytest.raises(SystemExit) as usage:
        main(["ranks_zoo:SameSeedEveryRank", "--world-size", "1"])
    assert usage.value.code == 2


def test_same_seed_on_every_rank_is_found_at_the_quick_tier():
    run = verify(SameSeedEveryRank(), tier="quick", seed=3)
    assert run.property("rank_independence").verdict == "fail"
    assert run.property("rank_rate").verdict == "pass" and run.property("rank_replication").verdict == "skipped"
