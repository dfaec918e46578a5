"""``dropout-verify TARGET``: run the battery, print a table, write JSON and reports; exit 0/1/2."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import NoReturn

from .files import write_atomic
from .limits import (
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_DEVIATION_TOLERANCE,
    seconds_option,
    tolerance_option,
    workers_option,
    world_size_option,
)
from .progress import ProgressLine
from .result import RunResult, Verdict
from .target import BUILTIN_TARGETS, TargetLoadError
from .tiers import TIERS

# The verifier itself (scipy, Hypothesis, the checks) is imported once the arguments are known, so that
# --help and a usage error answer at once.

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for SIGINT: an interrupted run is neither a pass nor a finding
REPORTERS = "dropout_verify.reporters"  # entry points that render a run into a folder (the reports package)
COMPARERS = "dropout_verify.comparers"  # entry points that render several runs side by side
MATRICES = "dropout_verify.matrices"  # entry points that render a compatibility matrix of several runs


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit 2), as every other usage error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see --help)\n")


def _usage_error(error: Exception, debug: bool) -> int:
    """One line on stderr and exit code 2 for a usage error; with ``--debug``, the traceback instead."""
    if debug:
        raise error
    print(f"dropout-verify: {error}", file=sys.stderr)
    return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dropout-verify", description="Verify a dropout implementation with exact and statistical properties.")
    parser.add_argument("target", help=f"a built-in name ({', '.join(BUILTIN_TARGETS)}) or package.module:attr")
    parser.add_argument("--tier", choices=list(TIERS), default="standard",
                        help="quick (gross bugs), standard (default) or thorough")
    parser.add_argument("--seed", type=int, default=0, help="the run seed: same target and seed, same verdicts")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the run as JSON to FILE")
    parser.add_argument("--report", type=Path, metavar="DIR", help="write report.json, report.md (and more) to DIR")
    parser.add_argument("--properties", metavar="NAMES", help="comma-separated subset of properties to run")
    parser.add_argument("--workers", type=workers_option, default=os.cpu_count() or 1, metavar="N",
                        help="worker processes running the properties (default: the number of cores; 0 runs "
                             "in this process, without isolation from a target that hangs or crashes)")
    parser.add_argument("--world-size", type=world_size_option, metavar="N",
                        help="ranks of a distributed target (one with forward_ranks): overrides its world_size")
    parser.add_argument("--call-timeout", type=seconds_option, default=DEFAULT_CALL_TIMEOUT, metavar="SECONDS",
                        help=f"abandon a target call after this long (default {DEFAULT_CALL_TIMEOUT:g})")
    parser.add_argument("--expect", type=Path, metavar="FILE",
                        help="a TOML file of expected findings: those it names are xfail, and one that no longer "
                             "fails is reported fixed")
    parser.add_argument("--strict-expect", action="store_true",
                        help="fail the run when an expected finding is fixed (so the file cannot rot)")
    parser.add_argument("--write-expect", type=Path, metavar="FILE",
                        help="write the run's findings as an expected-findings file, one entry each, to edit")
    parser.add_argument("--deviation-tolerance", type=tolerance_option, default=DEFAULT_DEVIATION_TOLERANCE,
                        metavar="REL", help="a finding whose every value is within REL (relative) of the "
                        f"exact one is a deviation, not a failure (default {DEFAULT_DEVIATION_TOLERANCE:g})")
    parser.add_argument("--strict", action="store_true", help="deviations fail the run too")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for usage errors")
    return parser


def format_table(run: RunResult) -> str:
    """The run as a fixed-width table: property, verdict, p-value, samples, and the reason for a failure."""
    lines = [f"target {run.target} ({run.law_description}), tier {run.tier}, seed {run.seed}, "
             f"family-wise alpha {run.family_alpha:g}", ""]
    lines.append(f"{'property':<24} {'verdict':<9} {'p-value':>10} {'samples':>12}  reason")
    for prop in run.properties:
        p_value = f"{prop.p_value:.3g}" if prop.p_value is not None else "-"
        reason = prop.message if prop.verdict != Verdict.PASS else ""
        if prop.verdict == Verdict.XFAIL:
            reason = f"expected: {prop.expected or next(case.expected for case in prop.findings)}"
        lines.append(f"{prop.name:<24} {prop.verdict:<9} {p_value:>10} {prop.samples:>12}  {reason}")
    if run.expectations:
        lines += ["", "expected findings:"]
        for outcome in run.expectations:
            count = f" ({outcome.cases} case{'s' if outcome.cases != 1 else ''})" if outcome.cases else ""
            fixed = " -- no longer found: remove the entry" if outcome.status.value == "fixed" else ""
            lines.append(f"  {outcome.status.value:<10} {outcome.expectation.describe()}{count}{fixed}")
    incomplete = "" if run.complete else ", INCOMPLETE: interrupted"
    timing = f"{run.seconds:.1f} s, {run.target_seconds:.1f} s inside the target"
    if _compiles(run):
        timing += f" ({run.first_call_seconds:.1f} s of it in first calls of a shape, dtype or rate: compiles)"
    grades = []
    if any(prop.verdict == Verdict.DEVIATION for prop in run.properties):
        grades.append(f"deviations: every value within {run.deviation_tolerance:g} of exact"
                      + (", failing under --strict" if run.strict else ""))
    if run.fixed and run.strict_expect:
        grades.append(f"{len(run.fixed)} expected finding(s) fixed, failing under --strict-expect")
    graded = "".join(f"; {grade}" for grade in grades)
    lines += ["", f"verdict: {run.verdict} ({timing}{incomplete}{graded})"]
    return "\n".join(lines)


def write_report(run: RunResult | dict, folder: Path) -> list[Path]:
    """report.json, then whatever the installed reporters render (Markdown, HTML) from it."""
    data = run.to_dict() if isinstance(run, RunResult) else run
    written = [folder / "report.json"]
    write_atomic(written[0], run.to_json() if isinstance(run, RunResult) else json.dumps(data, indent=2))
    for entry in sorted(metadata.entry_points(group=REPORTERS), key=lambda entry: entry.name):
        written += entry.load()(data, folder)
    return written


def _report_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dropout-verify report",
        description="Render saved runs (report.json, --json files, matrix.json); several also get a comparison.")
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN.json", help="runs written by dropout-verify")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="write the reports here")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for usage errors")
    return parser


def load_runs(path: Path) -> list[dict]:
    """The runs a saved file holds: one for a run (``--json``, report.json), every run of a matrix.json;
    a missing, unreadable or foreign file raises ValueError naming it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read run {str(path)!r}: {error}") from error
    runs = data["runs"] if isinstance(data, dict) and isinstance(data.get("runs"), list) else [data]
    for run in runs:
        if not isinstance(run, dict) or not {"target", "properties", "verdict"} <= set(run):
            raise ValueError(f"{str(path)!r} is not a dropout-verify run or matrix (no target, properties, verdict)")
    return runs


def _merge_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dropout-verify merge",
        description="Merge runs of disjoint --properties subsets (e.g. from several machines) into one run.")
    parser.add_argument("parts", nargs="+", type=Path, metavar="PART.json", help="runs written with --json")
    parser.add_argument("--json", type=Path, required=True, metavar="FILE", help="write the merged run here")
    parser.add_argument("--report", type=Path, metavar="DIR", help="also write its reports to DIR")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for usage errors")
    return parser


def merge_main(argv: Sequence[str]) -> int:
    """``dropout-verify merge PART.json ... --json RUN.json``: exit 0/1 as the merged run's verdict."""
    from .merge import merge_runs

    args = _merge_parser().parse_args(argv)
    try:
        run = merge_runs([RunResult.from_dict(run) for path in args.parts for run in load_runs(path)])
    except ValueError as error:
        return _usage_error(error, args.debug)
    print(format_table(run))
    write_atomic(args.json, run.to_json())
    if args.report:
        for path in write_report(run, args.report):
            print(f"wrote {path}")
    return EXIT_FAIL if run.verdict.bad else EXIT_PASS


def report_main(argv: Sequence[str]) -> int:
    """``dropout-verify report RUN.json ... --out DIR``: one run's reports into DIR; with several, each
    run's reports into DIR/<n>-<target>/ and the comparison into DIR."""
    args = _report_parser().parse_args(argv)
    try:
        runs = [run for path in args.runs for run in load_runs(path)]
    except ValueError as error:
        return _usage_error(error, args.debug)
    written: list[Path] = []
    if len(runs) == 1:
        written += write_report(runs[0], args.out)
    else:
        for index, run in enumerate(runs, start=1):
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(run["target"]))
            written += write_report(run, args.out / f"{index}-{safe}")
        for entry in sorted(metadata.entry_points(group=COMPARERS), key=lambda entry: entry.name):
            written += entry.load()(runs, args.out)
    for path in written:
        print(f"wrote {path}")
    return EXIT_PASS


def _matrix_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dropout-verify matrix", description="Run the battery on several targets and write one table.")
    parser.add_argument("targets", nargs="+", help="targets, as for dropout-verify TARGET, or saved runs (RUN.json "
                        "from --json, a matrix.json) taken as they are: frameworks that cannot share a process (Keras "
                        "on two backends) are verified apart and put in one table")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="write matrix.json and matrix.md here")
    parser.add_argument("--tier", choices=list(TIERS), default="standard")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=workers_option, default=os.cpu_count() or 1, metavar="N")
    parser.add_argument("--call-timeout", type=seconds_option, default=DEFAULT_CALL_TIMEOUT, metavar="SECONDS")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for usage errors")
    return parser


def matrix_main(argv: Sequence[str]) -> int:
    """``dropout-verify matrix T1 T2 ... --out DIR``: exit 0 once every target ran (its findings are in
    the table), 2 when a target cannot be loaded."""
    args = _matrix_parser().parse_args(argv)
    from .runner import verify

    runs = []
    try:
        for target in args.targets:
            if target.endswith(".json"):
                runs += [RunResult.from_dict(run) for run in load_runs(Path(target))]
                continue
            print(f"verifying {target} ...", file=sys.stderr)
            runs.append(verify(target, tier=args.tier, seed=args.seed, workers=args.workers,
                               call_timeout=args.call_timeout))
    except (TargetLoadError, ValueError) as error:
        return _usage_error(error, args.debug)
    from .matrix import matrix_dict

    data = {**matrix_dict(runs), "runs": [run.to_dict() for run in runs]}
    write_atomic(args.out / "matrix.json", json.dumps(data, indent=2))
    for entry in sorted(metadata.entry_points(group=MATRICES), key=lambda entry: entry.name):
        for path in entry.load()(runs, args.out):
            print(Path(path).read_text(encoding="utf-8") if path.suffix == ".md" else f"wrote {path}")
    return EXIT_PASS


def _compiles(run: RunResult) -> bool:
    """Whether a run's first calls of each signature took a second or more, at ten times a repeated call or
    more: a compiling framework, whose compile time is then worth its own number."""
    first = sum(prop.first_calls for prop in run.properties)
    repeats = sum(prop.target_calls for prop in run.properties) - first
    if run.first_call_seconds < 1.0 or not first or not repeats:
        return False
    return run.first_call_seconds / first >= 10 * (run.target_seconds - run.first_call_seconds) / repeats


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["matrix"]:
        return matrix_main(argv[1:])
    if argv[:1] == ["report"]:
        return report_main(argv[1:])
    if argv[:1] == ["merge"]:
        return merge_main(argv[1:])
    args = _parser().parse_args(argv)
    properties = [name.strip() for name in args.properties.split(",")] if args.properties else None
    from .runner import verify

    progress = ProgressLine()
    try:
        run = verify(args.target, tier=args.tier, seed=args.seed, properties=properties, progress=progress,
                     interruptible=True, workers=args.workers, call_timeout=args.call_timeout,
                     expect=args.expect, strict_expect=args.strict_expect,
                     deviation_tolerance=args.deviation_tolerance, strict=args.strict, world_size=args.world_size)
    except (TargetLoadError, ValueError) as error:
        return _usage_error(error, args.debug)
    except KeyboardInterrupt:
        print("dropout-verify: interrupted before any property ran; nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        progress.close()
    print(format_table(run))
    if args.json:
        write_atomic(args.json, run.to_json())
    if args.report:
        for path in write_report(run, args.report):
            print(f"wrote {path}")
    if args.write_expect:
        from .expectations import write

        entries = write(run, args.write_expect)
        print(f"wrote {args.write_expect} ({entries} finding{'s' if entries != 1 else ''} to give a reason)")
    if not run.complete:
        print("dropout-verify: interrupted; the run and its reports are marked incomplete", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAIL if run.verdict.bad else EXIT_PASS


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
