"""torch.compile changes what F.dropout does on CPU: the bfloat16 keep rate is off, and p = NaN is
accepted (standalone repro).

Run: python torch_compile_dropout_rate_and_nan.py   (needs torch only; Inductor needs a C++ compiler)

1. Compiled, the keep decision for a bfloat16 input compares against a rate rounded to bfloat16 (its 8
   significant bits): p = 0.99 keeps 1.18% instead of 1% (18% more), p = 0.9 keeps 10.15% instead of
   10%. Eager PyTorch keeps the right rate.
2. Eager F.dropout raises for p = NaN; compiled, it returns NaN for every element.
"""

import torch

f = torch.compile(lambda t, p: torch.nn.functional.dropout(t, p, training=True), dynamic=True, fullgraph=True)
torch.manual_seed(0)
x = torch.ones(2_000_000, dtype=torch.bfloat16)
for p in (0.9, 0.99):
    eager = (torch.nn.functional.dropout(x, p, training=True) != 0).double().mean().item()
    compiled = (f(x, p) != 0).double().mean().item()
    sd = (p * (1 - p) / x.numel()) ** 0.5
    print(f"bfloat16 p = {p}: keep rate eager {eager:.5f}, compiled {compiled:.5f}, "
          f"should be {1 - p:.5f} +- {3 * sd:.5f}")

try:
    torch.nn.functional.dropout(torch.ones(4), float("nan"), training=True)
    print("p = nan, eager: accepted")
except (RuntimeError, ValueError) as error:
    print(f"p = nan, eager: {type(error).__name__}")
print(f"p = nan, compiled: {f(torch.ones(4), float('nan'))}")
print("torch", torch.__version__)
