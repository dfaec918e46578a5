"""What a run produces: one record per property, each with its cases, and the run's JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any

import numpy as np


class Verdict(str, Enum):
    """A case's, property's or run's verdict; a ``str`` so that JSON and comparisons see the plain word."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"
    INFO = "info"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @classmethod
    def of(cls, passed: bool) -> Verdict:
        """PASS or FAIL for a decision."""
        return cls.PASS if passed else cls.FAIL

    @property
    def bad(self) -> bool:
        """A failure or an error: what makes a run fail."""
        return self in (Verdict.FAIL, Verdict.ERROR)


@dataclass
class Case:
    """One decision or measurement of a property at one dtype, rate and shape."""

    dtype: str
    p: float | None
    shape: list[int] | None
    verdict: Verdict
    estimate: float | None = None
    ci: list[float] | None = None
    p_value: float | None = None
    samples: int = 0
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.verdict = Verdict(self.verdict)


@dataclass
class PropertyResult:
    """A property's verdict, its statistical design and the cases it is made of."""

    name: str
    verdict: Verdict
    hypothesis: str
    test: str
    bug_classes: list[int]
    alpha: float | None = None  # per decision, after the family-wise correction
    decisions: int = 0
    power: float | None = None
    effect_size: str = ""
    p_value: float | None = None  # the smallest over the property's decisions
    samples: int = 0
    estimate: float | None = None
    ci: list[float] | None = None
    message: str = ""
    cases: list[Case] = field(default_factory=list)
    seconds: float = 0.0
    target_seconds: float = 0.0  # of ``seconds``, the time spent inside target calls
    key_estimate: str = ""  # the one number or word that says how far the property is from holding (its check's)

    def __post_init__(self) -> None:
        self.verdict = Verdict(self.verdict)

    def summarise(self) -> None:
        """Fill the property's verdict, p-value, samples and message from its cases."""
        self.samples = sum(case.samples for case in self.cases)
        p_values = [case.p_value for case in self.cases if case.p_value is not None]
        self.p_value = min(p_values) if p_values else None
        verdicts = {case.verdict for case in self.cases}
        for verdict in (Verdict.ERROR, Verdict.FAIL):
            if verdict in verdicts:
                self.verdict = verdict
                first = next(case for case in self.cases if case.verdict == verdict)
                where = f"dtype={first.dtype}" + (f", p={first.p}" if first.p is not None else "")
                self.message = f"{where}: {first.message}"
                return
        if self.verdict not in (Verdict.INFO, Verdict.SKIPPED, Verdict.ERROR):
            self.verdict = next((verdict for verdict in (Verdict.PASS, Verdict.INFO) if verdict in verdicts),
                                Verdict.SKIPPED)


def _clean(value: Any) -> Any:
    """Plain JSON: numpy scalars become Python numbers, NaN and infinity strings (JSON has neither)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    return value


@dataclass
class RunResult:
    """A whole run: the target, the environment, the seed and tier, and every property."""

    target: str
    convention: str
    seed: int
    tier: str
    family_alpha: float
    properties: list[PropertyResult]
    versions: dict[str, str]
    machine: dict[str, Any]
    seconds: float = 0.0
    complete: bool = True

    @property
    def target_seconds(self) -> float:
        """Time spent inside target calls, summed over the properties (and so over the workers)."""
        return sum(prop.target_seconds for prop in self.properties)

    @property
    def verdict(self) -> Verdict:
        bad = any(prop.verdict.bad for prop in self.properties)
        return Verdict.FAIL if bad or not self.complete else Verdict.PASS

    def property(self, name: str) -> PropertyResult:
        return next(prop for prop in self.properties if prop.name == name)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        """A run back from its JSON (``to_dict``); unknown keys are ignored, so older runs still load."""
        names = {f.name for f in fields(cls)}
        prop_names = {f.name for f in fields(PropertyResult)}
        case_names = {f.name for f in fields(Case)}
        properties = [
            PropertyResult(**{
                **{key: value for key, value in prop.items() if key in prop_names and key != "cases"},
                "cases": [Case(**{k: v for k, v in case.items() if k in case_names}) for case in prop.get("cases", [])],
            })
            for prop in data["properties"]
        ]
        return cls(**{**{key: value for key, value in data.items() if key in names and key != "properties"},
                      "properties": properties})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict
        data["target_seconds"] = self.target_seconds
        return _clean(data)

    def to_json(self, *, timings: bool = True) -> str:
        """The run as JSON; ``timings=False`` drops the wall-clock fields, leaving what the seed decides."""
        data = self.to_dict()
        if not timings:
            data.pop("seconds")
            data.pop("target_seconds")
            for prop in data["properties"]:
                prop.pop("seconds")
                prop.pop("target_seconds")
        return json.dumps(data, indent=2, sort_keys=False)
