"""The wheel holds code only: the three packages' modules, no findings scripts, matrix data or screenshots."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # builds the wheel in an isolated environment, as pip does for a user
def test_the_wheel_contains_only_the_packages_modules(tmp_path):
    source = tmp_path / "source"  # a copy without build/ or egg-info left by other builds
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".tox", "build", "*.egg-info", "__pycache__",
                                                                 ".hypothesis", ".benchmarks", "report"))
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheel"),
                          str(source)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    names = [name for name in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in name]
    assert names and all(name.endswith(".py") for name in names), [n for n in names if not n.endswith(".py")]
    assert {name.split("/")[0] for name in names} == {"dropout_core", "properties", "reports"}
    assert not [name for name in names if "/findings/" in name or "/matrix/" in name or "/screenshots/" in name]
