"""The bug zoo: deliberately wrong dropout implementations, one or more per class of bug-classes.md, and
correct ones written differently from the reference. Each is a target of the verifier.

``ZOO`` maps each broken target to the bug class it reproduces and the property that must name it.
"""

from __future__ import annotations

import math

import numpy as np


def _check_rate(p: float) -> None:
    if not (isinstance(p, (int, float)) and 0.0 <= p <= 1.0):  # NaN fails both comparisons
        raise ValueError(f"p must be in [0, 1], got {p!r}")


class Correct:
    """A correct inverted dropout from plain numpy: float64 uniforms from PCG64, select, divide in float64."""

    convention = "inverted"

    def rng(self, seed: int) -> np.random.Generator:
        return np.random.default_rng(seed)

    def mask(self, x: np.ndarray, p: float, seed: int) -> np.ndarray:
        return self.rng(seed).random(x.shape) < 1.0 - p

    def kept(self, x: np.ndarray, p: float) -> np.ndarray:
        with np.errstate(over="ignore"):
            return (x.astype(np.float64) / (1.0 - p)).astype(x.dtype)

    def apply(self, x: np.ndarray, mask: np.ndarray, p: float) -> np.ndarray:
        """Select: a dropped element is 0 whatever it held."""
        return np.where(mask, self.kept(x, p), x.dtype.type(0))

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        _check_rate(p)
        if not training or p == 0:
            return x.copy()
        if p == 1:
            return np.zeros_like(x)
        return self.apply(x, self.mask(x, p, seed), p)

    def forward_backward(self, x: np.ndarray, dy: np.ndarray, p: float, *, seed: int):
        _check_rate(p)
        if p == 1:
            return np.zeros_like(x), np.zeros_like(dy)
        mask = self.mask(x, p, seed) if p > 0 else np.ones(x.shape, bool)
        y = np.where(mask, self.kept(x, p), x.dtype.type(0))
        return y, np.where(mask, self.kept(dy, p), dy.dtype.type(0))


class CorrectPhiloxIntegerThreshold(Correct):
    """Correct, written differently: Philox, 32-bit integer threshold, multiply by 1/q in float64
    (float64 inputs divide, since a float64 multiply by a rounded 1/q would bias E[y])."""

    def mask(self, x: np.ndarray, p: float, seed: int) -> np.ndarray:
        bits = np.random.Generator(np.random.Philox(seed)).integers(0, 2**32, size=x.shape, dtype=np.uint64)
        return bits < round((1.0 - p) * 2**32)

    def kept(self, x: np.ndarray, p: float) -> np.ndarray:
        with np.errstate(over="ignore"):
            if x.dtype == np.float64:
                return x / (1.0 - p)
            return (x.astype(np.float64) * (1.0 / (1.0 - p))).astype(x.dtype)


class CorrectClassic(Correct):
    """Correct classic dropout: keep x unscaled in training, multiply by q at inference."""

    convention = "classic"

    def kept(self, x: np.ndarray, p: float) -> np.ndarray:
        return x.copy()

    def forward(self, x: np.ndarray, p: float, *, training: bool, seed: int) -> np.ndarray:
        _check_rate(p)
        if not training:
            return (x.astype(np.float64) * (1.0 - p)).astype(x.dtype)
        return super().forward(x, p, training=True, seed=seed)


class CorrectMultiplicativeSFC64(Correct):
    """Correct, multiplicative like PyTorch (a dropped NaN stays NaN): SFC64 uniforms, y = (x * mask) / q,
    dividing by q rather than multiplying by a rounded 1/q."""

    def mask(self, x: np.ndarray, p: float, seed: int) -> np.ndarray:
        return np.random.Generator(np.random.SFC64(seed)).random(x.shape) < 1.0 - p

    def apply(self, x: np.ndarray, mask: np.ndarray, p: float) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):  # a dropped inf becomes NaN, as in PyTorch
            return (x.astype(np.float64) * mask / (1.0 - p)).astype(x.dtype)


class CorrectChannelDropout(Correct):
    """Correct structured dropout, dropout2d semantics on (N, C, H, W): one float64 uniform per sample and
    channel, broadcast over H and W."""

    ndim = 4
    broadcast_axes = (2, 3)

    def mask(self, x: np.ndarray, p: float, seed: int) -> np.ndarray:
        cells = self.rng(seed).random((*x.shape[:2], 1, 1)) < 1.0 - p
        return np.broadcast_to(cells, x.shape)


# ---------------------------------------------------------------- class 1: wrong scale
class NoScale(Correct):
    """Declares inverted dropout but never divides by q (the classic training pass)."""

    def kept(self, x, p):
        return x.copy()


class ScaledTwice(Correct):
    """Divides by q twice."""

    def kept(self, x, p):
        with np.errstate(over="ignore"):
            return (x.astype(np.float64) / (1.0 - p) ** 2).astype(x.dtype)



class UnscaledTail(Correct):
    """A kernel vectorised by 8 whose remainder loop (the last ``size % 8`` elements in C order) keeps values
    unscaled: every bulk call of the battery has a size divisible by 8, so only the exact rules' sizes show it."""

    def forward(self, x, p, *, training, seed):
        y = super().forward(x, p, training=training, seed=seed)
        tail = x.size % 8
        if not training or not 0 < p < 1 or not tail:
            return y
        flat, source = np.ascontiguousarray(y).ravel(), np.ascontiguousarray(x).ravel()
        flat[-tail:] = np.where(flat[-tail:] != 0, source[-tail:], x.dtype.type(0))
        return flat.reshape(x.shape)

# ---------------------------------------------------------------- class 2: keep and drop swapped
class KeepDropSwapped(Correct):
    """Reads p as the keep probability (keras#9141, the keep_prob/rate change of TensorFlow 2)."""

    def mask(self, x, p, seed):
        return self.rng(seed).random(x.shape) < p


# ---------------------------------------------------------------- class 3: rate slightly off
class EightBitThreshold(Correct):
    """Compares one random byte with floor(q * 256) (apex#1614: keep 0.9 becomes 0.8984)."""

    def mask(self, x, p, seed):
        return self.rng(seed).integers(0, 256, size=x.shape) < math.floor((1.0 - p) * 256)


class OffByOneByte(Correct):
    """An off-by-one comparison on an 8-bit threshold: keep iff byte <= round(q * 256)."""

    def mask(self, x, p, seed):
        return self.rng(seed).integers(0, 256, size=x.shape) <= round((1.0 - p) * 256)


class TruncatedNoise(Correct):
    """Uniform noise truncated to 8 significant bits, as bf16 random numbers are (boltz#553)."""

    def mask(self, x, p, seed):
        u = self.rng(seed).random(x.shape)
        exponent = np.floor(np.log2(np.maximum(u, 2.0**-60)))
        truncated = np.floor(u * 2.0 ** (7 - exponent)) * 2.0 ** (exponent - 7)
        return truncated < 1.0 - p


# ---------------------------------------------------------------- class 4: low-precision scale
class LowPrecisionScale(Correct):
    """Rounds 1/q to the input dtype, then multiplies (PyTorch CPU, TensorFlow, Paddle#39501)."""

    def kept(self, x, p):
        with np.errstate(over="ignore", invalid="ignore"):
            return x * x.dtype.type(1.0 / (1.0 - p))


# ---------------------------------------------------------------- class 5: correlated mask bits
class NeighboursShareBits(Correct):
    """Each pair of neighbouring elements shares one draw."""

    def mask(self, x, p, seed):
        flat = self.rng(seed).random((x.size + 1) // 2) < 1.0 - p
        return np.repeat(flat, 2)[: x.size].reshape(x.shape)


class ChannelGroupsOfFour(Correct):
    """Groups of 4 adjacent channels (axis 1) get identical masks (pytorch#198333, compiled dropout)."""

    def mask(self, x, p, seed):
        if x.ndim < 2:
            return super().mask(x, p, seed)
        groups = list(x.shape)
        groups[1] = -(-x.shape[1] // 4)
        drawn = self.rng(seed).random(groups) < 1.0 - p
        return np.repeat(drawn, 4, axis=1)[:, : x.shape[1]]


class CorrelatedLanes(Correct):
    """Eight lanes derived from one draw by fixed offsets (correlated PRNG lanes, tt-metal#13904)."""

    def mask(self, x, p, seed):
        base = self.rng(seed).random(-(-x.size // 8))
        lanes = (base[:, None] + 0.618034 * np.arange(8)) % 1.0
        return (lanes.ravel()[: x.size] < 1.0 - p).reshape(x.shape)


class StrideReuse(Correct):
    """A tenth of the elements reuse the random word of the element 1000 before them (a lane that rereads
    words at a fixed stride); the stride is far from any lag a hand-picked list would hold."""

    STRIDE, SHARE = 1000, 0.1

    def mask(self, x, p, seed):
        rng = self.rng(seed)
        words = rng.random(x.size)
        reuse = np.flatnonzero(rng.random(x.size) < self.SHARE)
        reuse = reuse[reuse >= self.STRIDE]
        words[reuse] = words[reuse - self.STRIDE]
        return (words < 1.0 - p).reshape(x.shape)


# ---------------------------------------------------------------- class 6: shared mask across the batch
class SharedBatchMask(Correct):
    """One mask drawn for x.shape[1:] and broadcast over the batch (flax#4973: vmap did not split the key)."""

    def mask(self, x, p, seed):
        if x.ndim < 2:
            return super().mask(x, p, seed)
        return np.broadcast_to(self.rng(seed).random(x.shape[1:]) < 1.0 - p, x.shape)


class ChannelMaskSharedAcrossBatch(CorrectChannelDropout):
    """dropout2d that draws one mask per channel and reuses it for every sample of the batch."""

    def mask(self, x, p, seed):
        channels = self.rng(seed).random((1, x.shape[1], 1, 1)) < 1.0 - p
        return np.broadcast_to(channels, x.shape)


class RowStreamsModuloThreads(Correct):
    """Row r draws from stream r mod 8 (eight threads, each restarting its stream at every row it takes), so
    rows r and r + 8 repeat: an offset a check of adjacent rows never sees."""

    THREADS = 8

    def mask(self, x, p, seed):
        if x.ndim < 2:
            return super().mask(x, p, seed)
        rows = x.reshape(x.shape[0], -1)
        streams = [np.random.default_rng([seed, thread]).random(rows.shape[1]) < 1.0 - p
                   for thread in range(self.THREADS)]
        return np.stack([streams[row % self.THREADS] for row in range(rows.shape[0])]).reshape(x.shape)


# ---------------------------------------------------------------- class 7: same mask on every call
class ConstantSeed(Correct):
    """Ignores the seed and always seeds 1234 (flash-attention#314)."""

    def rng(self, seed):
        return np.random.default_rng(1234)


class CoarseSeedCounter(Correct):
    """Seed and offset combined so that a thousand successive seeds share one mask (a counter offset that
    only advances every 1000 steps)."""

    def rng(self, seed):
        return np.random.default_rng(seed // 1000)


class FrozenByTracing(Correct):
    """Draws a mask on the first call per shape and replays it forever (RNG frozen by tracing)."""

    def __init__(self) -> None:
        self.cache: dict[tuple, np.ndarray] = {}

    def mask(self, x, p, seed):
        key = (x.shape, p)
        if key not in self.cache:
            self.cache[key] = super().mask(x, p, seed)
        return self.cache[key]


# ---------------------------------------------------------------- class 8: few distinct seeds
class FewSeeds(Correct):
    """Seeds with 17 + seed % 4096 (MXNet's MKL path)."""

    def rng(self, seed):
        return np.random.default_rng(17 + seed % 4096)


# ---------------------------------------------------------------- class 9: seed ignored
class GlobalRng(Correct):
    """Draws from the global numpy RandomState and ignores the seed (xformers#173)."""

    def rng(self, seed):
        return np.random.default_rng(np.random.randint(0, 2**31))  # noqa: NPY002 - the bug: the global RNG


# ---------------------------------------------------------------- class 10: backward uses another mask
class BackwardFreshMask(Correct):
    """Recomputes the mask in backward with fresh randomness (activation checkpointing done wrong)."""

    def forward_backward(self, x, dy, p, *, seed):
        y, _ = super().forward_backward(x, dy, p, seed=seed)
        _, dx = super().forward_backward(x, dy, p, seed=seed + 1)
        return y, dx


# ---------------------------------------------------------------- class 11: backward infers the mask from y
class BackwardFromOutput(Correct):
    """Infers the mask from y != 0, wrong wherever x == 0 (candle PR#82)."""

    def forward_backward(self, x, dy, p, *, seed):
        y, _ = super().forward_backward(x, dy, p, seed=seed)
        return y, np.where(y != 0, self.kept(dy, p), dy.dtype.type(0))


# ---------------------------------------------------------------- class 12: train/inference switch
class ActiveAtInference(Correct):
    """Ignores training=False (pytorch#10584)."""

    def forward(self, x, p, *, training, seed):
        return super().forward(x, p, training=True, seed=seed)


class NeverActive(Correct):
    """Returns x in training too (a module left in eval mode)."""

    def forward(self, x, p, *, training, seed):
        _check_rate(p)
        return x.copy()


# ---------------------------------------------------------------- class 13: p = 0 still drops
class PZeroStillDrops(Correct):
    """A 16-bit threshold that cannot represent q = 1: p = 0 drops 1 element in 65536 (mxnet#9816)."""

    def forward(self, x, p, *, training, seed):
        _check_rate(p)
        if not training or p == 1:
            return super().forward(x, p, training=training, seed=seed)
        mask = self.rng(seed).integers(0, 65536, size=x.shape) < min(round((1.0 - p) * 65536), 65535)
        return np.where(mask, self.kept(x, p), x.dtype.type(0))


# ---------------------------------------------------------------- class 14: p = 1 gives NaN
class POneNaN(Correct):
    """Computes x * mask / q without special-casing q = 0: 0 / 0 is NaN (pytorch#100025)."""

    def forward(self, x, p, *, training, seed):
        _check_rate(p)
        if not training:
            return x.copy()
        with np.errstate(all="ignore"):
            return (x * self.mask(x, p, seed) / x.dtype.type(1.0 - p)).astype(x.dtype)


# ---------------------------------------------------------------- class 15: wrong index on strided input
class IgnoresStrides(Correct):
    """Walks the input's memory order and writes the result in C order (pytorch#47176, channels_last)."""

    def forward(self, x, p, *, training, seed):
        y = super().forward(np.ascontiguousarray(x), p, training=training, seed=seed)
        memory_order = np.ravel(x, order="K")
        mask = y.ravel() != 0
        wrong = np.where(mask, self.kept(memory_order, p), x.dtype.type(0)) if training and 0 < p < 1 else memory_order
        return wrong.reshape(x.shape)


# ---------------------------------------------------------------- class 16: contract breaks
class ModifiesInput(Correct):
    """Applies the mask in place on the caller's array."""

    def forward(self, x, p, *, training, seed):
        y = super().forward(x, p, training=training, seed=seed)
        x[...] = y
        return x


class ChangesDtype(Correct):
    """Returns float64 whatever the input dtype."""

    def forward(self, x, p, *, training, seed):
        return super().forward(x, p, training=training, seed=seed).astype(np.float64)


class ChannelMaskPerElement(CorrectChannelDropout):
    """Documented as dropout2d (one draw per channel) but draws an elementwise mask."""

    def mask(self, x, p, seed):
        return self.rng(seed).random(x.shape) < 1.0 - p


# ---------------------------------------------------------------- class 17: bad arguments accepted
class AcceptsBadRate(Correct):
    """Clamps p into [0, 1] instead of raising (keras#10629: Dropout(256) accepted)."""

    def forward(self, x, p, *, training, seed):
        p = 0.0 if p != p else min(max(p, 0.0), 1.0)
        return super().forward(x, p, training=training, seed=seed)


# ---------------------------------------------------------------- class 19: overlapping or wrapping streams
def _splitmix64(counter: np.ndarray) -> np.ndarray:
    """A counter-based generator: 64 random bits per uint64 counter (SplitMix64's finaliser)."""
    z = counter + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _threshold(q: float) -> np.uint64:
    return np.uint64(min(round(q * 2.0**64), 2**64 - 1))


class CounterWrap(Correct):
    """Element i reads the random word at counter i mod 2**16 (a 16-bit counter inside a 64-bit one): the mask
    repeats with period 65536 inside every large call."""

    PERIOD = 2**16

    def mask(self, x, p, seed):
        counters = np.arange(x.size, dtype=np.uint64) % np.uint64(self.PERIOD)
        with np.errstate(over="ignore"):
            words = _splitmix64(counters + np.uint64(seed) * np.uint64(2**32))
        return (words < _threshold(1.0 - p)).reshape(x.shape)


class OverlappingStreams(Correct):
    """Counter-based: the call with seed s reads the words at counters s * 1000, s * 1000 + 1, ... of one key,
    but a call consumes far more than 1000 words, so seed s + 1 reads seed s's stream shifted by 1000."""

    ADVANCE = 1000

    def mask(self, x, p, seed):
        counters = np.arange(x.size, dtype=np.uint64) + np.uint64(seed) * np.uint64(self.ADVANCE)
        with np.errstate(over="ignore"):
            words = _splitmix64(counters)
        return (words < _threshold(1.0 - p)).reshape(x.shape)


# ---------------------------------------------------------------- class 20: weak generators
class LowBitsLCG(Correct):
    """A 32-bit LCG (Numerical Recipes' constants) whose low 16 bits make the keep decision: bit k of a
    power-of-two LCG has period 2**(k+1), so the low 16 bits repeat every 65536 draws."""

    _period: np.ndarray | None = None

    @classmethod
    def low_bits(cls) -> np.ndarray:
        if cls._period is None:
            values, state = np.empty(2**16, np.uint32), 0
            for t in range(2**16):  # the low 16 bits of an LCG mod 2**32 are an LCG mod 2**16
                values[t] = state
                state = (1664525 * state + 1013904223) % 2**16
            cls._period = values
        return cls._period

    def mask(self, x, p, seed):
        start = int(np.random.default_rng(seed).integers(0, 2**16))
        low = np.resize(np.roll(self.low_bits(), -start), x.size)
        return (low < math.floor((1.0 - p) * 2**16)).reshape(x.shape)


class GF2LinearGenerator(Correct):
    """R250 (Kirkpatrick and Stoll 1981): 64-bit words x[t] = x[t-103] XOR x[t-250], compared with a 64-bit
    threshold. Pairs of mask bits are independent at every lag, but every bit position is a linear recurrence
    over GF(2) with 250 bits of state, so at p = 0.5 (the top bit) the mask is GF(2)-affine in 250 bits."""

    def mask(self, x, p, seed):
        words = np.empty(x.size + 250, np.uint64)
        words[:250] = np.random.default_rng(seed).integers(0, 2**64, size=250, dtype=np.uint64)
        for t in range(250, words.size, 103):
            end = min(t + 103, words.size)
            words[t:end] = words[t - 103 : end - 103] ^ words[t - 250 : end - 250]
        return (words[250:] < _threshold(1.0 - p)).reshape(x.shape)


# ---------------------------------------------------------------- class 22: structure lost for a layout
class MinstdPerCall(Correct):
    """ONNX Runtime's CPU kernel, in numpy: each call seeds ``std::default_random_engine`` (libstdc++'s
    minstd_rand0, x <- 16807 x mod 2^31 - 1) with its seed and keeps where (x - 1) / (2^31 - 2) >= p. Draws 1311
    apart are linked by 16807^1311 = -116 (mod 2^31 - 1), and every seed is a point of the one cycle."""

    MODULUS = 2**31 - 1
    BLOCK = 1024

    @classmethod
    def states(cls, seed: int, size: int) -> np.ndarray:
        """x_1 .. x_size of minstd_rand0 seeded with ``seed``: x_t = 16807^t seed, by blocks of powers."""
        m, block = cls.MODULUS, cls.BLOCK
        small = np.empty(block, np.int64)  # 16807^1 .. 16807^block
        small[0] = 16807
        for t in range(1, block):
            small[t] = small[t - 1] * 16807 % m
        starts = np.empty(-(-size // block), np.int64)  # seed * 16807^(block j)
        starts[0] = (seed % m) or 1  # libstdc++ maps a seed of 0 mod m to 1
        for j in range(1, starts.size):
            starts[j] = starts[j - 1] * int(small[-1]) % m
        return (starts[:, None] * small[None, :] % m).ravel()[:size]

    def mask(self, x, p, seed):
        uniforms = (self.states(seed, x.size) - 1) / (self.MODULUS - 1)
        return (uniforms >= p).reshape(x.shape)


class CorrectUnbatchedChannelDropout(Correct):
    """Correct channel dropout on unbatched (C, H, W) input, written apart from the batched one: an integer
    threshold on 32-bit words from Philox, one per channel, repeated over H and W."""

    ndim = 3
    broadcast_axes = (1, 2)

    def mask(self, x, p, seed):
        words = np.random.Generator(np.random.Philox(seed)).integers(0, 2**32, x.shape[0], dtype=np.uint64)
        keep = words < np.uint64(round((1.0 - p) * 2**32))
        return np.repeat(np.repeat(keep[:, None, None], x.shape[1], axis=1), x.shape[2], axis=2)


class UnbatchedReadAsBatched(CorrectUnbatchedChannelDropout):
    """Reads an unbatched (C, H, W) input as (N, C, L), as PyTorch's Dropout2d does (pytorch#69801): one draw per
    channel and row, so a channel is not dropped whole."""

    def mask(self, x, p, seed):
        rows = self.rng(seed).random(x.shape[:2])[:, :, None] < 1.0 - p
        return np.broadcast_to(rows, x.shape)


CORRECT = [Correct, CorrectPhiloxIntegerThreshold, CorrectClassic, CorrectMultiplicativeSFC64, CorrectChannelDropout,
           CorrectUnbatchedChannelDropout]

# target class -> (bug class, the property that must fail)
ZOO: dict[type, tuple[int, str]] = {
    NoScale: (1, "kept_values"),
    ScaledTwice: (1, "unbiased"),
    UnscaledTail: (1, "kept_values"),
    KeepDropSwapped: (2, "mask_rate"),
    EightBitThreshold: (3, "mask_rate"),
    OffByOneByte: (3, "mask_rate"),
    TruncatedNoise: (3, "mask_rate"),
    LowPrecisionScale: (4, "kept_values"),
    NeighboursShareBits: (5, "independence_elements"),
    ChannelGroupsOfFour: (5, "independence_elements"),
    CorrelatedLanes: (5, "independence_elements"),
    StrideReuse: (5, "independence_elements"),
    SharedBatchMask: (6, "independence_samples"),
    ChannelMaskSharedAcrossBatch: (6, "independence_samples"),
    RowStreamsModuloThreads: (6, "independence_samples"),
    ConstantSeed: (7, "independence_calls"),
    CoarseSeedCounter: (7, "independence_calls"),
    FrozenByTracing: (7, "independence_calls"),
    FewSeeds: (8, "independence_calls"),
    GlobalRng: (9, "seed_reproducibility"),
    BackwardFreshMask: (10, "backward_mask"),
    BackwardFromOutput: (11, "backward_mask"),
    ActiveAtInference: (12, "inference"),
    NeverActive: (12, "mask_rate"),
    PZeroStillDrops: (13, "edge_rates"),
    POneNaN: (14, "edge_rates"),
    IgnoresStrides: (15, "kept_values"),
    ModifiesInput: (16, "contract"),
    ChangesDtype: (16, "contract"),
    ChannelMaskPerElement: (16, "mask_structure"),
    AcceptsBadRate: (17, "invalid_rate"),
    CounterWrap: (19, "independence_elements"),
    OverlappingStreams: (19, "independence_calls"),
    LowBitsLCG: (20, "independence_elements"),
    GF2LinearGenerator: (20, "independence_elements"),
    MinstdPerCall: (20, "independence_elements"),
    UnbatchedReadAsBatched: (22, "mask_structure"),
}

# what the failure message of the aimed property must name: the lag, offset, shift or structure found
AIMED: dict[type, str] = {
    NeighboursShareBits: "lag 1 of the flattened mask",
    ChannelGroupsOfFour: "along axis 1 (C)",
    StrideReuse: "lag 1000 of the flattened mask",
    RowStreamsModuloThreads: "rows r and r+8",
    CounterWrap: "lag 65536 of the flattened mask",
    OverlappingStreams: "shifted by 1000 elements",
    LowBitsLCG: "lag 65536 of the flattened mask",
    GF2LinearGenerator: "GF(2) rank",
    MinstdPerCall: "lag 1311 of the flattened mask",
}
