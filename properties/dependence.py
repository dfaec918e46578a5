"""Statistics of the independence properties: every lag, row offset, row pair and shift, with tails that hold
without asymptotics.

Two constructions make the tails exact or bounded for any keep rate:

- **Symmetrised masks.** ``u = a - b`` for the masks ``a``, ``b`` of two calls with unrelated seeds. Under H0
  (bits independent within a call; the two calls independent and alike) each ``u_i`` is symmetric, so given
  ``|u|`` its signs are independent fair coins. Then ``T_k = sum_i u_i u_{i+k}`` is a martingale (ordered by
  ``i + k``) whose increments are a fair sign times a coefficient fixed by ``|u|``, and the Azuma-Hoeffding
  bound holds conditionally: ``P(|T_k| >= t) <= 2 exp(-t**2 / (2 N_k))`` with ``N_k = sum_i |u_i u_{i+k}|``.
  A correlation ``rho`` between bits at lag ``k`` gives ``E[u_i u_{i+k}] = rho E[u_i**2]``, so the standardised
  ``z_k = T_k / sqrt(N_k)`` grows as ``rho sqrt(pairs)``: nothing of the signal is lost to the symmetrisation.
- **Exchangeable masks.** Given its number of kept bits, a mask of independent, identically distributed bits is
  a uniformly random arrangement, so the overlap of mask ``a`` with mask ``b`` moved by any shift is exactly
  hypergeometric (Fisher's exact test, one table per shift).

An omnibus decision takes the most extreme of many such statistics and bounds its tail by the union bound
(Bonferroni over the lags, offsets, pairs or shifts it covers), so one decision covers a whole horizon at one
alpha. Sample sizes come from the power wanted at the critical value of that union bound.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import scipy.fft
from scipy import stats


def symmetrised(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``first - second`` for two boolean masks of one shape, as int8 in {-1, 0, 1}."""
    return np.asarray(first, dtype=np.int8) - np.asarray(second, dtype=np.int8)


def _exact_integers(values: np.ndarray) -> np.ndarray:
    """FFT sums of small integers rounded back to the integers they are; a rounding error near 1/2 (which
    float64 transforms of these sizes never make) raises instead of being silently rounded either way."""
    rounded = np.rint(values)
    if values.size and float(np.max(np.abs(values - rounded))) > 0.25:
        raise ArithmeticError("an FFT correlation is not close enough to an integer to be exact")
    return rounded.astype(np.int64)


def lag_sums(u: np.ndarray, max_lag: int, axis: int = -1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(T, N, pairs)`` for lags 1..max_lag along ``axis`` of ``u``: ``T_k = sum u_i u_{i+k}``,
    ``N_k = sum |u_i u_{i+k}|`` and the number of pairs, where a pair never crosses the other axes (along the
    last axis of an NCHW mask, a pair stays in one row). Linear, not circular, correlation: each position has
    at most one partner before it at lag ``k``, which the martingale bound needs."""
    moved = np.moveaxis(np.asarray(u), axis, -1)
    length = moved.shape[-1]
    rows = moved.reshape(-1, length)
    max_lag = min(max_lag, length - 1)
    size = scipy.fft.next_fast_len(length + max_lag, real=True)

    def autocorrelation(values: np.ndarray) -> np.ndarray:
        spectrum = scipy.fft.rfft(values, n=size, axis=-1)
        power = (spectrum.real**2 + spectrum.imag**2).sum(axis=0)
        return _exact_integers(scipy.fft.irfft(power, n=size)[1 : max_lag + 1])

    lags = np.arange(1, max_lag + 1)
    total = autocorrelation(rows.astype(np.float64))
    support = autocorrelation(np.abs(rows).astype(np.float64))
    return total, support, rows.shape[0] * (length - lags)


@dataclass
class LagFamily:
    """Running sums over calls for one family of lags (the flattened mask, or one axis)."""

    name: str  # how a message names the family: "lag {k} of the flattened mask", "offset {k} along axis 1 (C)"
    template: str
    lags: np.ndarray
    total: np.ndarray = field(init=False)
    support: np.ndarray = field(init=False)
    pairs: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.total = np.zeros(self.lags.size, np.int64)
        self.support = np.zeros(self.lags.size, np.int64)
        self.pairs = np.zeros(self.lags.size, np.int64)

    def add(self, total: np.ndarray, support: np.ndarray, pairs: np.ndarray) -> None:
        self.total += total
        self.support += support
        self.pairs += pairs


@dataclass(frozen=True)
class Finding:
    """One lag (offset, pair, shift) whose statistic is beyond the decision's critical value."""

    where: str  # "lag 1000 of the flattened mask", "rows 3 and 11", ...
    lag: int
    z: float
    correlation: float  # the estimated phi correlation of the two bits


@dataclass(frozen=True)
class MaxTestDesign:
    """One omnibus decision over ``tests`` statistics, each with the sub-Gaussian tail ``2 exp(-z**2/2)``.

    H0: no dependence anywhere in the horizon. The decision fails when ``max |z| >= critical_z``, which has
    probability at most ``tests * 2 exp(-critical_z**2 / 2) = alpha`` under H0. ``pairs`` is the number of pairs
    a single lag needs so that a phi correlation ``rho`` at that lag alone is found with probability ``power``
    (normal approximation of ``z`` under the alternative, where ``z`` is near ``rho sqrt(pairs)``)."""

    tests: int
    alpha: float
    rho: float
    wanted_power: float
    critical_z: float
    pairs: int

    def power(self, pairs: float, rho: float | None = None) -> float:
        """Power against a phi correlation ``rho`` (the design's by default) at one lag with ``pairs`` pairs."""
        shift = (self.rho if rho is None else rho) * math.sqrt(max(pairs, 0.0))
        return float(stats.norm.sf(self.critical_z - shift) + stats.norm.cdf(-self.critical_z - shift))

    def detectable_rho(self, pairs: float) -> float:
        """The phi correlation found with the wanted power at one lag with ``pairs`` pairs."""
        return float((self.critical_z + stats.norm.isf(1 - self.wanted_power)) / math.sqrt(pairs))


def max_test_design(tests: int, rho: float, alpha: float, power: float) -> MaxTestDesign:
    """Critical value and pairs per lag for an omnibus decision over ``tests`` lags at ``alpha``."""
    if tests < 1 or not 0 < alpha < 1 or not 0 < rho < 1 or not 0 < power < 1:
        raise ValueError(f"bad design: tests={tests}, rho={rho}, alpha={alpha}, power={power}")
    critical = math.sqrt(2 * math.log(2 * tests / alpha))
    pairs = math.ceil(((critical + float(stats.norm.isf(1 - power))) / rho) ** 2)
    return MaxTestDesign(tests=tests, alpha=alpha, rho=rho, wanted_power=power, critical_z=critical, pairs=pairs)


@dataclass(frozen=True)
class MaxTestResult:
    """The most extreme statistic of an omnibus decision, its union-bound p-value and what it found."""

    z: float
    pvalue: float
    where: str
    lag: int
    correlation: float
    tests: int
    findings: tuple[Finding, ...]  # up to five beyond the critical value, the most extreme first
    profile: dict[str, list[float]]  # the largest |z| per bin of lags, for a figure


def bounded_pvalue(z: float, tests: int) -> float:
    """``min(1, tests * 2 exp(-z**2 / 2))``: the union of sub-Gaussian tails."""
    return float(min(1.0, 2.0 * tests * math.exp(-0.5 * z * z)))


def _standardised(total: np.ndarray, support: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(support > 0, total / np.sqrt(np.maximum(support, 1)), 0.0)


def _profile(lags: np.ndarray, z: np.ndarray, bins: int = 48) -> dict[str, list[float]]:
    """The largest |z| in each of ``bins`` log-spaced bins of lags, with the lag where it is."""
    if not lags.size:
        return {"lag": [], "z": []}
    edges = np.unique(np.geomspace(1, lags.max() + 1, bins + 1).astype(np.int64))
    which = np.searchsorted(edges, lags, side="right") - 1
    best_lag, best_z = [], []
    for index in np.unique(which):
        members = np.flatnonzero(which == index)
        top = members[np.argmax(np.abs(z[members]))]
        best_lag.append(float(lags[top]))
        best_z.append(float(abs(z[top])))
    return {"lag": best_lag, "z": best_z}


def max_lag_test(families: list[LagFamily], design: MaxTestDesign, nonzero_share: float) -> MaxTestResult:
    """The omnibus decision over every lag of ``families``. ``nonzero_share`` is the share of positions where
    the two symmetrised calls differ (E[u**2]), which turns ``T_k / pairs_k`` into a correlation estimate."""
    best: tuple[float, LagFamily, int] | None = None
    findings: list[Finding] = []
    tests = sum(family.lags.size for family in families)
    profile: dict[str, list[float]] = {}
    for family in families:
        z = _standardised(family.total, family.support)
        if family is families[0]:
            profile = _profile(family.lags, z)
        for index in np.argsort(-np.abs(z))[:5]:
            if abs(z[index]) >= design.critical_z:
                findings.append(Finding(family.template.format(family.lags[index]), int(family.lags[index]),
                                        float(z[index]), _correlation(family, int(index), nonzero_share)))
        top = int(np.argmax(np.abs(z))) if z.size else 0
        if z.size and (best is None or abs(z[top]) > best[0]):
            best = (float(abs(z[top])), family, top)
    findings.sort(key=lambda finding: -abs(finding.z))
    if best is None:
        return MaxTestResult(0.0, 1.0, "", 0, 0.0, tests, (), profile)
    z_max, family, index = best
    return MaxTestResult(z=z_max, pvalue=bounded_pvalue(z_max, tests), where=family.template.format(family.lags[index]),
                         lag=int(family.lags[index]), correlation=_correlation(family, index, nonzero_share),
                         tests=tests, findings=tuple(findings[:5]), profile=profile)


def _correlation(family: LagFamily, index: int, nonzero_share: float) -> float:
    pairs = family.pairs[index]
    return float(family.total[index] / (pairs * nonzero_share)) if pairs and nonzero_share else 0.0


# ------------------------------------------------------------------------------------------- row pairs
def row_pair_sums(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(G, N)``: for every pair of rows r, s of ``u`` (rows, features), ``G[r, s] = sum_j u[r, j] u[s, j]`` and
    ``N[r, s] = sum_j |u[r, j] u[s, j]|`` (float64 products of small integers: exact below 2**53)."""
    values = np.asarray(u, dtype=np.float64)
    magnitudes = np.abs(values)
    return _exact_integers(values @ values.T), _exact_integers(magnitudes @ magnitudes.T)


def max_pair_test(gram: np.ndarray, support: np.ndarray, pairs_per_entry: int, nonzero_share: float) -> MaxTestResult:
    """The omnibus decision over every pair of rows (the upper triangle of the accumulated Gram matrices)."""
    rows = gram.shape[0]
    upper = np.triu_indices(rows, k=1)
    z = _standardised(gram[upper], support[upper])
    tests = z.size
    if not tests:
        return MaxTestResult(0.0, 1.0, "", 0, 0.0, 0, (), {})
    order = np.argsort(-np.abs(z))[:5]
    scale = pairs_per_entry * nonzero_share

    def finding(index: int) -> Finding:
        r, s = int(upper[0][index]), int(upper[1][index])
        return Finding(f"rows {r} and {s} (offset {s - r})", s - r, float(z[index]),
                       float(gram[r, s] / scale) if scale else 0.0)

    top = finding(int(order[0]))
    return MaxTestResult(z=abs(top.z), pvalue=bounded_pvalue(abs(top.z), tests), where=top.where, lag=top.lag,
                         correlation=top.correlation, tests=tests,
                         findings=tuple(finding(int(i)) for i in order), profile={})


def identical_rows(mask: np.ndarray) -> tuple[int, int] | None:
    """The first pair of rows (r, s), r < s, of a 2-d mask that are identical, or None."""
    packed = np.packbits(np.asarray(mask, dtype=bool), axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    repeated = np.flatnonzero(first[inverse] != np.arange(packed.shape[0]))
    if not repeated.size:
        return None
    s = int(repeated[0])
    return int(first[inverse[s]]), s


def identical_rows_bound(q: float, features: int) -> float:
    """P(two given independent rows of ``features`` bits, each kept with probability q, are identical)."""
    return float(math.exp(features * math.log(q * q + (1 - q) * (1 - q)))) if 0 < q < 1 else 1.0


# ------------------------------------------------------------------------------------------- shifts between calls
@dataclass(frozen=True)
class ShiftDesign:
    """One decision over every circular shift of ``pairs`` pairs of calls of ``elements`` each.

    H0: the calls' masks are independent and each is exchangeable. Every shift's overlap is then exactly
    hypergeometric; the decision fails when the smallest two-sided p-value times ``tests`` is below alpha.
    ``elements`` is sized by a normal approximation so that a phi correlation ``rho`` at one shift of one pair
    is found with ``power``."""

    elements: int
    pairs: int
    alpha: float
    rho: float
    power: float

    @property
    def tests(self) -> int:
        return self.elements * self.pairs


def shift_design(pairs: int, rho: float, alpha: float, power: float) -> ShiftDesign:
    wanted = float(stats.norm.isf(1 - power))
    elements = 1024
    for _ in range(64):  # the critical value grows with the number of shifts: iterate to the fixed point
        critical = float(stats.norm.isf(alpha / (2 * elements * pairs)))
        needed = math.ceil(((critical + wanted) / rho) ** 2)
        if needed <= elements:
            break
        elements = scipy.fft.next_fast_len(needed, real=True)
    critical = float(stats.norm.isf(alpha / (2 * elements * pairs)))
    achieved = float(stats.norm.sf(critical - rho * math.sqrt(elements)))
    return ShiftDesign(elements=elements, pairs=pairs, alpha=alpha, rho=rho, power=achieved)


@dataclass(frozen=True)
class ShiftResult:
    """The most extreme shift between two masks: its overlap, the exact hypergeometric tail, and the agreement."""

    pvalue: float  # two-sided, Bonferroni over the ``elements`` shifts of this pair
    shift: int  # mask b equals mask a advanced by ``shift`` elements: b[i] ~ a[i + shift] (signed, |shift| <= n/2)
    overlap: int
    expected: float
    correlation: float  # the phi correlation of the two masks at that shift


@dataclass(frozen=True)
class MaskSpectrum:
    """A mask's length, kept count and Fourier transform: computed once, compared with every other mask."""

    size: int
    kept: int
    spectrum: np.ndarray

    @classmethod
    def of(cls, mask: np.ndarray) -> MaskSpectrum:
        flat = np.asarray(mask, dtype=bool).ravel()
        return cls(size=flat.size, kept=int(np.count_nonzero(flat)), spectrum=scipy.fft.rfft(flat.astype(np.float64)))


def shift_overlaps(first: np.ndarray | MaskSpectrum, second: np.ndarray | MaskSpectrum) -> np.ndarray:
    """``X[tau] = sum_i first[i] second[(i + tau) mod n]`` for every tau, by FFT (exact integers)."""
    a = first if isinstance(first, MaskSpectrum) else MaskSpectrum.of(first)
    b = second if isinstance(second, MaskSpectrum) else MaskSpectrum.of(second)
    return _exact_integers(scipy.fft.irfft(np.conj(a.spectrum) * b.spectrum, n=a.size))


def most_extreme_pair(spectra: list[MaskSpectrum]) -> tuple[int, int, ShiftResult]:
    """Among every pair of masks, the one whose most extreme shift has the smallest p-value (ties at 0 broken by
    the larger |phi|): ``(i, j, result)`` with ``i < j``."""
    best: tuple[int, int, ShiftResult] | None = None
    for i, j in itertools.combinations(range(len(spectra)), 2):
        found = max_shift_test(spectra[i], spectra[j])
        if best is None or found.pvalue < best[2].pvalue or (found.pvalue == best[2].pvalue == 0.0
                                                             and abs(found.correlation) > abs(best[2].correlation)):
            best = (i, j, found)
    if best is None:
        raise ValueError("most_extreme_pair needs at least two masks")
    return best


def max_shift_test(first: np.ndarray | MaskSpectrum, second: np.ndarray | MaskSpectrum) -> ShiftResult:
    """Every circular shift of ``second`` against ``first`` (boolean masks of one length, or their spectra)."""
    a = first if isinstance(first, MaskSpectrum) else MaskSpectrum.of(first)
    b = second if isinstance(second, MaskSpectrum) else MaskSpectrum.of(second)
    n, kept_first, kept_second = a.size, a.kept, b.kept
    overlaps = shift_overlaps(a, b)
    law = stats.hypergeom(n, kept_first, kept_second)
    low, high = int(np.argmin(overlaps)), int(np.argmax(overlaps))
    tail_low, tail_high = float(law.cdf(overlaps[low])), float(law.sf(overlaps[high] - 1))
    tau = high if tail_high <= tail_low else low
    pvalue = min(1.0, 2.0 * n * min(tail_low, tail_high))
    q1, q2 = kept_first / n, kept_second / n
    expected = n * q1 * q2
    spread = n * math.sqrt(q1 * (1 - q1) * q2 * (1 - q2))
    correlation = float((overlaps[tau] - expected) / spread) if spread else 0.0
    shift = -tau if tau <= n // 2 else n - tau  # second[i + tau] ~ first[i]: second reads first moved by -tau
    return ShiftResult(pvalue=pvalue, shift=int(shift), overlap=int(overlaps[tau]), expected=expected,
                       correlation=correlation)


# ------------------------------------------------------------------------------------------- GF(2) rank
def gf2_ranks(matrices: np.ndarray) -> np.ndarray:
    """Rank over GF(2) of each square 0/1 matrix of ``matrices`` (count, size, size), by Gaussian elimination on
    rows packed into 64-bit words, all matrices at once."""
    matrices = np.asarray(matrices, dtype=bool)
    count, size, columns = matrices.shape
    packed = np.packbits(matrices, axis=2)
    padding = (-packed.shape[2]) % 8
    packed = np.ascontiguousarray(np.pad(packed, ((0, 0), (0, 0), (0, padding))))
    words = packed.view(np.uint64)
    free = np.ones((count, size), dtype=bool)
    ranks = np.zeros(count, dtype=np.int64)
    every = np.arange(count)
    for column in range(columns):
        candidates: np.ndarray = ((packed[:, :, column // 8] >> (7 - column % 8)) & 1).astype(bool) & free
        found = np.any(candidates, axis=1, keepdims=False).astype(bool)
        if not found.any():
            continue
        pivot = np.argmax(candidates, axis=1)
        ranks += found
        pivot_rows = words[every, pivot].copy()
        candidates[every, pivot] = False
        candidates &= found[:, None]
        words ^= np.where(candidates[:, :, None], pivot_rows[:, None, :], np.uint64(0))
        free[every[found], pivot[found]] = False
    return ranks


def rank_deficiency_probability(size: int, deficiency: int) -> float:
    """P(rank <= size - deficiency) for a size x size matrix of independent fair bits over GF(2), exactly:
    P(rank = size - d) = 2**(-d*d) prod_{j=d+1}^{size} (1 - 2**-j)**2 / prod_{j=1}^{size-d} (1 - 2**-j)
    (the count of matrices of each rank, as in NIST SP 800-22 section 3.5), summed over d >= deficiency."""

    def log_product(first: int, last: int) -> float:
        j = np.arange(first, last + 1, dtype=np.float64)
        return float(np.sum(np.log1p(-np.exp2(-j)))) if last >= first else 0.0

    total = 0.0
    for d in range(deficiency, size + 1):
        term = math.exp(-d * d * math.log(2) + 2 * log_product(d + 1, size) - log_product(1, size - d))
        total += term
        if term < total * 1e-18:
            break
    return total


@dataclass(frozen=True)
class RankDesign:
    """H0: the bits of ``matrices`` size x size matrices are independent and fair. The decision fails when any
    matrix has rank <= size - deficiency; ``false_alarm`` = 1 - (1 - pi)**matrices, exactly, for the exact pi.
    A generator whose mask bits are GF(2)-linear (or affine) in a state of at most size - deficiency - 1 bits
    makes every matrix that deficient, so its power is 1."""

    size: int
    matrices: int
    deficiency: int
    false_alarm: float


def rank_design(size: int, matrices: int, alpha: float) -> RankDesign:
    for deficiency in range(1, size):
        probability = rank_deficiency_probability(size, deficiency)
        false_alarm = -math.expm1(matrices * math.log1p(-probability))
        if false_alarm <= alpha:
            return RankDesign(size=size, matrices=matrices, deficiency=deficiency, false_alarm=false_alarm)
    raise ValueError(f"no deficiency of a {size}x{size} matrix is rare enough for alpha {alpha}")
