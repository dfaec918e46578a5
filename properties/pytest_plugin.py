"""pytest plugin: ``pytest --dropout-target=TARGET`` collects one test item per property and target.

Each item runs its property in a worker process (``--dropout-workers``, default 1) with a call timeout, as the
CLI does, so a target that segfaults or hangs fails that item and the session goes on. Expected findings
(``--dropout-expect FILE``) are xfail; a fixed one fails its item under ``--dropout-strict-expect``, as a
strict xfail does. Import-light on purpose: numpy, scipy and hypothesis are imported only when a target is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .limits import DEFAULT_CALL_TIMEOUT, DEFAULT_DEVIATION_TOLERANCE, seconds_option, tolerance_option, workers_option
from .tiers import TIERS

GROUP = "dropout-verify"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "verify dropout implementations")
    group.addoption("--dropout-target", action="append", default=[], metavar="TARGET",
                    help="verify TARGET (built-in name or package.module:attr); may be given several times")
    group.addoption("--dropout-tier", default="standard", choices=list(TIERS),
                    help="battery tier (default: standard)")
    group.addoption("--dropout-seed", type=int, default=0, help="run seed (default: 0)")
    group.addoption("--dropout-expect", type=Path, metavar="FILE",
                    help="expected findings (TOML, as dropout-verify --expect): the properties they name are xfail")
    group.addoption("--dropout-strict-expect", action="store_true",
                    help="an expected finding that no longer fails fails its item (strict xfail)")
    group.addoption("--dropout-strict", action="store_true", help="a deviation fails its item")
    group.addoption("--dropout-deviation-tolerance", type=tolerance_option, default=DEFAULT_DEVIATION_TOLERANCE,
                    metavar="REL",
                    help=f"as dropout-verify --deviation-tolerance (default {DEFAULT_DEVIATION_TOLERANCE:g})")
    group.addoption("--dropout-workers", type=workers_option, default=1, metavar="N",
                    help="worker processes per item (default 1: a crashing or hanging target fails its item only; "
                         "0 runs in the pytest process, without isolation)")
    group.addoption("--dropout-call-timeout", type=seconds_option, default=DEFAULT_CALL_TIMEOUT, metavar="SECONDS",
                    help=f"abandon a target call after this long (default {DEFAULT_CALL_TIMEOUT:g})")


def pytest_configure(config: pytest.Config) -> None:
    """Read the expected findings once, so that a file the battery could never match stops the session
    before any property runs."""
    path = config.getoption("dropout_expect", None)
    if path and config.getoption("dropout_target"):
        from .checks import ALL_CHECKS
        from .expectations import ExpectationError, Expectations

        try:
            config.stash[EXPECTATIONS] = Expectations.load(path, tuple(check.name for check in ALL_CHECKS))
        except ExpectationError as error:
            raise pytest.UsageError(str(error)) from error


EXPECTATIONS: pytest.StashKey[Any] = pytest.StashKey()


class DropoutTarget(pytest.Collector):
    """One target: its properties are the items, so node ids read ``dropout-verify/TARGET::PROPERTY``."""

    def __init__(self, *, target: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target

    def collect(self) -> list[pytest.Item]:
        from .checks import ALL_CHECKS

        return [DropoutPropertyItem.from_parent(self, name=check.name, target=self.target,
                                                property_name=check.name) for check in ALL_CHECKS]


class DropoutPropertyItem(pytest.Item):
    """One property of one target, verified on its own: every property's alpha and seeds are fixed by the
    whole battery and the run seed, so its verdict is the one a full run gives, and the items can be
    spread over pytest-xdist workers (``pytest -n auto --dropout-target=...``)."""

    def __init__(self, *, target: str, property_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target, self.property_name = target, property_name

    def runtest(self) -> None:
        from .result import Verdict
        from .runner import verify

        option = self.config.getoption
        run = verify(self.target, tier=option("dropout_tier"), seed=option("dropout_seed"),
                     properties=[self.property_name], workers=option("dropout_workers"),
                     call_timeout=option("dropout_call_timeout"), expect=self.config.stash.get(EXPECTATIONS, None),
                     strict_expect=option("dropout_strict_expect"),
                     deviation_tolerance=option("dropout_deviation_tolerance"), strict=option("dropout_strict"))
        if run.world_size:  # the rank battery's properties are not the items collected for it
            pytest.fail(f"{self.target} is a distributed target (forward_ranks): run it with dropout-verify TARGET "
                        "--world-size N; the pytest plugin does not take it yet", pytrace=False)
        result = run.property(self.property_name)
        self.add_report_section("call", "dropout-verify", f"{result.verdict}: {result.message}")
        fixed = [outcome for outcome in run.fixed if outcome.expectation.property == self.property_name]
        if fixed and run.strict_expect:
            raise DropoutPropertyFailure(result, fixed=[outcome.expectation.describe() for outcome in fixed])
        if result.verdict == Verdict.SKIPPED:
            pytest.skip(result.message)
        if result.verdict == Verdict.XFAIL:
            reasons = sorted({case.expected for case in result.findings if case.expected} | {result.expected} - {""})
            pytest.xfail("; ".join(reasons))
        if result.verdict.bad or (result.verdict == Verdict.DEVIATION and run.strict):
            raise DropoutPropertyFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, DropoutPropertyFailure):
            return excinfo.value.describe()
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return f"dropout-verify {self.target}", None, f"{self.target}::{self.property_name}"


class DropoutPropertyFailure(Exception):
    def __init__(self, result: Any, fixed: list[str] | None = None) -> None:
        super().__init__(result.message)
        self.result, self.fixed = result, fixed or []

    def describe(self) -> str:
        r = self.result
        lines = [f"{r.name} {r.verdict}: {r.message}", f"  H0 / rule: {r.hypothesis}", f"  test: {r.test}"]
        lines += [f"  expected finding {entry} no longer fails (strict): remove it" for entry in self.fixed]
        for case in r.findings:
            expected = f" (expected: {case.expected})" if case.expected else ""
            lines.append(f"  {case.verdict} at dtype {case.dtype}, p = {case.p}: {case.message}{expected}")
            if case.extra.get("minimal_example"):
                lines.append(f"    minimal example: {case.extra['minimal_example']}")
        return "\n".join(lines)


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect, so that they select among these items too
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    for target in config.getoption("dropout_target"):
        name = f"dropout-verify/{target}"
        collector = DropoutTarget.from_parent(session, name=name, nodeid=name, target=target)
        items.extend(collector.collect())
