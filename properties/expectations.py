"""Expected findings: a TOML file naming the findings a team accepts, so that a run with only those passes.

The array-api-tests ``--xfails-file`` convention, made precise: each ``[[finding]]`` names a property and
optionally the dtype, rate, verdict, target and a message pattern of the cases it accepts, with a reason and a
link. A finding the file names becomes ``xfail``; an entry that no longer matches anything is reported as
``fixed`` (and fails a run with ``strict_expect``, as a strict xfail does), so the file cannot rot::

    [[finding]]
    property = "kept_values"          # required: a property of the battery
    dtype = ["float16", "bfloat16"]   # optional: a dtype name or a list of them
    p = 0.1                           # optional: a rate or a list of them
    verdict = "fail"                  # optional: fail, error or deviation (default: any of them)
    targets = ["torch*"]              # optional: target names or shell patterns (default: any target)
    message = "rounded one way"       # optional: a regular expression searched in the case's message
    reason = "the scale 1/q is rounded to the input dtype (bug class 4)"   # required
    link = "https://github.com/pytorch/pytorch/issues/..."                # optional
"""

from __future__ import annotations

import fnmatch
import math
import re
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .result import Verdict

if TYPE_CHECKING:
    from .result import Case, PropertyResult, RunResult

DTYPE_NAMES = ("float16", "float32", "float64", "bfloat16")
FINDING_VERDICTS = ("fail", "error", "deviation")
KEYS = {"property", "dtype", "p", "verdict", "targets", "message", "reason", "link", "found"}
TODO_REASON = "TODO: say why this finding is accepted"


class ExpectationError(ValueError):
    """An expected-findings file that cannot be read or says something the battery cannot match."""


class Status(str, Enum):
    """What became of one expected finding in a run."""

    MATCHED = "matched"  # it named at least one finding of the run
    FIXED = "fixed"  # its property was judged and found nothing it names
    UNDECIDED = "undecided"  # its property could not be judged (an error of the whole property, an interrupt)
    NOT_RUN = "not run"  # its property was not among those run

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Expectation:
    """One ``[[finding]]`` entry; empty tuples and ``None`` match anything."""

    property: str
    reason: str
    dtypes: tuple[str, ...] = ()
    ps: tuple[float, ...] = ()
    verdict: str | None = None
    targets: tuple[str, ...] = ()
    message: str | None = None
    link: str = ""
    index: int = 0  # its position in the file, from 1, for messages

    def applies_to(self, target: str) -> bool:
        return not self.targets or any(fnmatch.fnmatchcase(target, pattern) for pattern in self.targets)

    def covers(self, case: Case) -> bool:
        """Whether ``case`` was made where this entry looks (its dtype and rate)."""
        return ((not self.dtypes or case.dtype in self.dtypes)
                and (not self.ps or (case.p is not None and any(math.isclose(case.p, p, rel_tol=1e-12, abs_tol=0)
                                                                for p in self.ps))))

    def names(self, case: Case) -> bool:
        """Whether this entry names ``case``, a finding of its property."""
        return (self.covers(case) and (self.verdict is None or case.verdict.value == self.verdict)
                and (self.message is None or re.search(self.message, case.message) is not None))

    def names_property_error(self, prop: PropertyResult) -> bool:
        """Whether this entry names the error of a whole property (no case to match): property, verdict and
        message only, since such an error has no dtype or rate."""
        return (not self.dtypes and not self.ps and self.verdict in (None, "error")
                and (self.message is None or re.search(self.message, prop.message) is not None))

    def describe(self) -> str:
        parts = [self.property]
        parts += [f"dtype {'/'.join(self.dtypes)}"] if self.dtypes else []
        parts += [f"p {'/'.join(f'{p:g}' for p in self.ps)}"] if self.ps else []
        parts += [self.verdict] if self.verdict else []
        parts += [f"message ~ {self.message!r}"] if self.message else []
        return f"#{self.index} " + ", ".join(parts)


@dataclass(frozen=True)
class Outcome:
    """An expectation and what became of it in one run."""

    expectation: Expectation
    status: Status
    cases: int = 0  # findings it named

    def to_dict(self) -> dict[str, Any]:
        e = self.expectation
        return {"entry": e.index, "property": e.property, "dtype": list(e.dtypes), "p": list(e.ps),
                "verdict": e.verdict, "targets": list(e.targets), "message": e.message, "reason": e.reason,
                "link": e.link, "status": self.status.value, "cases": self.cases}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        entry = Expectation(property=data["property"], reason=data["reason"], dtypes=tuple(data.get("dtype", ())),
                            ps=tuple(data.get("p", ())), verdict=data.get("verdict"),
                            targets=tuple(data.get("targets", ())), message=data.get("message"),
                            link=data.get("link", ""), index=data.get("entry", 0))
        return cls(entry, Status(data["status"]), data.get("cases", 0))


@dataclass(frozen=True)
class Expectations:
    """A parsed expected-findings file."""

    entries: tuple[Expectation, ...]
    source: str = ""

    @classmethod
    def load(cls, path: str | Path, known_properties: tuple[str, ...]) -> Expectations:
        """Read and check ``path``; anything the battery could never match raises ExpectationError naming
        the entry, so that a typo cannot silently accept nothing."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ExpectationError(f"cannot read expected findings {str(path)!r}: {error}") from error
        unknown = set(data) - {"finding"}
        if unknown:
            raise ExpectationError(f"{path}: unknown top-level keys {sorted(unknown)}; entries are [[finding]] tables")
        entries = data.get("finding", [])
        if not isinstance(entries, list):
            raise ExpectationError(f"{path}: 'finding' must be an array of tables ([[finding]])")
        return cls(tuple(_entry(path, index, entry, known_properties) for index, entry in enumerate(entries, 1)),
                   source=str(path))

    def apply(self, run: RunResult) -> list[Outcome]:
        """Mark the run's findings that an entry names (``Case.expected``) and say what became of each entry
        that applies to the run's target; the properties' verdicts are summarised again."""
        outcomes = []
        ran = {prop.name: prop for prop in run.properties}
        for entry in self.entries:
            if not entry.applies_to(run.target):
                continue
            prop = ran.get(entry.property)
            if prop is None:
                outcomes.append(Outcome(entry, Status.NOT_RUN))
                continue
            named = [case for case in prop.findings if entry.names(case)]
            for case in named:
                case.expected = case.expected or entry.reason
            named_error = (not prop.findings and prop.verdict in (Verdict.ERROR, Verdict.XFAIL)
                           and entry.names_property_error(prop))
            if named_error:
                prop.expected = prop.expected or entry.reason
            if named or named_error:
                outcomes.append(Outcome(entry, Status.MATCHED, len(named) + int(named_error)))
            elif _undecided(entry, prop, run.complete):
                outcomes.append(Outcome(entry, Status.UNDECIDED))
            else:
                outcomes.append(Outcome(entry, Status.FIXED))
        for prop in run.properties:
            if prop.expected and not prop.findings:
                prop.verdict = Verdict.XFAIL
            elif prop.findings:
                prop.summarise()
        return outcomes


def _undecided(entry: Expectation, prop: PropertyResult, complete: bool) -> bool:
    """Whether the run could not have found what ``entry`` names: the run was interrupted, or no case was made
    where it looks (the property failed as a whole, the target lacks the dtype), or a call there failed."""
    covered = [case for case in prop.cases if entry.covers(case)]
    return not complete or not covered or any(case.verdict == Verdict.ERROR for case in covered)


def _entry(path: str | Path, index: int, entry: Any, known_properties: tuple[str, ...]) -> Expectation:
    where = f"{path}: finding #{index}"
    if not isinstance(entry, dict):
        raise ExpectationError(f"{where} is not a table")
    unknown = set(entry) - KEYS
    if unknown:
        raise ExpectationError(f"{where}: unknown keys {sorted(unknown)}; known: {', '.join(sorted(KEYS))}")
    name = entry.get("property")
    if name not in known_properties:
        raise ExpectationError(f"{where}: property {name!r} is not one of {', '.join(known_properties)}")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ExpectationError(f"{where}: a reason is required (why the finding is accepted)")
    dtypes = _strings(where, "dtype", entry.get("dtype", []))
    if set(dtypes) - set(DTYPE_NAMES):
        raise ExpectationError(f"{where}: dtype {sorted(set(dtypes) - set(DTYPE_NAMES))} is not one of "
                               f"{', '.join(DTYPE_NAMES)}")
    ps = entry.get("p", [])
    ps = ps if isinstance(ps, list) else [ps]
    if not all(isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p <= 1 for p in ps):
        raise ExpectationError(f"{where}: p must be a rate in [0, 1] or a list of them, got {entry['p']!r}")
    verdict = entry.get("verdict")
    if verdict is not None and verdict not in FINDING_VERDICTS:
        raise ExpectationError(f"{where}: verdict {verdict!r} is not one of {', '.join(FINDING_VERDICTS)}")
    message = entry.get("message")
    if message is not None:
        if not isinstance(message, str):
            raise ExpectationError(f"{where}: message must be a regular expression (a string)")
        try:
            re.compile(message)
        except re.error as error:
            raise ExpectationError(f"{where}: message {message!r} is not a regular expression: {error}") from error
    link = entry.get("link", "")
    if not isinstance(link, str):
        raise ExpectationError(f"{where}: link must be a string")
    return Expectation(property=name, reason=reason.strip(), dtypes=dtypes, ps=tuple(float(p) for p in ps),
                       verdict=verdict, targets=_strings(where, "targets", entry.get("targets", [])),
                       message=message, link=link, index=index)


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) and item for item in values):
        raise ExpectationError(f"{where}: {key} must be a string or a list of strings, got {value!r}")
    return tuple(values)


def entries_for(run: RunResult) -> list[dict[str, Any]]:
    """One ``[[finding]]`` table per finding of the run not already expected, for ``--write-expect``: the
    reason is left to write, the message found is kept under ``found`` (not matched)."""
    tables: list[dict[str, Any]] = []
    for prop in run.properties:
        if not prop.findings and prop.verdict == Verdict.ERROR:
            tables.append({"property": prop.name, "verdict": "error", "targets": run.target,
                           "reason": TODO_REASON, "found": prop.message})
        for case in prop.findings:
            if case.expected:
                continue
            table: dict[str, Any] = {"property": prop.name, "dtype": case.dtype}
            if case.p is not None:
                table["p"] = case.p
            table |= {"verdict": case.verdict.value, "targets": run.target, "reason": TODO_REASON,
                      "found": case.message}
            tables.append(table)
    return tables


def write(run: RunResult, path: str | Path) -> int:
    """Write ``run``'s findings as an expected-findings file at ``path``; returns the number of entries."""
    import tomli_w

    from .files import write_atomic

    tables = entries_for(run)
    header = (f"# Expected findings of {run.target} (tier {run.tier}, seed {run.seed}), written by dropout-verify\n"
              "# --write-expect: give each entry its reason (and a link), then pass the file to --expect.\n"
              "# Matching keys: property, dtype, p, verdict, targets, message (a regular expression); 'found'\n"
              "# only records what was found.\n\n")
    write_atomic(Path(path), header + tomli_w.dumps({"finding": tables}))
    return len(tables)
