"""The wheel holds code only, under one import name of the project's own: dropout_verify.{dropout_core,properties,
reports}; no findings scripts, matrix data or screenshots, no top-level properties or reports to clash with."""

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
    code = [name for name in names if not name.endswith("/py.typed")]
    assert code and all(name.endswith(".py") for name in code), [n for n in code if not n.endswith(".py")]
    assert {name.split("/")[0] for name in names} == {"dropout_verify"}
    assert {name.split("/")[1] for name in names} == {"dropout_core", "properties", "reports"}
    assert {name for name in names if name.endswith("/py.typed")} == {
        f"dropout_verify/{package}/py.typed" for package in ("dropout_core", "properties", "reports")}
    assert "dropout_verify/__init__.py" not in names  # an implicit namespace: the three folders are its packages
    assert not [name for name in names if "/findings/" in name or "/matrix/" in name or "/screenshots/" in name]


def test_every_subpackage_is_listed_for_the_wheel():
    """setuptools takes the packages pyproject.toml lists, and an editable install hides one left out: each folder
    with an __init__.py under the three top-level folders must be listed."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: the tomli backport, a dependency there
        import tomli as tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {"dropout_verify." + ".".join(init.parent.relative_to(ROOT).parts)
             for top in ("dropout_core", "properties", "reports") for init in (ROOT / top).rglob("__init__.py")}
    assert found == listed
