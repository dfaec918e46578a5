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


def matrix_markdown(runs: list[RunResult]) -> str:
    """Properties down, targets across; each cell the verdict and its key estimate."""
    data = matrix_dict(runs)
    targets = [entry["target"] for entry in data["targets"]]
    lines = ["| property | " + " | ".join(f"`{t}`" for t in targets) + " |",
             "|---|" + "---|" * len(targets)]
    for name, cells in data["properties"].items():
        row = []
        for target in targets:
            cell = cells[target]
            text = MARK.get(cell["verdict"], cell["verdict"])
            if cell["estimate"]:
                text += f": {cell['estimate']}"
            row.append(text.replace("|", "\\|"))
        lines.append(f"| `{name}` | " + " | ".join(row) + " |")
    lines.append("| **run** | " + " | ".join(MARK[e["verdict"]] for e in data["targets"]) + " |")
    return "\n".join(lines) + "\n"
