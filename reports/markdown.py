"""Render a run's JSON as Markdown: the verdict first (it works as a CI job summary), details below."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from properties.files import write_atomic


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def render(run: dict[str, Any]) -> str:
    """The Markdown text of one run."""
    lines = [
        f"# dropout-verify: {run['target']} — **{run['verdict'].upper()}**",
        "",
        f"Tier `{run['tier']}`, seed {run['seed']}, convention {run['convention']}, family-wise alpha "
        f"{run['family_alpha']:g}, {run.get('seconds', 0):.1f} s.",
        "",
        "| property | verdict | p-value | samples | power | effect size | message |",
        "|---|---|---|---|---|---|---|",
    ]
    for prop in run["properties"]:
        lines.append(
            f"| {prop['name']} | {prop['verdict']} | {_number(prop['p_value'])} | {prop['samples']} | "
            f"{_number(prop['power'], 4)} | {prop['effect_size'] or '-'} | {prop['message'] or ''} |"
        )
    lines += ["", "## Details", ""]
    for prop in run["properties"]:
        lines += [f"### {prop['name']}: {prop['verdict']}", "",
                  f"- H0 / rule: {prop['hypothesis']}", f"- test: {prop['test']}",
                  f"- alpha per decision: {_number(prop['alpha'])}, decisions: {prop['decisions']}",
                  f"- bug classes guarded: {', '.join(map(str, prop['bug_classes'])) or '-'}", ""]
        bad = [case for case in prop["cases"] if case["verdict"] in ("fail", "error")]
        for case in bad[:5]:
            lines.append(f"- {case['verdict']} at dtype {case['dtype']}, p = {case['p']}: {case['message']}")
            example = case.get("extra", {}).get("minimal_example")
            if example:
                lines += ["", "  ```python", f"  {example}", "  ```"]
        if bad:
            lines.append("")
    versions = ", ".join(f"{key} {value}" for key, value in run["versions"].items())
    lines += ["## Environment", "", f"{versions}; {run['machine']['platform']}, {run['machine']['cpus']} CPUs", ""]
    return "\n".join(lines)


def write(run: dict[str, Any], folder: Path) -> list[Path]:
    """The reporter entry point: write ``report.md`` into ``folder``."""
    path = Path(folder) / "report.md"
    write_atomic(path, render(run))
    return [path]
