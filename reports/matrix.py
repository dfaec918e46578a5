"""The compatibility matrix: several runs in one table of verdicts and the estimate that explains each
(rate error, worst ulp, bias of E[y], NaN policy, p = 1 behaviour: each check's own key estimate)."""

from __future__ import annotations

from pathlib import Path

from ..properties.files import write_atomic
from ..properties.matrix import matrix_dict
from ..properties.result import RunResult

SHORT = {"pass": "pass", "fail": "**FAIL**", "error": "**ERROR**", "skipped": "-", "info": "info",
         "deviation": "deviation", "xfail": "xfail"}
# the properties whose key estimate gets a column of the second table
ESTIMATE_COLUMNS = ("mask_rate", "kept_values", "unbiased", "edge_rates", "nan_policy")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def matrix_markdown(runs: list[RunResult]) -> str:
    """Three parts that stay readable for many targets: targets down and properties across with the
    verdict only; the key estimates per target; then every failure in one line."""
    data = matrix_dict(runs)
    names = list(data["properties"])
    lines = [_row(["target", *(f"`{name}`" for name in names), "run"]), "|---" * (len(names) + 2) + "|"]
    for entry in data["targets"]:
        target = entry["target"]
        marks = [SHORT.get(data["properties"][name][target]["verdict"], "?") for name in names]
        lines.append(_row([f"`{target}`", *marks, SHORT[entry["verdict"]]]))
    columns = [name for name in ESTIMATE_COLUMNS if name in data["properties"]]
    if columns:
        lines += ["", _row(["target", *(f"`{name}`" for name in columns)]), "|---" * (len(columns) + 1) + "|"]
        for entry in data["targets"]:
            target = entry["target"]
            lines.append(_row([f"`{target}`", *(data["properties"][name][target]["estimate"] for name in columns)]))
    failures = [f"- `{target}` `{name}` ({cell['verdict']}): {cell['message']}"
                for name, cells in data["properties"].items() for target, cell in cells.items()
                if cell["verdict"] in ("fail", "error")]
    if failures:
        lines += ["", "Failures, each the first failing case:", "", *failures]
    return "\n".join(lines) + "\n"


def write(runs: list[RunResult], folder: Path) -> list[Path]:
    """The matrix renderer entry point: ``matrix.md`` into ``folder``."""
    path = Path(folder) / "matrix.md"
    write_atomic(path, matrix_markdown(runs))
    return [path]
