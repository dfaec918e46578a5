"""Add up the JUnit XML files of every tox env into one closing line: 'tests: N passed, N failed, N skipped'."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

folder = Path(sys.argv[1])
files = sorted(folder.glob("*.xml"))
if not files:
    sys.exit(f"no JUnit XML under {folder}: no test ran")
passed = failed = skipped = 0
for path in files:
    for suite in ET.parse(path).getroot().iter("testsuite"):
        total, fail = int(suite.get("tests", 0)), int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skip = int(suite.get("skipped", 0))
        print(f"{path.stem}: {total} tests, {fail} failed, {skip} skipped")
        passed, failed, skipped = passed + total - fail - skip, failed + fail, skipped + skip
if passed == 0:
    sys.exit("no test passed")
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
