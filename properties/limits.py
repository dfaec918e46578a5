"""Limits a user sets for a run (worker processes, the call timeout) and their checks: imported by the CLI
before anything heavy, so that ``--help`` and a usage error answer at once."""

from __future__ import annotations

import argparse

DEFAULT_CALL_TIMEOUT = 300.0  # seconds: generous, a first torch.compile call takes a few
# The most target calls one decision may plan: a sample size computed from alpha, power and an effect size is
# bounded for the battery's own inputs (the largest, thorough's unbiased, plans 94,683 calls; standard's
# largest is independence_calls' 2,000), so a design 11 times beyond that comes from a broken input or a bug,
# and is an error rather than a run of hours.
MAX_CALLS_PER_DESIGN = 2**20


class DesignTooLarge(ValueError):
    """A computed sample size beyond ``MAX_CALLS_PER_DESIGN``: the property is an error naming the design."""


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


# A finding whose every value is within this relative distance of the exact one is a deviation, not a failure
# (``grading``). float32's worst one-way rounding of a kept value, a scale and a product each off by half an
# ulp, is 2 * 2**-24 = 1.2e-7, eight times below; float16's half ulp alone, 2**-11 = 4.9e-4, is 490 times
# above, so every low-precision rounding finding still fails. 1e-6 is also where a bias stops mattering for
# training: compounded over 100 dropout layers it moves activations by 1e-4, far inside SGD's own noise.
DEFAULT_DEVIATION_TOLERANCE = 1e-6


def check_tolerance(value: object) -> float:
    """``value`` as a deviation tolerance (a relative error in [0, 1)), or ValueError saying why not."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"deviation tolerance must be a relative error in [0, 1), got {value!r}")
    return float(value)


# The command-line forms, shared by the CLI and the pytest plugin (both parse with argparse): a usage error
# that says what is expected.
def workers_option(text: str) -> int:
    try:
        return check_workers(int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be 0 (in this process) or a number of workers, got {text}") from error


def world_size_option(text: str) -> int:
    """``--world-size``: a number of ranks, at least 2."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be a number of ranks of at least 2, got {text}")
    return value


def seconds_option(text: str) -> float:
    try:
        return check_call_timeout(float(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}") from error


def tolerance_option(text: str) -> float:
    try:
        return check_tolerance(float(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be a relative error in [0, 1), got {text}") from error
