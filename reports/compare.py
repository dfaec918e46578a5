"""Several runs side by side (targets, versions, or one target before and after a change): one row per
property, each run's verdict and key estimate, rows that differ highlighted."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..properties.files import write_atomic
from ..properties.result import RunResult
from .html import CSS, badge
from .summary import FINDINGS, literal


def run_label(run: dict[str, Any]) -> str:
    """What tells runs apart: the target, the framework versions beyond the common ones, tier and seed."""
    common = {"python", "dropout-verify", "numpy", "scipy", "hypothesis"}
    versions = " ".join(f"{key} {value}" for key, value in run.get("versions", {}).items() if key not in common)
    return " ".join(part for part in (run["target"], versions, f"({run['tier']}, seed {run['seed']})") if part)


def rows(runs: list[dict[str, Any]]) -> list[tuple[str, list[tuple[str, str]], bool]]:
    """(property, [(verdict, key estimate) per run], whether the verdicts differ) in battery order; a
    property missing from a run shows as ``absent``."""
    objects = [RunResult.from_dict(run) for run in runs]
    names: list[str] = []
    for run in objects:
        names += [prop.name for prop in run.properties if prop.name not in names]
    table = []
    for name in names:
        cells = []
        for run in objects:
            prop = next((prop for prop in run.properties if prop.name == name), None)
            cells.append((prop.verdict, prop.key_estimate) if prop else ("absent", ""))
        table.append((name, cells, len({verdict for verdict, _ in cells}) > 1))
    return table


def render_markdown(runs: list[dict[str, Any]]) -> str:
    labels = [literal(run_label(run)) for run in runs]  # versions come from the target
    lines = [f"# dropout-verify: comparison of {len(runs)} runs", "",
             "Rows whose verdicts differ are marked **≠**.", "",
             "| property | " + " | ".join(labels) + " |", "|---|" + "---|" * len(runs)]
    for name, cells, differs in rows(runs):
        text = [f"{'**FAIL**' if v == 'fail' else v}{': ' + literal(e) if e and v in FINDINGS else ''}"
                for v, e in cells]
        mark = "**≠** " if differs else ""
        lines.append(f"| {mark}`{name}` | " + " | ".join(text) + " |")
    lines.append("| **run** | " + " | ".join(run["verdict"] for run in runs) + " |")
    return "\n".join(lines) + "\n"


def render_html(runs: list[dict[str, Any]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(run_label(run))}</th>" for run in runs)
    body = []
    for name, cells, differs in rows(runs):
        tds = "".join(f"<td>{badge(verdict)}<br><small>{e(estimate)}</small></td>" for verdict, estimate in cells)
        style = ' style="background:#fff7d6"' if differs else ""
        body.append(f"<tr{style}><td><code>{e(name)}</code>{' ≠' if differs else ''}</td>{tds}</tr>")
    verdicts = "".join(f"<td>{badge(run['verdict'])}</td>" for run in runs)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>dropout-verify: comparison of {len(runs)} runs</title>", f"<style>{CSS}</style>", "</head>",
        "<body>", f"<h1>Comparison of {len(runs)} runs</h1>",
        "<p>One row per property; rows whose verdicts differ are highlighted and marked ≠.</p>",
        f"<table><tr><th>property</th>{head}</tr>", *body, f"<tr><th>run</th>{verdicts}</tr>", "</table>",
        "</body>", "</html>", "",
    ])


def write(runs: list[dict[str, Any]], folder: Path) -> list[Path]:
    """Write ``comparison.md`` and ``comparison.html`` into ``folder``."""
    folder = Path(folder)
    written = [folder / "comparison.md", folder / "comparison.html"]
    write_atomic(written[0], render_markdown(runs))
    write_atomic(written[1], render_html(runs))
    return written
