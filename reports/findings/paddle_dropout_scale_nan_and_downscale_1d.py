"""PaddlePaddle dropout: the scale is rounded (float32 even for float64 data), NaN is accepted, and
downscale_in_infer cannot run inference on 0-D or 1-D input (PaddlePaddle/Paddle#49794, closed, still there).

Run: python paddle_dropout_scale_nan_and_downscale_1d.py   (needs paddlepaddle and numpy only)

1. upscale_in_train scales kept values by 1/(1-p) rounded to the input dtype: bfloat16 E[y] +0.18% at p = 0.1;
   float64 data gets a float32 scale (1.0 -> 1.11111114 at p = 0.1).
2. The check `p < 0 or p > 1` is False for NaN: p = NaN returns all NaN.
3. mode="downscale_in_infer", training=False raises on any 0-D or 1-D input; 2-D input works.
"""

import warnings

import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import paddle
import paddle.nn.functional as F

p = 0.1
paddle.seed(0)
x = paddle.uniform([2_000_000], min=0.5, max=1.5)
for dtype in ("bfloat16", "float16", "float32"):
    xs = x.astype(dtype)
    y = F.dropout(xs, p, training=True)
    y64, x64 = y.astype("float64").numpy(), xs.astype("float64").numpy()
    kept = y64 != 0
    ratio = float(np.mean(y64[kept] / x64[kept]) * (1 - p))
    print(f"{dtype:9s} E[y]/x = {ratio:.6f} ({100 * (ratio - 1):+.4f}%)  (1.0 if unbiased)")
y = F.dropout(paddle.ones([1000], dtype="float64"), p, training=True).numpy()
print(f"float64, p = 0.1: kept value {y[y != 0][0]!r}, exact {1 / 0.9!r}")
print("p = nan:", F.dropout(paddle.ones([4]), float("nan"), training=True).numpy())
for shape in ([], [1], [8], [2, 4]):
    try:
        out = F.dropout(paddle.ones(shape), 0.5, training=False, mode="downscale_in_infer").numpy()
        print(f"downscale_in_infer, inference, shape {shape}: {out.ravel()}")
    except ValueError as error:
        print(f"downscale_in_infer, inference, shape {shape}: raises {str(error).splitlines()[0]}")
print("paddlepaddle", paddle.__version__)
