"""A built-in framework target without its framework is a usage error naming the extra to install."""

import importlib.util
import subprocess
import sys

import pytest

from properties import TargetLoadError, load_target


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None, reason="torch is installed here")
def test_missing_torch_names_the_extra():
    with pytest.raises(TargetLoadError, match=r"pip install 'dropout-verify\[torch\]'"):
        load_target("torch")
    out = subprocess.run([sys.executable, "-m", "properties", "torch"], capture_output=True, text=True)
    assert out.returncode == 2 and "dropout-verify[torch]" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.skipif(importlib.util.find_spec("jax") is not None, reason="jax is installed here")
def test_missing_jax_names_the_extra():
    with pytest.raises(TargetLoadError, match=r"pip install 'dropout-verify\[jax\]'"):
        load_target("jax")
