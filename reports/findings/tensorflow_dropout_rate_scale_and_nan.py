"""TensorFlow dropout draws its uniforms and rounds its scale in the input dtype, and accepts rate=NaN
(standalone repro).

Run: python tensorflow_dropout_rate_scale_and_nan.py   (needs tensorflow and numpy only)

1. The keep decision is ``uniform >= rate`` with the uniforms drawn in the input dtype: float16 has 10
   fraction bits, bfloat16 7, so the keep rate is a multiple of 2**-10 or 2**-7 instead of 1 - p. In
   bfloat16 p = 0.01 keeps 98.4% instead of 99%, and p = 0.99 keeps 0.78% instead of 1% (23% fewer).
2. Inverted dropout must satisfy E[y] = x, each kept value being x/(1-p) rounded to the nearest value of
   the dtype. ``tf.nn.dropout`` (and ``stateless_dropout``, and Keras 3 ``Dropout`` on the TensorFlow
   backend, which calls it) multiplies by a scale rounded to the input dtype first: in float16
   1/0.9 -> 1.111328, so kept values are rounded one way only and E[y] is 0.019% too large.
3. In float16 at p = 0.99999 the scale 1/(1-p) overflows to inf, and the gradient of every *dropped*
   element is 0 * inf = NaN: one such layer turns a whole float16 gradient into NaN.
4. ``rate`` is checked with comparisons that NaN passes: ``tf.nn.dropout(x, rate=float("nan"))`` returns
   all zeros without an error, where ``rate=1.5`` or ``rate=-0.5`` raise ValueError.
"""

import os
from fractions import Fraction

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import ml_dtypes
import numpy as np
import tensorflow as tf

ones = {"float16": np.ones(2_000_000, np.float16), "bfloat16": np.ones(2_000_000, ml_dtypes.bfloat16)}
for name, x in ones.items():
    for p in (0.01, 0.99):
        tf.random.set_seed(1)
        kept = float(np.mean(tf.nn.dropout(x, rate=p).numpy() != 0))
        sd = (p * (1 - p) / x.size) ** 0.5
        print(f"{name:9s} p = {p}: keep rate {kept:.5f} (should be {1 - p:.2f} +- {3 * sd:.5f})")

p = 0.1
x = np.random.default_rng(0).uniform(0.5, 1.5, 200_000).astype(np.float16)
tf.random.set_seed(0)
y = tf.nn.dropout(x, rate=p).numpy()
kept = y != 0
ratio = float(np.mean(y[kept].astype(np.float64) / x[kept].astype(np.float64))) * (1 - p)  # 1.0 if E[y] = x
up = down = 0
for xi, yi in zip(x[kept][:20_000].tolist(), y[kept][:20_000].tolist(), strict=True):
    exact = Fraction(xi) / Fraction(1 - p)
    guess = np.float16(float(exact))
    # the nearest float16 to the exact quotient, among the guess and its two neighbours
    nearest = min((np.nextafter(guess, np.float16(-np.inf)), guess, np.nextafter(guess, np.float16(np.inf))),
                  key=lambda c: abs(Fraction(float(c)) - exact))
    up += yi > float(nearest)
    down += yi < float(nearest)
print(f"float16: E[y]/x = {ratio:.6f} ({100 * (ratio - 1):+.4f}%), kept values rounded up {up}, down {down} "
      f"of 20000 (correct rounding: 0 and 0)")

x = tf.constant(np.ones(8, np.float16))
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.nn.dropout(x, rate=0.99999)
print(f"float16 p = 0.99999: y = {y.numpy()}, dy/dx = {tape.gradient(y, x).numpy()} (should be finite)")

for rate in (float("nan"), 1.5, -0.5):
    try:
        out = tf.nn.dropout(np.ones(4, np.float32), rate=rate).numpy()
        print(f"rate={rate}: accepted, returned {out}")
    except ValueError as error:
        print(f"rate={rate}: ValueError {str(error)[:60]}...")
print("tensorflow", tf.__version__, "numpy", np.__version__)
