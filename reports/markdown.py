"""Render a run's JSON as Markdown: the verdict first (it works as a CI job summary), details below."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..properties.files import write_atomic
from .summary import (
    counts,
    estimate_text,
    expectation_lines,
    finding_text,
    findings,
    headline_case,
    law_text,
    literal,
    minimal_examples,
    number,
    reproduce_snippet,
)


def _inside(run: dict) -> str:
    """`` (1.8 s inside the target)``; runs recorded before the time was measured have none."""
    return f" ({run['target_seconds']:.1f} s inside the target)" if "target_seconds" in run else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(run: dict[str, Any]) -> str:
    """The Markdown text of one run: a short summary on top (a CI job summary shows that), details below."""
    complete = run.get("complete", True)
    status = run["verdict"].upper() + ("" if complete else ", INCOMPLETE: the run was interrupted")
    tally = ", ".join(f"{n} {verdict}" for verdict, n in counts(run).items() if n)
    lines = [
        f"# dropout-verify: {run['target']} — **{status}**",
        "",
        f"{tally}. Tier `{run['tier']}`, seed {run['seed']}, {law_text(run)}, family-wise alpha "
        f"{run['family_alpha']:g}, {run.get('seconds', 0):.1f} s{_inside(run)}.",
        "",
        "| property | verdict | estimate [interval] | p-value | samples | message |",
        "|---|---|---|---|---|---|",
    ]
    for prop in run["properties"]:
        verdict = f"**{prop['verdict'].upper()}**" if prop["verdict"] in ("fail", "error") else prop["verdict"]
        lines.append(
            f"| {prop['name']} | {verdict} | {_cell(estimate_text(headline_case(prop)))} | "
            f"{number(prop['p_value'])} | {prop['samples']:,} | {literal(prop['message'] or '')} |"
        )
    lines += ["", "Figures (rate calibration, p-values, mask correlation, rounding, energy) are in report.html.",
              "", "## Details", ""]
    for prop in run["properties"]:
        lines += [f"### {prop['name']}: {prop['verdict']}", "",
                  f"- H0 / rule: {prop['hypothesis']}", f"- test: {prop['test']}",
                  f"- alpha per decision: {number(prop['alpha'])}, decisions: {prop['decisions']}, power "
                  f"{number(prop['power'], 4)} against {prop['effect_size'] or '-'}",
                  f"- bug classes guarded: {', '.join(map(str, prop['bug_classes'])) or '-'}", ""]
        found = findings(prop)
        for case in found[:5]:
            expected = f" (expected: {literal(case['expected'])})" if case.get("expected") else ""
            lines.append(f"- {finding_text(case)}: {literal(case['message'])}{expected}")
        if found:
            lines.append("")
        for example in minimal_examples(prop)[:1]:
            lines += ["Smallest failing input (Hypothesis):", "", "```python", reproduce_snippet(run, example),
                      "```", ""]
    graded = expectation_lines(run)
    if graded:
        lines += ["## Expected findings", "", *(f"- {literal(line)}" for line in graded), ""]
    if run.get("deviation_tolerance") is not None and any(prop["verdict"] == "deviation" for prop in run["properties"]):
        strict = " (strict: deviations fail the run)" if run.get("strict") else ""
        lines += [f"A deviation is a finding whose every value is within {run['deviation_tolerance']:g} (relative) "
                  f"of the exact one{strict}.", ""]
    versions = ", ".join(f"{literal(key)} {literal(value)}" for key, value in run["versions"].items())
    lines += ["## Environment", "", f"{versions}; {run['machine']['platform']}, {run['machine']['cpus']} CPUs", ""]
    return "\n".join(lines)


def write(run: dict[str, Any], folder: Path) -> list[Path]:
    """The reporter entry point: write ``report.md`` into ``folder``."""
    path = Path(folder) / "report.md"
    write_atomic(path, render(run))
    return [path]
