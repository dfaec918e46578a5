"""The shape every property takes, and the two ways a property decides: Hypothesis for exact rules,
seeded samples for statistical ones."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st

from ..context import Context
from ..hypothesis_isolation import isolated_hypothesis
from ..plan import Scope
from ..result import Case, PropertyResult, Verdict
from ..target import TargetCallError, WrongValue


class PropertyFailure(AssertionError):
    """A deterministic rule broken by the target: the message says where, expected against got."""


class Check:
    """One named property. Subclasses state, in their docstring, what must hold, the bug classes of
    ``bug-classes.md`` it guards, the test and its power."""

    name: ClassVar[str]
    hypothesis: ClassVar[str]  # the null hypothesis or rule, one sentence
    test: ClassVar[str]
    bug_classes: ClassVar[tuple[int, ...]]
    effect_size: ClassVar[str] = ""
    # seconds a standard run of the reference spends on it: workers take the heaviest first, so that no
    # worker idles while another finishes a long one (the order of tasks never changes a result)
    weight: ClassVar[float] = 0.0
    # the laws (``laws.LAW_NAMES``) this property applies to; for each other law, why not
    not_for: ClassVar[dict[str, str]] = {}

    def decisions(self, scope: Scope) -> int:
        """How many statistical decisions this property will make (each spends the plan's alpha)."""
        return 0

    def skip_reason(self, law: str) -> str:
        """Why this property does not apply to a target of ``law`` ("" when it does)."""
        reason = self.not_for.get(law)
        return f"does not apply to the {law} law: {reason}" if reason else ""

    def planned_decisions(self, scope: Scope) -> int:
        """``decisions``, or 0 for a law the property does not apply to: a skipped property spends no alpha."""
        return 0 if self.skip_reason(scope.law) else self.decisions(scope)

    def run(self, ctx: Context, result: PropertyResult) -> None:
        raise NotImplementedError

    def new_result(self, ctx: Context) -> PropertyResult:
        decisions = self.planned_decisions(ctx.scope)
        return PropertyResult(
            name=self.name, verdict=Verdict.PASS, hypothesis=self.hypothesis, test=self.test,
            bug_classes=list(self.bug_classes), alpha=ctx.alpha if decisions else None, decisions=decisions,
            effect_size=self.effect_size,
        )

    def key_estimate(self, result: PropertyResult) -> str:
        """The one number or word that says how far the property is from holding, for tables of many runs
        (the compatibility matrix, comparisons): by default the reason of a failure or error."""
        return result.message if result.verdict.bad else ""

    def error_result(self, ctx: Context, message: str) -> PropertyResult:
        """The property's record when it could not run (its worker died or hung, the probe failed, Ctrl-C)."""
        result = self.new_result(ctx)
        result.verdict, result.message = Verdict.ERROR, message
        result.key_estimate = self.key_estimate(result)
        return result


def error_case(dtype: np.dtype | str, p: float | None, error: TargetCallError) -> Case:
    """The case of a call that failed: ``error`` naming it, or ``fail`` for a wrong value (NaN from a finite
    input), which is a finding whose effect on E[y] has no bound."""
    wrong = isinstance(error, WrongValue)
    return Case(dtype=str(np.dtype(dtype).name if not isinstance(dtype, str) else dtype), p=p, shape=None,
                verdict=Verdict.FAIL if wrong else Verdict.ERROR, message=str(error),
                effect=math.inf if wrong else None)


def guarded(dtype: np.dtype | str, p: float | None, decide: Callable[..., Case | list[Case]], *args: Any) -> list[Case]:
    """The cases ``decide(*args)`` makes, or the one error case naming the call when a target call inside it
    failed (it raised, hung, returned garbage): one case's failure never stops the property's other cases."""
    try:
        cases = decide(*args)
    except TargetCallError as error:
        return [error_case(dtype, p, error)]
    return cases if isinstance(cases, list) else [cases]


def run_hypothesis(
    ctx: Context,
    dtype: np.dtype,
    name: str,
    strategy: st.SearchStrategy[Any],
    rule: Callable[[Any], None],
    explicit: Sequence[Any] = (),
) -> Case:
    """Run ``rule`` on the tier's number of inputs drawn by Hypothesis, seeded from the run seed, and
    return the case for ``dtype``.

    ``explicit`` examples run first, as Hypothesis's ``@example``. The case passes when every example
    holds; it fails for a broken rule and is an error for a target call that raised, with the minimal
    example attached: Hypothesis shrinks the failing input and replays it last, which is the one recorded.
    Explicit examples are not shrunk, so when one of them fails, a second search without them looks for
    a smaller failing input to record instead (the verdict is the same either way)."""
    failing: dict[str, Any] = {}

    def recorded(example: Any) -> None:
        try:
            rule(example)
        except (PropertyFailure, TargetCallError) as problem:
            failing.update(example=example, problem=problem)
            raise

    def search(phases: list[Phase], examples: Sequence[Any]) -> bool:
        """True when the rule held; otherwise ``failing`` holds the last (shrunk) failing example."""
        test = given(strategy)(recorded)
        for case in reversed(examples):
            test = example(case)(test)
        runner = settings(
            database=None, max_examples=ctx.tier.examples, deadline=None, derandomize=False,
            suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False,
            report_multiple_bugs=False,  # one shrunk failure per case, not an ExceptionGroup
            phases=phases,
        )(seed(ctx.hypothesis_seed(name, dtype.name))(test))
        try:
            with isolated_hypothesis():
                runner()
        except (PropertyFailure, TargetCallError):
            return False
        return True

    if not search([Phase.explicit, Phase.generate, Phase.shrink], explicit):
        problem, found = failing["problem"], failing["example"]
        # an explicit example is not shrunk: look for a smaller failing input to report beside it
        if explicit and any(found is case for case in explicit):
            if not search([Phase.generate, Phase.shrink], ()):
                problem, found = failing["problem"], failing["example"]
        judged = not isinstance(problem, TargetCallError) or isinstance(problem, WrongValue)
        return Case(dtype=dtype.name, p=None, shape=None, samples=ctx.tier.examples,
                    verdict=Verdict.FAIL if judged else Verdict.ERROR, message=str(problem),
                    effect=math.inf if isinstance(problem, WrongValue) else None,
                    extra={"minimal_example": describe_example(found), "example": example_arguments(found)})
    return Case(dtype=dtype.name, p=None, shape=None, verdict=Verdict.PASS, samples=ctx.tier.examples,
                message="the rule held on every example")


def example_arguments(example: Any) -> dict[str, str]:
    """A drawn example's arguments by name, each as Python source (``{"x": "np.array(...)", "p": "0.5"}``),
    so that a report can rebuild the call without reading the description back."""
    if isinstance(example, dict):
        return {str(key): describe_example(value) for key, value in example.items()}
    return {}


def describe_example(example: Any) -> str:
    """A copy-pasteable description of a Hypothesis example (arrays written with their dtype)."""
    if isinstance(example, dict):
        return "; ".join(f"{key} = {describe_example(value)}" for key, value in example.items())
    if isinstance(example, tuple):
        return "(" + ", ".join(describe_example(value) for value in example) + ")"
    if isinstance(example, np.ndarray):
        return f"np.array({example.tolist()!r}, dtype=np.{example.dtype.name})"
    return repr(example)
