"""Haiku hk.dropout: the rate check lets NaN through and vanishes under jit; the scale is cast to the input dtype.

Run: python haiku_dropout_rate_check_and_scale.py   (needs jax, dm-haiku and numpy only)

1. The check `rate < 0 or rate >= 1` is False for NaN: rate = NaN returns all NaN.
2. With the rate traced (a jitted step that takes it as an argument) the check cannot run and is skipped:
   rate = 1 returns 0 / 0 = NaN everywhere, and rate = 1.5 or -0.5 return a result.
3. `keep * x / keep_rate` casts keep_rate = 1 - rate to the input dtype: in bfloat16 E[y] is +0.18% at
   rate = 0.1; in float16, rate = 1 - 1e-9 makes keep_rate 0 and every dropped element NaN.
"""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

dropout = hk.transform(lambda x, rate: hk.dropout(hk.next_rng_key(), rate, x))
key = jax.random.key(0)

print("rate = nan (eager):", np.asarray(dropout.apply({}, key, jnp.ones(4), float("nan"))))
jitted = jax.jit(dropout.apply)
for rate in (1.0, 1.5, -0.5):
    print(f"rate = {rate} (jit, traced):", np.asarray(jitted({}, key, jnp.ones(4), rate)))

rate = 0.1
x = jax.random.uniform(jax.random.key(1), (2_000_000,), minval=0.5, maxval=1.5)
for dtype in (jnp.bfloat16, jnp.float16, jnp.float32):
    xs = x.astype(dtype)
    y = dropout.apply({}, jax.random.key(2), xs, rate)
    kept = np.asarray(y != 0)
    ratio = float(np.mean(np.asarray(y, np.float64)[kept] / np.asarray(xs, np.float64)[kept]) * (1 - rate))
    print(f"{jnp.dtype(dtype).name:9s} E[y]/x = {ratio:.6f} ({100 * (ratio - 1):+.4f}%)  (1.0 if unbiased)")
y = dropout.apply({}, key, jnp.ones(8, jnp.float16), 1 - 1e-9)
print("float16, rate = 1 - 1e-9:", np.asarray(y))
print("jax", jax.__version__, "dm-haiku", hk.__version__)
