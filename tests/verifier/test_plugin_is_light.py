"""The pytest plugin is loaded in every pytest run of an environment that has the package: importing it
must not pull in numpy, scipy or hypothesis."""

import subprocess
import sys


def test_plugin_import_pulls_in_no_heavy_module():
    code = ("import sys, properties.pytest_plugin; "
            "print(sorted(m for m in ('numpy', 'scipy', 'hypothesis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
