"""The pytest plugin is loaded in every pytest run of an environment that has the package: importing it
must not pull in numpy, scipy or hypothesis."""

import subprocess
import sys


def test_plugin_import_pulls_in_no_heavy_module():
    code = ("import sys, dropout_verify.properties.pytest_plugin; "
            "print(sorted(m for m in ('numpy', 'scipy', 'hypothesis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_cli_parses_its_arguments_before_loading_the_verifier():
    # --help and usage errors answer without importing scipy or Hypothesis (numpy comes with the target types)
    code = ("import sys, dropout_verify.properties.cli; "
            "print(sorted(m for m in ('scipy', 'hypothesis', 'dropout_verify.properties.runner') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    usage = subprocess.run([sys.executable, "-m", "dropout_verify.properties", "reference", "--tier", "nope"],
                           capture_output=True, text=True)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
