"""``dropout-verify matrix``: one table for several targets, written as JSON and Markdown."""

from __future__ import annotations

import json

from dropout_verify.properties.cli import main


def test_matrix_writes_one_row_per_target_and_one_column_per_property(tmp_path, capsys):
    code = main(["matrix", "reference", "reference-classic", "--tier", "quick", "--out", str(tmp_path)])
    assert code == 0
    table = (tmp_path / "matrix.md").read_text()
    header = table.splitlines()[0]
    assert header.count("|") == 15 + 3 and "`mask_structure`" in header
    verdicts, estimates = [part.splitlines() for part in table.split("\n\n")[:2]]
    assert [line.split(" | ")[0] for line in verdicts[2:]] == ["| `reference`", "| `reference-classic`"]
    assert verdicts[2].endswith("| pass |")
    assert all("max rate error" in row for row in estimates[2:])
    data = json.loads((tmp_path / "matrix.json").read_text())
    assert [t["target"] for t in data["targets"]] == ["reference", "reference-classic"]
    assert data["properties"]["nan_policy"]["reference"]["estimate"].startswith("a dropped NaN/inf becomes 0")
    assert capsys.readouterr().out == table + "\n"


def test_matrix_with_an_unknown_target_is_a_usage_error(tmp_path):
    assert main(["matrix", "reference", "no-such-target", "--tier", "quick", "--out", str(tmp_path)]) == 2
    assert not (tmp_path / "matrix.md").exists()


def test_matrix_takes_saved_runs_beside_targets_in_the_order_given(tmp_path):
    main(["reference-classic", "--tier", "quick", "--json", str(tmp_path / "classic.json")])
    main(["matrix", "reference-2d", "--tier", "quick", "--out", str(tmp_path / "first")])
    code = main(["matrix", str(tmp_path / "classic.json"), "reference", str(tmp_path / "first" / "matrix.json"),
                 "--tier", "quick", "--out", str(tmp_path / "all")])
    assert code == 0
    data = json.loads((tmp_path / "all" / "matrix.json").read_text())
    assert [t["target"] for t in data["targets"]] == ["reference-classic", "reference", "reference-2d"]
    assert data["properties"]["mask_structure"]["reference-2d"]["verdict"] == "pass"


def test_matrix_with_a_file_that_is_not_a_run_is_a_usage_error(tmp_path):
    (tmp_path / "other.json").write_text('{"name": "not a run"}')
    assert main(["matrix", str(tmp_path / "other.json"), "--out", str(tmp_path / "out")]) == 2
    assert main(["matrix", str(tmp_path / "missing.json"), "--out", str(tmp_path / "out")]) == 2
