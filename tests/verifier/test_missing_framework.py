"""A built-in framework target without its framework is a usage error naming the extra to install."""

import importlib.util
import subprocess
import sys

import pytest
from dropout_verify.properties import TargetLoadError, load_target

FRAMEWORK_TARGETS = [
    ("torch", "torch", "torch"), ("torch-dropout2d", "torch", "torch"), ("torch-compile", "torch", "torch"),
    ("jax", "jax", "jax"), ("jax-jit", "jax", "jax"), ("flax-linen", "jax", "jax"), ("jax-broadcast", "jax", "jax"),
    ("tensorflow", "tensorflow", "tensorflow"), ("keras", "tensorflow", "tensorflow"),
    ("keras-spatial2d", "tensorflow", "tensorflow"), ("tf-stateless", "tensorflow", "tensorflow"),
    ("haiku", "haiku", "haiku"), ("haiku-jit", "haiku", "haiku"), ("equinox", "equinox", "equinox"),
    ("equinox-jit", "equinox", "equinox"), ("keras-jax", "keras", "keras-jax"), ("keras-jax-jit", "keras", "keras-jax"),
    ("keras-torch", "keras", "keras-torch"), ("mlx", "mlx", "mlx"), ("mlx-compile", "mlx", "mlx"),
    ("mlx-dropout2d", "mlx", "mlx"), ("onnxruntime", "onnxruntime", "onnxruntime"), ("paddle", "paddle", "paddle"),
    ("paddle-downscale", "paddle", "paddle"), ("torch-compile-recompute", "torch", "torch"),
]


@pytest.mark.parametrize(("target", "module", "extra"), FRAMEWORK_TARGETS)
def test_missing_framework_names_the_extra(target, module, extra):
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed here")
    with pytest.raises(TargetLoadError, match=rf"pip install 'dropout-verify\[{extra}\]'"):
        load_target(target)


@pytest.mark.parametrize("extra", ["torch", "tensorflow"])
def test_missing_framework_is_exit_2_with_one_line(extra):
    if importlib.util.find_spec(extra) is not None:
        pytest.skip(f"{extra} is installed here")
    out = subprocess.run([sys.executable, "-m", "dropout_verify.properties", extra], capture_output=True, text=True)
    assert out.returncode == 2 and f"dropout-verify[{extra}]" in out.stderr and "Traceback" not in out.stderr
