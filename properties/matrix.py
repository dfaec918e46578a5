"""The compatibility matrix: several targets through the same battery, one table of verdicts and the
estimate that explains each (rate error, worst ulp, bias of E[y], NaN policy, p = 1 behaviour)."""

from __future__ import annotations

from typing import Any

from .result import PropertyResult, RunResult

MARK = {"pass": "pass", "fail": "**FAIL**", "error": "**ERROR**", "skipped": "skipped", "info": "info"}


def _largest(values: list[float]) -> float | None:
    return max(values, key=abs) if values else None


def key_estimate(prop: PropertyResult) -> str:
    """The one number (or word) that says how far a property is from holding."""
    cases = prop.cases
    if prop.name == "mask_rate":
        error = _largest([c.extra["rate_error"] for c in cases if "rate_error" in c.extra])
        return f"max rate error {error:+.2e}" if error is not None else ""
    if prop.name == "kept_values":
        worst = max((c.extra["worst_ulps"] for c in cases if "worst_ulps" in c.extra), default=None)
        bias = [(c.extra["relative_bias_percent"], c.dtype) for c in cases if "relative_bias_percent" in c.extra]
        if worst is None:
            return ""
        value, dtype = max(bias, key=lambda item: abs(item[0]))
        return f"worst {worst} ulp; bias of E[y] {value:+.3g}% ({dtype})"
    if prop.name == "unbiased":
        pairs = [(c.estimate, c.dtype) for c in cases if c.estimate is not None]
        if not pairs:
            return ""
        value, dtype = max(pairs, key=lambda item: abs(item[0]))
        return f"relative bias {100 * value:+.3f}% ({dtype})"
    if prop.name == "edge_rates":
        p_one = {c.extra.get("p1") for c in cases if c.p == 1.0}
        return "p = 1 raises" if "raises" in p_one else "p = 1 gives zeros"
    if prop.name == "nan_policy":
        return prop.message
    if prop.verdict in ("fail", "error"):
        return prop.message
    return ""


def matrix_dict(runs: list[RunResult]) -> dict[str, Any]:
    """The matrix as data: targets with their versions, and for each property each target's cell."""
    names = [prop.name for prop in runs[0].properties] if runs else []
    return {
        "targets": [{"target": run.target, "verdict": run.verdict, "tier": run.tier, "seed": run.seed,
                     "versions": run.versions, "seconds": run.seconds} for run in runs],
        "properties": {
            name: {run.target: {"verdict": run.property(name).verdict, "estimate": key_estimate(run.property(name)),
                                "message": run.property(name).message} for run in runs}
            for name in names
        },
    }


SHORT = {"pass": "pass", "fail": "**FAIL**", "error": "**ERROR**", "skipped": "-", "info": "info"}
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
