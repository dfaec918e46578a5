"""What a run produces: one record per property, each with its cases, and the run's JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .expectations import Outcome


class Verdict(str, Enum):
    """A case's, property's or run's verdict; a ``str`` so that JSON and comparisons see the plain word."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"
    INFO = "info"
    # a certain finding whose measured effect is below the practical tolerance (``grading``): shown, not a
    # failure unless the run is strict
    DEVIATION = "deviation"
    # every finding of the property is listed in the run's expected findings (``expect``)
    XFAIL = "xfail"

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

    @property
    def finding(self) -> bool:
        """Something found about the target (a failure, an error, a deviation) that an expectation can name."""
        return self in (Verdict.FAIL, Verdict.ERROR, Verdict.DEVIATION)


# the order in which a property's headline picks its finding: what the target computed wrong first, then what
# could not be judged, then what is immaterial
SERIOUSNESS = (Verdict.FAIL, Verdict.ERROR, Verdict.DEVIATION)


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
    # for a finding: an upper bound on the relative error of E[y] it implies (inf for a wrong value such as NaN
    # where the law gives a finite one; None when the finding has no measured size), graded by ``grading``
    effect: float | None = None
    expected: str = ""  # the reason of the expected finding (``expect``) that names this case, if one does

    def __post_init__(self) -> None:
        self.verdict = Verdict(self.verdict)
        if isinstance(self.effect, str):  # JSON writes infinity as a string
            self.effect = float(self.effect)

    @property
    def where(self) -> str:
        return f"dtype={self.dtype}" + (f", p={self.p}" if self.p is not None else "")


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
    target_calls: int = 0  # the calls it made to the target (how its time splits into per-call overhead)
    # of ``target_seconds``, the calls with a (method, dtype, shape, rate, mode) new to their process: a compiling
    # framework's compile time. A timing: which calls are first depends on what the worker ran before
    first_call_seconds: float = 0.0
    first_calls: int = 0
    key_estimate: str = ""  # the one number or word that says how far the property is from holding (its check's)
    expected: str = ""  # for an error of the whole property (no case): the reason of the expectation naming it

    def __post_init__(self) -> None:
        self.verdict = Verdict(self.verdict)

    @property
    def findings(self) -> list[Case]:
        return [case for case in self.cases if case.verdict.finding]

    def summarise(self) -> None:
        """Fill the property's verdict, p-value, samples and message from its cases. The verdict and headline
        are those of its most serious finding not expected (a failure before an error before a deviation;
        among equals the largest effect, an unmeasured one counting as unbounded, then the first); ``xfail``
        when every finding is expected."""
        self.samples = sum(case.samples for case in self.cases)
        p_values = [case.p_value for case in self.cases if case.p_value is not None]
        self.p_value = min(p_values) if p_values else None
        findings = self.findings
        if findings:
            open_ = [case for case in findings if not case.expected]
            worst = min(open_ or findings, key=lambda case: (
                SERIOUSNESS.index(case.verdict), -(case.effect if case.effect is not None else math.inf)))
            self.verdict = worst.verdict if open_ else Verdict.XFAIL
            self.message = f"{worst.where}: {worst.message}"
            return
        verdicts = {case.verdict for case in self.cases}
        if self.verdict not in (Verdict.INFO, Verdict.SKIPPED, Verdict.ERROR, Verdict.XFAIL):
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
    # a finding below this relative effect on E[y] is a deviation (``grading``); a strict run fails on one
    deviation_tolerance: float | None = None
    strict: bool = False
    expectations: list[Outcome] = field(default_factory=list)  # what became of each expected finding
    strict_expect: bool = False  # an expected finding that is fixed fails the run
    law: str = "bernoulli"  # the target's law (``laws``): bernoulli (with its convention), alpha or gaussian
    world_size: int | None = None  # a distributed target's ranks (``distributed``); None for one process
    contract: str = ""  # a distributed target's contract: independent or replicated

    @property
    def law_description(self) -> str:
        """"inverted convention", "classic convention", "alpha law", "gaussian law"; for a distributed target
        "independent contract on 4 ranks"."""
        if self.world_size:
            return f"{self.contract} contract on {self.world_size} ranks"
        return f"{self.convention} convention" if self.law == "bernoulli" else f"{self.law} law"

    @property
    def target_seconds(self) -> float:
        """Time spent inside target calls, summed over the properties (and so over the workers)."""
        return sum(prop.target_seconds for prop in self.properties)

    @property
    def first_call_seconds(self) -> float:
        """Of ``target_seconds``, the first calls of each signature in each process (a framework's compiles)."""
        return sum(prop.first_call_seconds for prop in self.properties)

    @property
    def fixed(self) -> list[Outcome]:
        """Expected findings that the run no longer finds."""
        return [outcome for outcome in self.expectations if outcome.status.value == "fixed"]

    @property
    def verdict(self) -> Verdict:
        """``fail`` for an unexpected failure or error, an interrupted run, a deviation under ``strict`` or a
        fixed expected finding under ``strict_expect``; else ``deviation`` when one was found; else ``pass``."""
        verdicts = {prop.verdict for prop in self.properties}
        if (any(verdict.bad for verdict in verdicts) or not self.complete
                or (self.strict and Verdict.DEVIATION in verdicts) or (self.strict_expect and self.fixed)):
            return Verdict.FAIL
        return Verdict.DEVIATION if Verdict.DEVIATION in verdicts else Verdict.PASS

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
        from .expectations import Outcome

        return cls(**{**{key: value for key, value in data.items()
                         if key in names and key not in ("properties", "expectations")},
                      "properties": properties,
                      "expectations": [Outcome.from_dict(item) for item in data.get("expectations", [])]})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["expectations"] = [outcome.to_dict() for outcome in self.expectations]
        data["verdict"] = self.verdict
        data["target_seconds"] = self.target_seconds
        data["first_call_seconds"] = self.first_call_seconds
        return _clean(data)

    def to_json(self, *, timings: bool = True) -> str:
        """The run as JSON; ``timings=False`` drops the wall-clock fields, leaving what the seed decides."""
        data = self.to_dict()
        if not timings:
            for timing in ("seconds", "target_seconds", "first_call_seconds"):
                data.pop(timing)
            for prop in data["properties"]:
                for timing in ("seconds", "target_seconds", "first_call_seconds", "first_calls"):
                    prop.pop(timing)
        return json.dumps(data, indent=2, sort_keys=False)
