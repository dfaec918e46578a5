"""pytest plugin: ``pytest --dropout-target=TARGET`` adds one test item per property and target.

Import-light on purpose: numpy, scipy and hypothesis are imported only when a target is given.
"""

from __future__ import annotations

from typing import Any

import pytest

GROUP = "dropout-verify"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "verify dropout implementations")
    group.addoption("--dropout-target", action="append", default=[], metavar="TARGET",
                    help="verify TARGET (built-in name or package.module:attr); may be given several times")
    group.addoption("--dropout-tier", default="standard", choices=("quick", "standard", "thorough"),
                    help="battery tier (default: standard)")
    group.addoption("--dropout-seed", type=int, default=0, help="run seed (default: 0)")


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

        run = verify(self.target, tier=self.config.getoption("dropout_tier"),
                     seed=self.config.getoption("dropout_seed"), properties=[self.property_name])
        result = run.property(self.property_name)
        self.add_report_section("call", "dropout-verify", f"{result.verdict}: {result.message}")
        if result.verdict == Verdict.SKIPPED:
            pytest.skip(result.message)
        if result.verdict.bad:
            raise DropoutPropertyFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, DropoutPropertyFailure):
            return excinfo.value.describe()
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return f"dropout-verify {self.target}", None, f"{self.target}::{self.property_name}"


class DropoutPropertyFailure(Exception):
    def __init__(self, result: Any) -> None:
        super().__init__(result.message)
        self.result = result

    def describe(self) -> str:
        r = self.result
        lines = [f"{r.name} {r.verdict}: {r.message}", f"  H0 / rule: {r.hypothesis}", f"  test: {r.test}"]
        for case in r.cases:
            if case.verdict.bad:
                lines.append(f"  {case.verdict} at dtype {case.dtype}, p = {case.p}: {case.message}")
                if case.extra.get("minimal_example"):
                    lines.append(f"    minimal example: {case.extra['minimal_example']}")
        return "\n".join(lines)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    targets = config.getoption("dropout_target")
    if not targets:
        return
    from .checks import ALL_CHECKS

    for target in targets:
        for check in ALL_CHECKS:
            items.append(DropoutPropertyItem.from_parent(
                session, name=f"{check.name}[{target}]", target=target, property_name=check.name,
            ))
