"""The compatibility matrix as data: several runs, each property's verdict and key estimate per target
(``dropout_verify.reports.matrix`` renders it)."""

from __future__ import annotations

from typing import Any

from .result import RunResult


def matrix_dict(runs: list[RunResult]) -> dict[str, Any]:
    """The matrix as data: targets with their versions, and for each property each target's cell."""
    names = [prop.name for prop in runs[0].properties] if runs else []
    return {
        "targets": [{"target": run.target, "verdict": run.verdict, "tier": run.tier, "seed": run.seed,
                     "versions": run.versions, "seconds": run.seconds} for run in runs],
        "properties": {
            name: {run.target: {"verdict": run.property(name).verdict, "estimate": run.property(name).key_estimate,
                                "message": run.property(name).message} for run in runs}
            for name in names
        },
    }
