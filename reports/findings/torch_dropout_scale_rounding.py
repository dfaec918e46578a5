"""PyTorch CPU dropout rounds its scale 1/(1-p) to the input dtype, which biases E[y] (standalone repro).

Run: python torch_dropout_scale_rounding.py   (needs torch and numpy only)

Inverted dropout must satisfy E[y] = x. With the scale rounded to bfloat16 (1/0.9 -> 1.109375), every kept
value is 0.156% too small, so a bfloat16 network sees activations shrink by that much at every dropout
layer; in float16 the scale 1.111328 makes them 0.0195% too large. Kept values are therefore rounded one
way only, instead of to the nearest representable x/(1-p).
"""

from fractions import Fraction

import numpy as np
import torch

p = 0.1
torch.manual_seed(0)
for dtype in (torch.bfloat16, torch.float16, torch.float32):
    x = torch.rand(2_000_000, dtype=torch.float64).add_(0.5).to(dtype)  # values in [0.5, 1.5]
    y = torch.nn.functional.dropout(x, p, training=True)
    kept = y != 0
    ratio = (y[kept].double() / x[kept].double()).mean().item() * (1 - p)  # 1.0 if E[y] = x
    # compare each kept value with the correctly rounded x / (1 - p) in the same dtype
    xs, ys = x[kept][:20_000].double().tolist(), y[kept][:20_000].double().tolist()
    up = down = 0
    for xi, yi in zip(xs, ys, strict=True):
        exact = Fraction(xi) / Fraction(1 - p)
        nearest = torch.tensor(float(exact), dtype=torch.float64).to(dtype).double().item()
        # float(exact) then one rounding: exact enough for this demonstration at these magnitudes
        if yi > nearest:
            up += 1
        elif yi < nearest:
            down += 1
    print(f"{dtype!s:15s} E[y]/x = {ratio:.6f} ({100 * (ratio - 1):+.4f}%), kept values rounded up {up}, "
          f"down {down} of {len(xs)} (correct rounding: about equal, mostly 0)")
print("torch", torch.__version__, "numpy", np.__version__)
