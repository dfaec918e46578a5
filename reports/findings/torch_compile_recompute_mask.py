"""torch.compile with activation_memory_budget < 1: the partitioner recomputes dropout in backward with fresh
randomness, so the gradient flows through another mask than the output (pytorch#190758, open).

Run: python torch_compile_recompute_mask.py   (needs torch only)
"""

import torch
import torch.nn.functional as F
from torch._functorch import config

compiled = torch.compile(lambda x: F.dropout(x, 0.5, training=True), fullgraph=True)
for budget in (1.0, 0.0):
    torch._dynamo.reset()
    with config.patch(activation_memory_budget=budget):
        torch.manual_seed(0)
        x = torch.ones(100_000, requires_grad=True)
        y = compiled(x)
        y.backward(torch.ones_like(y))
    differ = int(((y != 0) != (x.grad != 0)).sum())
    print(f"activation_memory_budget = {budget}: gradient mask differs from the output's at {differ} of "
          f"{x.numel()} elements ({100 * differ / x.numel():.1f}%)")
print("torch", torch.__version__)
