"""``dropout-verify matrix``: one table for several targets, written as JSON and Markdown."""

from __future__ import annotations

import json

from properties.cli import main


def test_matrix_writes_one_row_per_property_and_one_column_per_target(tmp_path, capsys):
    code = main(["matrix", "reference", "reference-classic", "--tier", "quick", "--out", str(tmp_path)])
    assert code == 0
    table = (tmp_path / "matrix.md").read_text()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == 14
    assert "`reference-classic`" in table.splitlines()[0]
    assert any("max rate error" in row for row in rows)
    data = json.loads((tmp_path / "matrix.json").read_text())
    assert [t["target"] for t in data["targets"]] == ["reference", "reference-classic"]
    assert data["properties"]["nan_policy"]["reference"]["estimate"].startswith("a dropped NaN/inf becomes 0")
    assert capsys.readouterr().out == table + "\n"


def test_matrix_with_an_unknown_target_is_a_usage_error(tmp_path):
    assert main(["matrix", "reference", "no-such-target", "--tier", "quick", "--out", str(tmp_path)]) == 2
    assert not (tmp_path / "matrix.md").exists()
