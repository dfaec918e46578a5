"""torch.nn.Dropout2d on an unbatched (C, H, W) input does not drop whole channels (standalone repro).

Run: python torch_dropout2d_unbatched.py   (needs torch only)

Dropout2d's documentation accepts (C, H, W) input, where each channel should be zeroed as a whole. PyTorch
reads a 3-D input as (N, C, L) instead (it warns so), drawing one keep decision per channel and row: at
p = 0.5 a channel of 4 rows is dropped whole only when its four rows agree, 1 time in 8 (pytorch#69801).
"""

import warnings

import torch

torch.manual_seed(0)
layer = torch.nn.Dropout2d(0.5)
layer.train()
x = torch.ones(10_000, 4, 4)  # 10,000 channels of 4 x 4
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    y = layer(x)
whole = ((y == y[:, :1, :1]).flatten(1).all(dim=1)).double().mean().item()
print(f"channels constant over H and W: {whole:.4f} (a channel dropout gives 1; rows drawn apart give 0.125)")
print(f"warning: {caught[0].message if caught else 'none'}")
print("torch", torch.__version__)
