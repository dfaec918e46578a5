"""ONNX Runtime Dropout: masks from minstd_rand0 correlate within a call and across seeds; float64 data is
scaled by a float 1/(1-ratio); the seed attribute restarts its sequence in every new session (onnxruntime#1487).

Run: python onnxruntime_dropout_float64_scale_and_seed.py   (needs onnx, onnxruntime and numpy only)

0. The CPU kernel draws each mask from std::default_random_engine seeded with one number per call, which in
   libstdc++ is minstd_rand0 (x <- 16807 x mod 2^31 - 1, one cycle). Since 16807^1311 = -116 mod 2^31 - 1,
   draws 1,311 apart lie on a coarse lattice and their keep bits correlate; the states of seed 2 are twice
   those of seed 1 (mod 2^31 - 1), so their masks agree far beyond chance (phi = +0.44); and the masks of any
   two seeds are stretches of the one cycle, which correlate at some shift (phi about +0.05).
1. The CPU kernel computes the scale 1 / (1 - ratio) in float even for double data and a double ratio: at
   ratio = 1/3 kept values are x * 1.50000009 instead of x * 1.5 (6e-8 relative: some 2^28 float64 ulps).
2. With a seed attribute, every run of one session draws a new mask, and a new session (a restarted server, a
   second worker) replays the same sequence of masks from the start. Without the attribute the kernel draws
   from the default generator, which onnxruntime.set_seed seeds.
"""

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper


def session(elem, ratio_elem, seed=None):
    attributes = {} if seed is None else {"seed": seed}
    node = helper.make_node("Dropout", ["x", "ratio", "training_mode"], ["y", "mask"], **attributes)
    graph = helper.make_graph(
        [node], "dropout",
        [helper.make_tensor_value_info("x", elem, None), helper.make_tensor_value_info("ratio", ratio_elem, []),
         helper.make_tensor_value_info("training_mode", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("y", elem, None), helper.make_tensor_value_info("mask", TensorProto.BOOL, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    model.ir_version = 10
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


float_session = session(TensorProto.FLOAT, TensorProto.FLOAT)
n = 1 << 22


def mask(seed, ratio=0.1):
    ort.set_seed(seed)
    feed = {"x": np.ones(n, np.float32), "ratio": np.array(ratio, np.float32), "training_mode": np.array(True)}
    return (float_session.run(["y"], feed)[0] != 0).astype(np.float64)


def phi(a, b):
    return float(np.corrcoef(a, b)[0, 1])


m = mask(0)
for lag in (1, 1311, 1312):
    r = phi(m[:-lag], m[lag:])
    print(f"one mask of 2^22 at p = 0.1: lag {lag:4d} phi = {r:+.4f} (z = {r * np.sqrt(n - lag):+.1f})")
# two seeds' masks at every shift, by FFT: the largest correlation and where it is
for first, second in ((1, 2), (1, 3), (123_456_789, 123_456_791)):
    a, b = mask(first) - 0.9, mask(second) - 0.9
    cross = np.fft.irfft(np.fft.rfft(a, 2 * n) * np.conj(np.fft.rfft(b, 2 * n)), 2 * n)
    overlap = np.maximum(np.concatenate([n - np.arange(n), np.arange(n)]), 1)  # index k >= n: shift k - 2n
    z = cross / (np.sqrt(overlap) * 0.09)  # 0.09 = q (1 - q), the variance of one keep bit
    z[np.r_[n - 4096 : n + 4096]] = 0  # shifts whose overlap is under 4096 elements
    best = int(np.argmax(np.abs(z)))
    shift = best if best < n else best - 2 * n
    print(f"set_seed({first}) and set_seed({second}): largest correlation at shift {shift:+d}, z = {z[best]:+.1f} "
          f"(independent masks: |z| > 6.5 anywhere among the 2^23 shifts with probability < 1e-3)")

double = session(TensorProto.DOUBLE, TensorProto.DOUBLE)
y = double.run(["y"], {"x": np.ones(1000), "ratio": np.array(1 / 3), "training_mode": np.array(True)})[0]
kept = y[y != 0][0]
exact = 1 / (1 - 1 / 3)
print(f"float64, ratio = 1/3: kept value {kept!r}, exact 1/(1 - 1/3) = {exact!r} ({kept / exact - 1:+.2e} relative)")

feed = {"x": np.ones(10_000, np.float32), "ratio": np.array(0.5, np.float32), "training_mode": np.array(True)}
first, second = session(TensorProto.FLOAT, TensorProto.FLOAT, 7), session(TensorProto.FLOAT, TensorProto.FLOAT, 7)
a = [first.run(["y"], feed)[0] != 0 for _ in range(3)]
b = [second.run(["y"], feed)[0] != 0 for _ in range(3)]
print("seed = 7, one session: runs 2-3 repeat run 1:", [bool((m == a[0]).all()) for m in a[1:]])
replayed = [bool((m == n).all()) for m, n in zip(a, b, strict=True)]
print("seed = 7, a new session replays the first one's runs:", replayed)
print("onnxruntime", ort.__version__, "onnx", onnx.__version__)
