"""Turn the run's medians into ratios against the ``x.copy()`` baseline measured in the same session."""

from __future__ import annotations

from typing import Any

import pytest

_ratios: list[str] = []


def pytest_benchmark_update_json(config: pytest.Config, benchmarks: list, output_json: dict[str, Any]) -> None:
    medians: dict[str, dict[str, float]] = {}
    for bench in output_json["benchmarks"]:
        medians.setdefault(bench["group"], {})[bench["extra_info"]["impl"]] = bench["stats"]["median"]
    ratios = {}
    for group, by_impl in sorted(medians.items(), key=lambda item: str(item[0])):
        baseline = by_impl.get("copy")
        if not baseline:
            continue
        ratios[group] = {impl: baseline / median for impl, median in by_impl.items()}
        cells = ", ".join(f"{impl} {ratio:.2f}" for impl, ratio in sorted(ratios[group].items()))
        _ratios.append(f"{group}: throughput relative to x.copy(): {cells}")
    output_json["ratios_to_copy"] = ratios
    for bench in output_json["benchmarks"]:
        info = bench["extra_info"]
        if "wall_over_floor" in info:
            heaviest = max(info["properties"].items(), key=lambda item: item[1]["wall_seconds"])
            _ratios.append(f"standard battery on {info['impl']} ({info['workers']} workers, {info['verdict']}): "
                           f"wall {info['wall_seconds']:.1f} s, inside target calls {info['target_seconds']:.1f} s "
                           f"in {info['target_calls']} calls ({info['first_call_seconds']:.1f} s in first calls of a "
                           f"signature); floor (one 2^20-element call) "
                           f"{info['floor_seconds'] * 1e3:.2f} ms, wall/floor {info['wall_over_floor']:.0f}; "
                           f"heaviest {heaviest[0]} {heaviest[1]['wall_seconds']:.1f} s")
        if "overhead_ratio" in info:
            where = f"{info['workers']} workers" if info.get("workers") else "in process"
            _ratios.append(f"battery on the reference (standard, {where}): wall {info['wall_seconds']:.1f} s, "
                           f"inside target calls {info['target_seconds']:.1f} s, overhead ratio "
                           f"{info['overhead_ratio']:.2f}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _ratios:
        terminalreporter.section("ratios to the x.copy() baseline (median, same session)")
        for line in _ratios:
            terminalreporter.write_line(line)
