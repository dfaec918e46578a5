"""The framework tests' check: a standard run finds exactly what the folder's expected-findings.toml names."""

from __future__ import annotations

from pathlib import Path

from dropout_verify.properties import verify
from dropout_verify.properties.expectations import Status
from dropout_verify.properties.result import RunResult, Verdict

SETTLED = (Verdict.PASS, Verdict.XFAIL, Verdict.INFO, Verdict.SKIPPED)


def run_against(name: str, expected: Path, properties: list[str] | None = None) -> RunResult:
    """The standard battery on ``name`` (seed 0), or the ``properties`` named, strict both ways: a deviation the file
    does not name fails, and so does an entry that no longer finds anything."""
    return verify(name, tier="standard", seed=0, expect=expected, strict_expect=True, strict=True,
                  properties=properties)


def surprises(run: RunResult) -> list[str]:
    """Every finding the file does not name and every entry that applies to the target but matched nothing (an entry
    of a property left out of a subset run is not judged)."""
    found = [f"{prop.name} {prop.verdict}: {prop.message}" for prop in run.properties if prop.verdict not in SETTLED]
    stale = [f"entry {outcome.expectation.describe()} is {outcome.status}" for outcome in run.expectations
             if outcome.status not in (Status.MATCHED, Status.NOT_RUN)]
    return found + stale
