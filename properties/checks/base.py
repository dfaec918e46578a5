"""The shape every property takes, and the two ways a property decides: Hypothesis for exact rules,
seeded samples for statistical ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st

from ..context import Context
from ..result import Case, PropertyResult
from ..target import TargetCallError


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
    needs_backward: ClassVar[bool] = False

    def decisions(self, ctx: Context) -> int:
        """How many statistical decisions this property will make (each spends ``ctx.alpha``)."""
        return 0

    def run(self, ctx: Context, result: PropertyResult) -> None:
        raise NotImplementedError

    def new_result(self, ctx: Context) -> PropertyResult:
        decisions = self.decisions(ctx)
        return PropertyResult(
            name=self.name, verdict="pass", hypothesis=self.hypothesis, test=self.test,
            bug_classes=list(self.bug_classes), alpha=ctx.alpha if decisions else None, decisions=decisions,
            effect_size=self.effect_size,
        )


def error_case(dtype: np.dtype | str, p: float | None, error: TargetCallError) -> Case:
    return Case(dtype=str(np.dtype(dtype).name if not isinstance(dtype, str) else dtype), p=p, shape=None,
                verdict="error", message=str(error))


def run_hypothesis(
    ctx: Context,
    names: tuple[str, ...],
    strategy: st.SearchStrategy[Any],
    rule: Callable[[Any], None],
    examples: int | None = None,
    explicit: Sequence[Any] = (),
) -> tuple[str, str, str] | None:
    """Run ``rule`` on ``examples`` inputs drawn by Hypothesis, seeded from the run seed.

    ``explicit`` examples run first, as Hypothesis's ``@example``. Returns None when every example holds,
    else ``(verdict, message, minimal example)``: ``fail`` for a broken rule, ``error`` for a target call
    that raised. Hypothesis shrinks the failing input first and replays the minimal example last, which
    is the one recorded here."""
    failing: dict[str, Any] = {}

    def recorded(example: Any) -> None:
        try:
            rule(example)
        except (PropertyFailure, TargetCallError) as problem:
            failing.update(example=example, problem=problem)
            raise

    test = given(strategy)(recorded)
    for case in reversed(explicit):
        test = example(case)(test)
    runner = settings(
        database=None, max_examples=examples or ctx.tier.examples, deadline=None, derandomize=False,
        suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )(seed(ctx.hypothesis_seed(*names))(test))
    try:
        runner()
    except (PropertyFailure, TargetCallError):
        problem = failing["problem"]
        verdict = "error" if isinstance(problem, TargetCallError) else "fail"
        return verdict, str(problem), describe_example(failing["example"])
    return None


def describe_example(example: Any) -> str:
    """A copy-pasteable description of a Hypothesis example (arrays written with their dtype)."""
    if isinstance(example, dict):
        return "; ".join(f"{key} = {describe_example(value)}" for key, value in example.items())
    if isinstance(example, tuple):
        return "(" + ", ".join(describe_example(value) for value in example) + ")"
    if isinstance(example, np.ndarray):
        return f"np.array({example.tolist()!r}, dtype=np.{example.dtype.name})"
    return repr(example)
