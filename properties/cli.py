"""``dropout-verify TARGET``: run the battery, print a table, write JSON and reports; exit 0/1/2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from .files import write_atomic
from .result import RunResult
from .runner import verify
from .target import TargetLoadError
from .tiers import TIERS

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
REPORTERS = "dropout_verify.reporters"  # entry points that render a run into a folder (the reports package)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dropout-verify", description="Verify a dropout implementation with exact and statistical properties.")
    parser.add_argument("target", help="a built-in name (reference, reference-classic) or package.module:attr")
    parser.add_argument("--tier", choices=list(TIERS), default="standard",
                        help="quick (gross bugs), standard (default) or thorough")
    parser.add_argument("--seed", type=int, default=0, help="the run seed: same target and seed, same verdicts")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the run as JSON to FILE")
    parser.add_argument("--report", type=Path, metavar="DIR", help="write report.json, report.md (and more) to DIR")
    parser.add_argument("--properties", metavar="NAMES", help="comma-separated subset of properties to run")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for usage errors")
    return parser


def format_table(run: RunResult) -> str:
    """The run as a fixed-width table: property, verdict, p-value, samples, and the reason for a failure."""
    lines = [f"target {run.target} ({run.convention}), tier {run.tier}, seed {run.seed}, "
             f"family-wise alpha {run.family_alpha:g}", ""]
    lines.append(f"{'property':<24} {'verdict':<8} {'p-value':>10} {'samples':>12}  reason")
    for prop in run.properties:
        p_value = f"{prop.p_value:.3g}" if prop.p_value is not None else "-"
        reason = prop.message if prop.verdict in ("fail", "error", "info", "skipped") else ""
        lines.append(f"{prop.name:<24} {prop.verdict:<8} {p_value:>10} {prop.samples:>12}  {reason}")
    lines += ["", f"verdict: {run.verdict} ({run.seconds:.1f} s)"]
    return "\n".join(lines)


def write_report(run: RunResult, folder: Path) -> list[Path]:
    """report.json, then whatever the installed reporters render (Markdown, HTML) from it."""
    written = [folder / "report.json"]
    write_atomic(written[0], run.to_json())
    for entry in metadata.entry_points(group=REPORTERS):
        written += entry.load()(run.to_dict(), folder)
    return written


def _matrix_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dropout-verify matrix", description="Run the battery on several targets and write one table.")
    parser.add_argument("targets", nargs="+", help="targets, as for dropout-verify TARGET")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="write matrix.json and matrix.md here")
    parser.add_argument("--tier", choices=list(TIERS), default="standard")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--debug", action="store_true", help="show tracebacks for usage errors")
    return parser


def matrix_main(argv: Sequence[str]) -> int:
    """``dropout-verify matrix T1 T2 ... --out DIR``: exit 0 once every target ran (its findings are in
    the table), 2 when a target cannot be loaded."""
    import json

    from .matrix import matrix_dict, matrix_markdown

    args = _matrix_parser().parse_args(argv)
    runs = []
    try:
        for target in args.targets:
            print(f"verifying {target} ...", file=sys.stderr)
            runs.append(verify(target, tier=args.tier, seed=args.seed))
    except (TargetLoadError, ValueError) as error:
        if args.debug:
            raise
        print(f"dropout-verify: {error}", file=sys.stderr)
        return EXIT_USAGE
    table = matrix_markdown(runs)
    data = {**matrix_dict(runs), "runs": [run.to_dict() for run in runs]}
    write_atomic(args.out / "matrix.json", json.dumps(data, indent=2))
    write_atomic(args.out / "matrix.md", table)
    print(table)
    return EXIT_PASS


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["matrix"]:
        return matrix_main(argv[1:])
    args = _parser().parse_args(argv)
    properties = [name.strip() for name in args.properties.split(",")] if args.properties else None
    try:
        run = verify(args.target, tier=args.tier, seed=args.seed, properties=properties)
    except (TargetLoadError, ValueError) as error:
        if args.debug:
            raise
        print(f"dropout-verify: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(format_table(run))
    if args.json:
        write_atomic(args.json, run.to_json())
    if args.report:
        for path in write_report(run, args.report):
            print(f"wrote {path}")
    return EXIT_PASS if run.verdict == "pass" else EXIT_FAIL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
