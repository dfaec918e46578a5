"""TensorFlow targets: ``tf.nn.dropout``, ``tf.nn.experimental.stateless_dropout``, and Keras 3 (on the
TensorFlow backend) ``keras.layers.Dropout`` and ``keras.layers.SpatialDropout2D``.

Gradients come from ``tf.GradientTape``. ``tf.nn.dropout`` takes its randomness from TensorFlow's global
seed, so each call runs ``tf.random.set_seed(seed)`` first, as a user's script would; TensorFlow has no
public way to read the previous global seed back, so it is left set. The stateless and Keras targets take
the seed as an argument and touch no global state. Keras layers are built with the input's dtype as
their dtype policy, so that a float16 input is not autocast to float32.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np

from . import keras_on, require

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's C++ start-up chatter
tf = require("tensorflow", "tensorflow")
keras = keras_on("tensorflow", "tensorflow")


def to_tensor(x: np.ndarray) -> Any:
    """A tensor with ``x``'s values and dtype (ml_dtypes bfloat16 is TensorFlow's own bfloat16)."""
    return tf.constant(np.array(x, order="C"))  # ascontiguousarray would make a 0-d array 1-d


def to_numpy(t: Any) -> np.ndarray:
    return np.asarray(t.numpy())


class _Taped:
    """Forward through ``_call``; backward by ``tf.GradientTape`` over the same call."""

    convention = "inverted"
    name = "tensorflow"
    versions: ClassVar[dict[str, str]] = {"tensorflow": tf.__version__, "keras": keras.__version__}

    def _call(self, x: Any, p: float, training: bool, seed: int) -> Any:
        raise NotImplementedError

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        return to_numpy(self._call(to_tensor(x), p, training, seed))

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int):
        xt = to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = self._call(xt, p, True, seed)
        # an output not connected to x (Keras returns zeros_like(x) at p = 1) has gradient zero, which
        # TensorFlow spells None unless asked
        dx = tape.gradient(y, xt, output_gradients=to_tensor(dy), unconnected_gradients=tf.UnconnectedGradients.ZERO)
        return to_numpy(y), to_numpy(dx)


class NnDropout(_Taped):
    """``tf.nn.dropout(x, rate=p)`` after ``tf.random.set_seed(seed)``. It has no inference mode: a model
    does not call it at inference, so the adapter returns ``tf.identity(x)`` there."""

    name = "tensorflow"

    def _call(self, x: Any, p: float, training: bool, seed: int) -> Any:
        if not training:
            return tf.identity(x)
        tf.random.set_seed(seed)
        return tf.nn.dropout(x, rate=p)


class StatelessDropout(_Taped):
    """``tf.nn.experimental.stateless_dropout(x, rate=p, seed=[seed, 0])``; identity at inference."""

    name = "tf-stateless"

    def _call(self, x: Any, p: float, training: bool, seed: int) -> Any:
        if not training:
            return tf.identity(x)
        return tf.nn.experimental.stateless_dropout(x, rate=p, seed=[seed, 0])


class KerasDropout(_Taped):
    """``keras.layers.Dropout(p, seed=seed, dtype=x.dtype)(x, training=...)``, a new layer per call."""

    name = "keras"

    def _layer(self, p: float, seed: int, dtype: Any) -> Any:
        return keras.layers.Dropout(p, seed=seed, dtype=dtype.name)

    def _call(self, x: Any, p: float, training: bool, seed: int) -> Any:
        return self._layer(p, seed, x.dtype)(x, training=training)


class KerasAlphaDropout(KerasDropout):
    """``keras.layers.AlphaDropout``: the alpha law (``laws.Alpha``)."""

    name = "keras-alpha"
    law = "alpha"

    def _layer(self, p: float, seed: int, dtype: Any) -> Any:
        return keras.layers.AlphaDropout(p, seed=seed, dtype=dtype.name)


class KerasGaussianDropout(KerasDropout):
    """``keras.layers.GaussianDropout``: multiplicative noise ``e ~ N(1, p / q)`` (``laws.Gaussian``)."""

    name = "keras-gaussian"
    law = "gaussian"

    def _layer(self, p: float, seed: int, dtype: Any) -> Any:
        return keras.layers.GaussianDropout(p, seed=seed, dtype=dtype.name)


class KerasSpatialDropout1D(KerasDropout):
    """``keras.layers.SpatialDropout1D`` on ``(N, L, C)``: one draw per sample and channel, shared over the steps."""

    name = "keras-spatial1d"
    ndim = 3
    broadcast_axes = (1,)

    def _layer(self, p: float, seed: int, dtype: Any) -> Any:
        return keras.layers.SpatialDropout1D(p, seed=seed, dtype=dtype.name)


class KerasSpatialDropout3D(KerasDropout):
    """``keras.layers.SpatialDropout3D`` on channels-last ``(N, D, H, W, C)``: one draw per sample and channel."""

    name = "keras-spatial3d"
    ndim = 5
    broadcast_axes = (1, 2, 3)

    def _layer(self, p: float, seed: int, dtype: Any) -> Any:
        return keras.layers.SpatialDropout3D(p, data_format="channels_last", seed=seed, dtype=dtype.name)


class KerasSpatialDropout2D(KerasDropout):
    """``keras.layers.SpatialDropout2D`` on channels-last ``(N, H, W, C)``: one draw per sample and
    channel, shared over H and W."""

    name = "keras-spatial2d"
    ndim = 4
    broadcast_axes = (1, 2)

    def _layer(self, p: float, seed: int, dtype: Any) -> Any:
        return keras.layers.SpatialDropout2D(p, data_format="channels_last", seed=seed, dtype=dtype.name)
