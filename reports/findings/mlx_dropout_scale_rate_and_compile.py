"""MLX nn.Dropout: the scale is cast to the input dtype, NaN is accepted, and mx.compile without the random
state repeats one mask (ml-explore/mlx#1321).

Run: python mlx_dropout_scale_rate_and_compile.py   (needs mlx and numpy only; mlx[cpu] on Linux)

1. (mask * x) * (1 / (1 - p)) casts the Python float scale to the input dtype: in bfloat16, 1/0.9 becomes
   1.109375 and E[y] is -0.15% at p = 0.1; in float16, p = 1 - 1e-9 makes the scale inf and each dropped
   element 0 * inf = NaN.
2. The check `p < 0 or p >= 1` is False for NaN: Dropout(nan) returns all NaN. p = 1 raises (documented).
3. A function compiled with a plain mx.compile(f) captures the key when traced: every call, whatever the seed,
   draws the same mask. Passing mx.random.state as inputs and outputs, as MLX's documentation asks, fixes it.
"""

import mlx.core as mx
import mlx.nn as nn
import numpy as np

p = 0.1
mx.random.seed(0)
x = mx.random.uniform(0.5, 1.5, (2_000_000,))
for dtype in (mx.bfloat16, mx.float16, mx.float32):
    xs = x.astype(dtype)
    mx.random.seed(1)
    y = nn.Dropout(p)(xs)
    y64, x64 = np.asarray(y.astype(mx.float32), np.float64), np.asarray(xs.astype(mx.float32), np.float64)
    kept = y64 != 0
    ratio = float(np.mean(y64[kept] / x64[kept]) * (1 - p))
    print(f"{dtype!s:18s} E[y]/x = {ratio:.6f} ({100 * (ratio - 1):+.4f}%)  (1.0 if unbiased)")
print("float16, p = 1 - 1e-9:", np.asarray(nn.Dropout(1 - 1e-9)(mx.ones(8, dtype=mx.float16))))
print("Dropout(nan):", np.asarray(nn.Dropout(float("nan"))(mx.ones(4))))

layer = nn.Dropout(0.5)
plain = mx.compile(lambda x: layer(x))
state = [mx.random.state]
threaded = mx.compile(lambda x: layer(x), inputs=state, outputs=state)
for name, f in (("mx.compile(f)", plain), ("mx.compile(f, inputs=state, outputs=state)", threaded)):
    masks = []
    for seed in range(5):
        mx.random.seed(seed)
        masks.append(np.asarray(f(mx.ones(10_000))) != 0)
    print(f"{name}: seeds 1-4 repeat seed 0's mask:", [bool((m == masks[0]).all()) for m in masks[1:]])
print("mlx", mx.__version__)
