"""Equinox eqx.nn.Dropout: p is never validated, p = 1 has NaN gradients, the scale is cast to the input dtype.

Run: python equinox_dropout_unvalidated_rate_and_p_one_gradient.py   (needs jax, equinox and numpy only)

1. p = -0.5 scales kept values by 1/1.5, p = 1.5, inf and NaN return zeros: no error.
2. At p = 1 the output is zeros, but jnp.where(mask, x / q, 0) with q = 0 differentiates x / 0 on the branch
   it drops: the gradient is NaN everywhere.
3. x / q casts q = 1 - p to the input dtype: in bfloat16 E[y] is +0.18% at p = 0.1.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

key = jax.random.key(0)
for p in (-0.5, 1.5, float("inf"), float("nan")):
    print(f"Dropout({p}) accepted, returned {np.asarray(eqx.nn.Dropout(p)(jnp.ones(4), key=key))}")

y, vjp = jax.vjp(lambda x: eqx.nn.Dropout(1.0)(x, key=key), jnp.ones(4))
print("p = 1: output", np.asarray(y), "gradient", np.asarray(vjp(jnp.ones(4))[0]))

p = 0.1
x = jax.random.uniform(jax.random.key(1), (2_000_000,), minval=0.5, maxval=1.5)
for dtype in (jnp.bfloat16, jnp.float16, jnp.float32):
    xs = x.astype(dtype)
    y = eqx.nn.Dropout(p)(xs, key=jax.random.key(2))
    kept = np.asarray(y != 0)
    ratio = float(np.mean(np.asarray(y, np.float64)[kept] / np.asarray(xs, np.float64)[kept]) * (1 - p))
    print(f"{jnp.dtype(dtype).name:9s} E[y]/x = {ratio:.6f} ({100 * (ratio - 1):+.4f}%)  (1.0 if unbiased)")
print("jax", jax.__version__, "equinox", eqx.__version__)
