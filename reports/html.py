"""Render a run's JSON as one self-contained HTML page: inline CSS, figures as inline SVG, no scripts,
fonts or network access, so the file can be mailed, archived or opened offline."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..properties.files import write_atomic
from . import plots
from .summary import (
    counts,
    estimate_text,
    expectation_lines,
    findings,
    headline_case,
    law_text,
    minimal_examples,
    number,
    reproduce_snippet,
)

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px;
       padding: 1.5em; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
h3 { margin: 1.2em 0 0.3em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; }
.pass { background: #dff3e3; color: #17602a; } .fail, .error { background: #fbe0e0; color: #8a1414; }
.info { background: #e3ecfa; color: #1d4a8a; } .skipped { background: #eee; color: #555; }
.deviation { background: #fdf1d8; color: #7a4d00; } .xfail { background: #efe6f7; color: #5a2d82; }
.incomplete { background: #fff1cc; color: #7a5200; }
.verdict { font-size: 1.25em; }
.meta { color: #555; } .meta td:first-child { width: 12em; color: #333; }
pre { background: #f6f8fa; padding: 0.7em; overflow-x: auto; border: 1px solid #e4e4e4; font-size: 12px; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 12px; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def badge(verdict: str) -> str:
    return f'<span class="badge {_e(verdict)}">{_e(verdict.upper())}</span>'


def _header(run: dict[str, Any]) -> list[str]:
    complete = run.get("complete", True)
    status = badge(run["verdict"]) + ("" if complete else ' <span class="badge incomplete">INCOMPLETE</span>')
    tally = ", ".join(f"{n} {verdict}" for verdict, n in counts(run).items() if n)
    versions = ", ".join(f"{key} {value}" for key, value in run.get("versions", {}).items())
    machine = run.get("machine", {})
    rows = [
        ("verdict", f'<span class="verdict">{status}</span> ({_e(tally)})'),
        ("target", f"<code>{_e(run['target'])}</code>, {_e(law_text(run))}"),
        ("tier, seed", f"{_e(run['tier'])}, seed {_e(run['seed'])}"),
        ("family-wise alpha", f"{_e(number(run['family_alpha']))} (Bonferroni over every statistical decision)"),
        ("time", f"{float(run.get('seconds', 0.0)):.1f} s" + (
            f", of which {float(run['target_seconds']):.1f} s inside target calls" if "target_seconds" in run else "")),
        ("versions", _e(versions)),
        ("machine", _e(f"{machine.get('platform', '?')}, {machine.get('cpus', '?')} CPUs")),
    ]
    lines = [f"<h1>dropout-verify: {_e(run['target'])}</h1>"]
    if not complete:
        lines.append("<p><strong>This run was interrupted: the properties below are those measured before the "
                     "interruption; the verdict cannot be PASS.</strong></p>")
    lines.append('<table class="meta">' + "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows) + "</table>")
    return lines


def _overview(run: dict[str, Any]) -> list[str]:
    lines = ["<h2>Properties</h2>", "<table><tr><th>property</th><th>verdict</th><th>estimate [interval]</th>"
             "<th>p-value</th><th>samples</th><th>power</th><th>against</th><th>message</th></tr>"]
    for prop in run["properties"]:
        case = headline_case(prop)
        lines.append(
            f'<tr><td><a href="#{_e(prop["name"])}">{_e(prop["name"])}</a></td><td>{badge(prop["verdict"])}</td>'
            f"<td>{_e(estimate_text(case))}</td><td class=num>{_e(number(prop.get('p_value')))}</td>"
            f"<td class=num>{prop.get('samples', 0):,}</td><td class=num>{_e(number(prop.get('power'), 4))}</td>"
            f"<td>{_e(prop.get('effect_size') or '-')}</td><td>{_e(prop.get('message') or '')}</td></tr>")
    lines.append("</table>")
    graded = expectation_lines(run)
    if graded:
        lines += ["<h2>Expected findings</h2>", "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in graded) + "</ul>"]
    if run.get("deviation_tolerance") is not None and any(prop["verdict"] == "deviation" for prop in run["properties"]):
        strict = " (strict: deviations fail the run)" if run.get("strict") else ""
        lines.append(f"<p>A deviation is a finding whose every value is within {run['deviation_tolerance']:g} "
                     f"(relative) of the exact one{strict}.</p>")
    return lines


def _details(run: dict[str, Any]) -> list[str]:
    lines = ["<h2>Details</h2>"]
    for prop in run["properties"]:
        lines += [f'<h3 id="{_e(prop["name"])}">{_e(prop["name"])} {badge(prop["verdict"])}</h3>',
                  f"<p><strong>Hypothesis:</strong> {_e(prop['hypothesis'])}. <strong>Test:</strong> "
                  f"{_e(prop['test'])}. <strong>Alpha per decision:</strong> {_e(number(prop.get('alpha')))} "
                  f"over {prop.get('decisions', 0)} decisions. <strong>Bug classes:</strong> "
                  f"{_e(', '.join(map(str, prop.get('bug_classes', []))) or '-')}.</p>"]
        found = findings(prop)
        if found:
            lines.append("<ul>" + "".join(
                f"<li>{badge(case['verdict'])} dtype {_e(case['dtype'])}, p = {_e(case['p'])}: {_e(case['message'])}"
                + (f" <em>(expected: {_e(case['expected'])})</em>" if case.get("expected") else "")
                + "</li>" for case in found[:8]) + "</ul>")
        for example in minimal_examples(prop)[:2]:
            lines += ["<p>Smallest failing input found by Hypothesis, to paste into Python:</p>",
                      f"<pre>{_e(reproduce_snippet(run, example))}</pre>"]
        tested = [case for case in prop.get("cases", []) if case.get("estimate") is not None]
        if tested:
            lines.append("<details><summary>every case</summary><table><tr><th>dtype</th><th>p</th><th>verdict</th>"
                         "<th>estimate [interval]</th><th>p-value</th><th>samples</th></tr>" + "".join(
                             f"<tr><td>{_e(case['dtype'])}</td><td>{_e(case['p'])}</td><td>{badge(case['verdict'])}"
                             f"</td><td>{_e(estimate_text({**case, 'dtype': None, 'p': None}))}</td>"
                             f"<td class=num>{_e(number(case.get('p_value')))}</td>"
                             f"<td class=num>{case.get('samples', 0):,}</td></tr>" for case in tested)
                         + "</table></details>")
    return lines


def _figures(run: dict[str, Any]) -> list[str]:
    drawn = plots.all_figures(run)
    if not drawn:
        return []
    lines = ["<h2>Figures</h2>"]
    for key, title, svg in drawn:
        lines += [f'<figure id="figure-{key}">', svg, f"<figcaption>{_e(title)}</figcaption>", "</figure>"]
    return lines


def render(run: dict[str, Any]) -> str:
    """The whole page for one run."""
    body = _header(run) + _overview(run) + _figures(run) + _details(run)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>dropout-verify: {_e(run['target'])} {_e(run['verdict'].upper())}</title>",
        f"<style>{CSS}</style>", "</head>", "<body>", *body, "</body>", "</html>", "",
    ])


def write(run: dict[str, Any], folder: Path) -> list[Path]:
    """The reporter entry point: write ``report.html`` into ``folder``."""
    path = Path(folder) / "report.html"
    write_atomic(path, render(run))
    return [path]
