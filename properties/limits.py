"""Limits a user sets for a run (worker processes, the call timeout) and their checks: imported by the CLI
before anything heavy, so that ``--help`` and a usage error answer at once."""

from __future__ import annotations

DEFAULT_CALL_TIMEOUT = 300.0  # seconds: generous, a first torch.compile call takes a few


def check_workers(value: object, *, minimum: int = 0) -> int:
    """``value`` as a number of worker processes (0: the calling process), or ValueError saying why not."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        what = "a positive integer" if minimum else "a non-negative integer (0 runs in this process)"
        raise ValueError(f"workers must be {what}, got {value!r}")
    return value


def check_call_timeout(value: object) -> float:
    """``value`` as a call timeout in seconds (positive and finite), or ValueError saying why not."""
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0
            or value == float("inf")):
        raise ValueError(f"call_timeout must be a positive number of seconds, got {value!r}")
    return float(value)
