"""Keras 3 on JAX: a Dropout layer called inside a raw jax.jit draws the same mask on every call (keras#18426).

Run: KERAS_BACKEND=jax python keras_jax_jit_repeated_mask.py   (needs keras, jax and numpy only)

The layer's SeedGenerator state is read when the step is traced and its update leaks out of the trace, so the
compiled step repeats the first mask forever (and calling the layer eagerly afterwards raises
UnexpectedTracerError). Keras's own path, layer.stateless_call with the state threaded through, is correct.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np

layer = keras.layers.Dropout(0.5, seed=1)
step = jax.jit(lambda x: layer(x, training=True))
x = jnp.ones(10_000)
masks = [np.asarray(step(x)) != 0 for _ in range(5)]
print("raw jax.jit: calls 2-5 repeat call 1's mask:", [bool((m == masks[0]).all()) for m in masks[1:]])

layer = keras.layers.Dropout(0.5, seed=1)
layer.build(x.shape)
state = [v.value for v in layer.non_trainable_variables]
stateless = jax.jit(lambda x, state: layer.stateless_call([], state, x, training=True))
masks = []
for _ in range(5):
    y, state = stateless(x, state)
    masks.append(np.asarray(y) != 0)
print("stateless_call, state threaded: masks repeat:", [bool((m == masks[0]).all()) for m in masks[1:]])
print("keras", keras.__version__, "jax", jax.__version__, "backend", keras.backend.backend())
