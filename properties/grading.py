"""Graded verdicts: a failure that is certain but immaterial (its measured effect on E[y] below the practical
tolerance) is a ``deviation``: shown everywhere, a failure only for a strict run."""

from __future__ import annotations

from .result import RunResult, Verdict


def grade(run: RunResult, tolerance: float, *, strict: bool = False) -> None:
    """Turn the run's failing cases whose effect (an upper bound on the relative bias of E[y], ``Case.effect``)
    is at most ``tolerance`` into deviations, summarise their properties again, and record how the run was
    graded. Findings without a measured effect (a broken rule, a wrong rate, a dependence) are never graded:
    their size is unbounded as far as the verifier knows."""
    for prop in run.properties:
        graded = False
        for case in prop.cases:
            if case.verdict == Verdict.FAIL and case.effect is not None and case.effect <= tolerance:
                case.verdict = Verdict.DEVIATION
                graded = True
        if graded:
            prop.summarise()
    run.deviation_tolerance, run.strict = tolerance, strict
