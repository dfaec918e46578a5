"""The TensorFlow/Keras adapters: conversions, seeding, GradientTape, and the standard battery's verdicts
on each target, pinned with the reason for each finding."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
pytest.importorskip("keras")

from dropout_verify.properties import load_target, verify  # noqa: E402
from dropout_verify.properties.adapters.tensorflow import to_numpy, to_tensor  # noqa: E402

# TensorFlow draws the uniforms of its keep decision in the input dtype (bug class 3): the keep rate of
# float16 and bfloat16 is a multiple of 2**-10 / 2**-7 (bfloat16, p = 0.01: 0.9843 kept), and it computes
# the scale 1/(1-p) in the input dtype (bug class 4): kept values and gradients round one way, E[y] is
# biased (bfloat16, p = 0.1: -0.30% together with the rate). In float16 at p close to 1 the scale
# overflows and dropped elements get a NaN gradient (0 * inf). tf.nn.dropout and stateless_dropout
# accept rate = NaN and return zeros (bug class 17); Keras validates its rate and calls stateless_dropout
# for the rest. All select: a dropped NaN is 0.
LOW_PRECISION = {"mask_rate": "fail", "kept_values": "fail", "unbiased": "fail", "backward_mask": "fail"}
KNOWN_FINDINGS = {
    "tensorflow": {**LOW_PRECISION, "invalid_rate": "fail"},
    "tf-stateless": {**LOW_PRECISION, "invalid_rate": "fail"},
    "keras": LOW_PRECISION,
    "keras-spatial2d": LOW_PRECISION,
}
INFO = {"nan_policy": "info"}
ELEMENTWISE = {"mask_structure": "skipped"}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "bfloat16"])
@pytest.mark.parametrize("shape", [(), (0,), (3, 4)])
def test_conversion_round_trips_values_dtype_and_shape(dtype, shape):
    if dtype == "bfloat16":
        dtype = pytest.importorskip("ml_dtypes").bfloat16
    x = (np.arange(int(np.prod(shape))).reshape(shape) / 7).astype(dtype)
    back = to_numpy(to_tensor(x))
    assert back.dtype == x.dtype and back.shape == x.shape
    assert back.tobytes() == x.tobytes()


@pytest.mark.parametrize("name", list(KNOWN_FINDINGS))
def test_the_same_seed_gives_the_same_mask_and_another_seed_another(name):
    target = load_target(name)
    x = np.ones((8, 4, 4, 16), dtype=np.float32)
    first = target.forward(x, 0.5, training=True, seed=9)
    np.testing.assert_array_equal(first, target.forward(x, 0.5, training=True, seed=9))
    assert not np.array_equal(first, target.forward(x, 0.5, training=True, seed=10))


@pytest.mark.parametrize("name", list(KNOWN_FINDINGS))
def test_gradient_flows_through_the_forward_mask(name):
    target = load_target(name)
    x = np.linspace(1, 2, 4 * 64, dtype=np.float64).reshape(4, 2, 2, 16)
    y, dx = target.forward_backward(x, np.ones_like(x), 0.25, seed=4)
    np.testing.assert_array_equal(y != 0, dx != 0)


def test_keras_gradient_at_p_one_is_zero_not_missing():
    y, dx = load_target("keras").forward_backward(np.ones(5, np.float32), np.ones(5, np.float32), 1.0, seed=0)
    assert not y.any() and not dx.any() and dx.dtype == np.float32


@pytest.mark.parametrize("name", list(KNOWN_FINDINGS))
def test_standard_battery_gives_the_known_findings(name):
    run = verify(name, tier="standard", seed=0)
    verdicts = {prop.name: prop.verdict for prop in run.properties}
    known = {**INFO, **({} if name == "keras-spatial2d" else ELEMENTWISE), **KNOWN_FINDINGS[name]}
    expected = {prop: known.get(prop, "pass") for prop in verdicts}
    assert verdicts == expected, {p.name: p.message for p in run.properties if verdicts[p.name] != expected[p.name]}
