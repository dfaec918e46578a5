"""Stage the three folders under their import name for mypy: DEST/dropout_verify/{dropout_core,properties,reports}.

The wheel maps the folders to ``dropout_verify.*`` (pyproject's ``package-dir``); mypy has no such mapping, and it
silences errors in installed packages, so it checks the sources through symlinks named as they are installed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dropout_core", "properties", "reports")


def main(dest: str) -> None:
    namespace = Path(dest) / "dropout_verify"
    shutil.rmtree(namespace, ignore_errors=True)
    namespace.mkdir(parents=True)
    for package in PACKAGES:
        (namespace / package).symlink_to(ROOT / package, target_is_directory=True)
    print(namespace)


if __name__ == "__main__":
    main(sys.argv[1])
