"""The JAX adapters (Flax, Haiku, Equinox, Keras on JAX): keys, autograd through jax.vjp, float64 kept as float64,
and the standard battery on each target, which finds exactly what its framework's expected-findings file names
(with the reasons)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("flax")

from dropout_verify.properties import load_target  # noqa: E402
from expected_findings import run_against, surprises  # noqa: E402

HERE = Path(__file__).parent
FLAX = ["jax", "flax-linen", "jax-jit", "jax-broadcast"]
# each target's framework and the file of its expected findings
FILES = {**dict.fromkeys(FLAX, "expected-findings.toml"),
         **dict.fromkeys(["haiku", "haiku-jit"], "expected-findings-haiku.toml"),
         **dict.fromkeys(["equinox", "equinox-jit"], "expected-findings-equinox.toml"),
         **dict.fromkeys(["keras-jax", "keras-jax-spatial2d", "keras-jax-jit"], "expected-findings-keras-jax.toml")}
MODULES = {"haiku": "haiku", "haiku-jit": "haiku", "equinox": "equinox", "equinox-jit": "equinox"}
STRUCTURED = {"jax-broadcast", "keras-jax-spatial2d"}
TARGETS = list(FILES)


def _load(name):
    if name in MODULES:
        pytest.importorskip(MODULES[name])
    if name.startswith("keras"):
        pytest.importorskip("keras")
    return load_target(name)


def test_float64_stays_float64_and_keys_reproduce():
    target = load_target("jax")
    x = np.linspace(1, 2, 512)
    y = target.forward(x, 0.3, training=True, seed=11)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, target.forward(x, 0.3, training=True, seed=11))
    assert not np.array_equal(y != 0, target.forward(x, 0.3, training=True, seed=12) != 0)


@pytest.mark.parametrize("name", TARGETS)
def test_gradient_flows_through_the_forward_mask(name):
    x = np.linspace(1, 2, 256, dtype=np.float32).reshape(4, 4, 4, 4)
    y, dx = _load(name).forward_backward(x, np.ones_like(x), 0.25, seed=4)
    np.testing.assert_array_equal(y != 0, dx != 0)


@pytest.mark.parametrize("name", [name for name in TARGETS if name != "keras-jax-jit"])
def test_the_same_seed_gives_the_same_mask_and_another_seed_another(name):
    target = _load(name)
    x = np.ones((8, 4, 4, 16), dtype=np.float32)
    first = target.forward(x, 0.5, training=True, seed=9)
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=9))
    assert not np.array_equal(first, target.forward(x, 0.5, training=True, seed=10))


def test_keras_jax_jit_repeats_its_first_mask_whatever_the_seed():
    """keras#18426, as the target meets it: the compiled step draws one mask, the first call's."""
    target = _load("keras-jax-jit")
    x = np.ones((8, 64), dtype=np.float32)
    first = target.forward(x, 0.5, training=True, seed=1)
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=2))


def test_haiku_jit_skips_the_rate_check_that_eager_haiku_runs():
    x = np.ones(8, np.float32)
    with pytest.raises(ValueError, match="rate must be in"):
        _load("haiku").forward(x, 1.5, training=True, seed=0)
    assert _load("haiku-jit").forward(x, 1.5, training=True, seed=0).shape == (8,)


def test_keras_jax_refuses_a_process_whose_keras_runs_on_another_backend(monkeypatch):
    from dropout_verify.properties.adapters import MissingFramework, keras_on

    keras = pytest.importorskip("keras")
    other = "torch" if keras.backend.backend() != "torch" else "tensorflow"
    with pytest.raises(MissingFramework, match=f"needs '{other}'"):
        keras_on(other, "keras-torch")


def test_broadcast_dims_share_one_draw_per_sample_and_channel():
    y = load_target("jax-broadcast").forward(np.ones((64, 8, 3, 5), np.float32), 0.5, training=True, seed=2)
    assert (y == y[:, :, :1, :1]).all() and 0 < np.count_nonzero(y[:, :, 0, 0]) < 64 * 8


@pytest.mark.parametrize("name", TARGETS)
def test_standard_battery_finds_exactly_the_expected_findings(name):
    _load(name)
    run = run_against(name, HERE / FILES[name])
    assert not surprises(run), surprises(run)
    assert run.property("mask_structure").verdict == ("pass" if name in STRUCTURED else "skipped")


@pytest.mark.parametrize(("name", "invariance"), [("jax-sharded", "pass"), ("jax-sharded-rbg", "info")])
def test_sharded_dropout_draws_independent_shards(name, invariance, tmp_path):
    """The rank battery on 4 host devices, in a process of its own: XLA_FLAGS must be set before JAX is imported,
    and this process imported JAX with one device. Threefry promises shard-invariance (it must hold); rbg does not
    (reported)."""
    import json
    import subprocess
    import sys

    out = tmp_path / "run.json"
    done = subprocess.run([sys.executable, "-m", "dropout_verify.properties", name, "--tier", "quick", "--json",
                           str(out)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    run = json.loads(out.read_text())
    verdicts = {prop["name"]: prop["verdict"] for prop in run["properties"]}
    assert verdicts == {"rank_rate": "pass", "rank_independence": "pass", "rank_replication": "skipped",
                        "rank_backward": "skipped", "shard_invariance": invariance}
    assert run["world_size"] == 4 and run["contract"] == "independent"
