"""What the Markdown and HTML reports say about a property, computed once from the run's JSON."""

from __future__ import annotations

from typing import Any

VERDICT_ORDER = ("error", "fail", "deviation", "xfail", "pass", "info", "skipped")
FINDINGS = ("fail", "error", "deviation")  # in the order a property's headline picks them
# Markdown's ASCII punctuation that can start markup (links, images, emphasis, code, tables, headings)
_MARKDOWN_SPECIAL = set("\\`*_{}[]()!|~")  # (never at a line's start here: no list or heading markers)


def literal(text: Any) -> str:
    """Text the target controls (exception messages, reprs, its versions), quoted for Markdown as literal text:
    HTML escaped and every markup character backslash-escaped, on one line. A target's message then shows as
    written in a CI job summary, never as markup, a link or an image fetched from elsewhere."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in escaped)
    return " ".join(escaped.splitlines())


def number(value: Any, digits: int = 3) -> str:
    """A short human rendering of a JSON number (NaN and inf arrive as strings)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _effect(case: dict[str, Any]) -> float:
    effect = case.get("effect")
    return float("inf") if effect is None else float(effect)  # JSON writes infinity as "inf"


def findings(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The property's findings, most serious first, as its verdict orders them: those not expected first, then
    failures, errors and deviations, larger effects first."""
    found = [case for case in prop.get("cases", []) if case["verdict"] in FINDINGS]
    return sorted(found, key=lambda case: (bool(case.get("expected")), FINDINGS.index(case["verdict"]),
                                           -_effect(case)))


def finding_text(case: dict[str, Any]) -> str:
    """``fail at dtype float16, p = 0.1``: the message and reason that follow quote the target and the user's
    file, so each format quotes them its own way."""
    return f"{case['verdict']} at dtype {case['dtype']}, p = {case['p']}"


def headline_case(prop: dict[str, Any]) -> dict[str, Any] | None:
    """The case that speaks for the property: its most serious finding, else the decision closest to
    rejecting (smallest p-value), else the first case with an estimate."""
    cases = prop.get("cases", [])
    found = findings(prop)
    if found:
        return found[0]
    tested = [case for case in cases if isinstance(case.get("p_value"), (int, float))]
    if tested:
        return min(tested, key=lambda case: case["p_value"])
    estimated = [case for case in cases if case.get("estimate") is not None]
    return estimated[0] if estimated else None


def estimate_text(case: dict[str, Any] | None) -> str:
    """``0.9001 [0.8996, 0.9006]`` (with the case's dtype and rate), or ``-``."""
    if not case or case.get("estimate") is None:
        return "-"
    text = number(case["estimate"], 4)
    if case.get("ci"):
        low, high = case["ci"]
        text += f" [{number(low, 4)}, {number(high, 4)}]"
    where = ", ".join(part for part in (case.get("dtype"), f"p={case['p']}" if case.get("p") is not None else "")
                      if part)
    return f"{text} ({where})" if where else text


def minimal_examples(prop: dict[str, Any]) -> list[dict[str, str]]:
    """Hypothesis's shrunk inputs of the failing cases, each argument by name as Python source."""
    return [case["extra"]["example"] for case in findings(prop) if case.get("extra", {}).get("example")]


def reproduce_snippet(run: dict[str, Any], example: dict[str, str]) -> str:
    """A few lines that rebuild the failing input and call the target with it."""
    lines = ["import numpy as np", "from dropout_verify.properties import load_target", "",
             f"target = load_target({run['target']!r})"]
    lines += [f"{name} = {source}" for name, source in example.items()]
    if {"x", "dy", "p", "seed"} <= set(example):
        lines.append("print(target.forward_backward(x, dy, p, seed=seed))")
    elif {"x", "p", "seed"} <= set(example):
        lines.append("print(target.forward(x, p, training=True, seed=seed))")
    return "\n".join(lines)


def counts(run: dict[str, Any]) -> dict[str, int]:
    """How many properties have each verdict."""
    tally = dict.fromkeys(VERDICT_ORDER, 0)
    for prop in run["properties"]:
        tally[prop["verdict"]] = tally.get(prop["verdict"], 0) + 1
    return tally


def expectation_lines(run: dict[str, Any]) -> list[str]:
    """One line per expected finding of the run: its status, what it names and its reason (all from the
    user's file, quoted by the caller)."""
    lines = []
    for outcome in run.get("expectations", []):
        names = [outcome["property"]]
        names += [f"dtype {'/'.join(outcome['dtype'])}"] if outcome.get("dtype") else []
        names += [f"p {'/'.join(str(p) for p in outcome['p'])}"] if outcome.get("p") else []
        names += [outcome["verdict"]] if outcome.get("verdict") else []
        cases = f", {outcome['cases']} case(s)" if outcome.get("cases") else ""
        lines.append(f"{outcome['status']}: #{outcome['entry']} {', '.join(names)}{cases} ({outcome['reason']})")
    return lines


def law_text(run: dict[str, Any]) -> str:
    """"inverted convention" for a Bernoulli target (and runs from before laws existed), else "alpha law"; a
    distributed target's contract and ranks."""
    if run.get("world_size"):
        return f"{run['contract']} contract on {run['world_size']} ranks"
    law = run.get("law", "bernoulli")
    return f"{run['convention']} convention" if law == "bernoulli" else f"{law} law"
