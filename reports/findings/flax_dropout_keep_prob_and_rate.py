"""Flax Dropout: keep_prob is cast to the input dtype before the division, and the rate is not validated.

Run: python flax_dropout_keep_prob_and_rate.py   (needs jax, flax and numpy only)

1. `inputs / keep_prob` with a Python float casts keep_prob to the input dtype: in bfloat16, 0.9 becomes
   0.8984375, so every kept value, and E[y], is 0.17% too large (float16: 0.8999 -> -0.02%); kept values
   are rounded one way instead of to the nearest x / (1 - rate).
2. Dropout(rate) accepts rate < 0, rate > 1 and NaN without an error and returns a result.
"""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

rate = 0.1
x = jax.random.uniform(jax.random.key(0), (2_000_000,), minval=0.5, maxval=1.5)
for dtype in (jnp.bfloat16, jnp.float16, jnp.float32):
    xs = x.astype(dtype)
    y = nnx.Dropout(rate)(xs, deterministic=False, rngs=jax.random.key(1))
    kept = np.asarray(y != 0)
    ratio = float(np.mean(np.asarray(y, np.float64)[kept] / np.asarray(xs, np.float64)[kept]) * (1 - rate))
    print(f"{jnp.dtype(dtype).name:9s} E[y]/x = {ratio:.6f} ({100 * (ratio - 1):+.4f}%)  (1.0 if unbiased)")

for bad in (-0.5, 1.5, 256.0, float("nan")):
    y = nnx.Dropout(bad)(jnp.ones(8), deterministic=False, rngs=jax.random.key(2))
    print(f"Dropout({bad}) accepted, returned {np.asarray(y)}")
print("jax", jax.__version__)
