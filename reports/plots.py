"""The report's figures, drawn from a run's JSON with matplotlib and returned as SVG text.

Each function takes the run dict and returns ``None`` when the run holds nothing to draw (a subset of
properties, a target without a backward pass). SVG text is self-contained (glyphs drawn as paths, no
fonts or scripts) and deterministic for the same run (fixed ids, no date), so reports diff cleanly.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

STYLE: dict[str, Any] = {
    "svg.fonttype": "path", "svg.hashsalt": "dropout-verify", "font.size": 9, "axes.grid": True,
    "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 100,
}
DTYPE_COLOURS = {"float16": "#1f77b4", "float32": "#2ca02c", "float64": "#9467bd", "bfloat16": "#d62728"}


def _property(run: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((prop for prop in run["properties"] if prop["name"] == name), None)


def _colour(dtype: str) -> str:
    return DTYPE_COLOURS.get(dtype, "#7f7f7f")


@contextmanager
def _figure(width: float, height: float, columns: int = 1) -> Iterator[tuple[Figure, Any]]:
    with plt.rc_context():
        cast(Any, matplotlib.rcParams).update(STYLE)  # undone when the context ends; keys typed as literals
        fig, axes = plt.subplots(1, columns, figsize=(width, height), layout="constrained", squeeze=False)
        try:
            yield fig, axes[0]
        finally:
            plt.close(fig)


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and doctype: the SVG is inlined in HTML


def rate_calibration(run: dict[str, Any]) -> str | None:
    """Measured keep fraction against nominal q (identity line), and its deviation from q with the
    Clopper-Pearson intervals and the equivalence band +-delta the battery demands. A rate rejected early
    by the anytime-valid test has no fixed-sample interval: it is drawn as a cross."""
    prop = _property(run, "mask_rate")
    cases = [case for case in prop["cases"] if isinstance(case.get("estimate"), float)] if prop else []
    if not prop or not cases:
        return None
    delta = _tier_delta(prop)
    with _figure(9.5, 3.2, columns=2) as (fig, (left, right)):
        left.plot([0, 1], [0, 1], color="#444", linewidth=0.8, label="identity")
        dtypes = sorted({case["dtype"] for case in cases})
        for index, dtype in enumerate(dtypes):
            mine = [case for case in cases if case["dtype"] == dtype]
            q = np.array([case["extra"].get("q", 1 - case["p"]) for case in mine])
            kept = np.array([case["estimate"] for case in mine])
            left.scatter(q, kept, s=14, color=_colour(dtype), label=dtype, zorder=3)
            offset = (index - (len(dtypes) - 1) / 2) * 0.012  # side by side at the same q
            with_ci = np.array([bool(case.get("ci")) for case in mine])
            low = np.array([case["ci"][0] if case.get("ci") else np.nan for case in mine])
            high = np.array([case["ci"][1] if case.get("ci") else np.nan for case in mine])
            if with_ci.any():
                right.errorbar(q[with_ci] + offset, (kept - q)[with_ci],
                               yerr=[(kept - low)[with_ci], (high - kept)[with_ci]], fmt="o", markersize=3,
                               color=_colour(dtype), capsize=2, label=dtype)
            if (~with_ci).any():
                right.scatter(q[~with_ci] + offset, (kept - q)[~with_ci], marker="x", s=30, color=_colour(dtype),
                              label=f"{dtype} (stopped early)", zorder=4)
            failed = np.array([case["verdict"] == "fail" for case in mine])
            if failed.any():
                right.scatter(q[failed] + offset, (kept - q)[failed], s=60, facecolors="none", edgecolors="black",
                              zorder=4)
        left.set(xlabel="nominal keep probability q = 1 - p", ylabel="measured keep fraction",
                 title="keep rate against q", xlim=(0, 1), ylim=(0, 1))
        left.legend(loc="upper left", fontsize=8)
        if delta:
            right.axhspan(-delta, delta, color="#2ca02c", alpha=0.12, label=f"equivalence band ±{delta:g}")
        right.axhline(0, color="#444", linewidth=0.8)
        right.set(xlabel="nominal keep probability q", ylabel="measured - q",
                  title="measured - q (circled: failed)")
        right.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)  # beside the points, not on them
        return _svg(fig)


def _tier_delta(prop: dict[str, Any]) -> float | None:
    """The rate margin of the property's decisions (each case's ``delta``)."""
    return next((case["extra"]["delta"] for case in prop.get("cases", []) if "delta" in case.get("extra", {})), None)


def p_values(run: dict[str, Any]) -> str | None:
    """Every statistical decision's p-value: under the null they are uniform (super-uniform for exact
    discrete tests). A QQ plot on -log10 scale against uniform quantiles, with the per-decision alpha."""
    values = sorted(case["p_value"] for prop in run["properties"] for case in prop["cases"]
                    if isinstance(case.get("p_value"), (int, float)))
    if len(values) < 3:
        return None
    observed = -np.log10(np.clip(np.array(values), 1e-300, 1.0))
    expected = -np.log10((np.arange(1, len(values) + 1) - 0.5) / len(values))
    alpha = next((prop["alpha"] for prop in run["properties"] if prop.get("alpha")), None)
    with _figure(8.0, 3.0, columns=2) as (fig, (left, right)):
        left.hist(values, bins=20, range=(0, 1), color="#1f77b4", alpha=0.8)
        left.axhline(len(values) / 20, color="#444", linewidth=0.8, linestyle="--", label="uniform")
        left.set(xlabel="p-value", ylabel="decisions", title=f"{len(values)} p-values")
        left.legend(fontsize=8)
        right_edge = float(expected.max()) * 1.05
        right.plot([0, right_edge], [0, right_edge], color="#444", linewidth=0.8, label="uniform")
        right.scatter(expected, np.minimum(observed, 30.0), s=8, color="#1f77b4")
        if alpha:
            right.axhline(-math.log10(alpha), color="#d62728", linewidth=0.8, linestyle="--",
                          label=f"alpha per decision {alpha:.1e}")
        right.set(xlabel="expected -log10 p (uniform)", ylabel="observed -log10 p (capped at 30)",
                  title="QQ against uniform")
        right.legend(fontsize=8)
        return _svg(fig)


def autocorrelation(run: dict[str, Any]) -> str | None:
    """The standardised mask correlation |z| at every lag of one call (the largest in each bin of lags) and at
    every row offset of a batch, with the critical value above which the omnibus decision rejects."""
    panels = []
    for name, decision, title in (("independence_elements", "lags", "elements: bit i vs i + lag"),
                                  ("independence_samples", "offsets", "samples: row r vs r + offset")):
        prop = _property(run, name)
        cases = [case for case in (prop["cases"] if prop else [])
                 if case.get("extra", {}).get("decision") == decision and case["extra"].get("profile", {}).get("lag")]
        if cases:
            panels.append((title, cases, prop.get("alpha") if prop else None))
    if not panels:
        return None
    with _figure(4.0 * len(panels), 3.0, columns=len(panels)) as (fig, axes):
        for axis, (title, cases, alpha) in zip(axes, panels, strict=True):
            for case in cases:
                profile = case["extra"]["profile"]
                axis.plot(profile["lag"], profile["z"], marker="o", markersize=2, linewidth=0.8,
                          color=_colour(case["dtype"]), alpha=0.9 if case["p"] == 0.5 else 0.5,
                          label=f"{case['dtype']}, p={case['p']}")
            if alpha:
                tests = max(case["extra"].get("tests", 1) for case in cases)
                critical = math.sqrt(2 * math.log(2 * tests / alpha))
                axis.axhline(critical, color="#d62728", linewidth=0.8, linestyle="--",
                             label=f"rejects above |z| = {critical:.2f} ({tests:,} lags)")
                highest = max(max(case["extra"]["profile"]["z"]) for case in cases)
                axis.set_ylim(0, max(critical * 1.6, highest * 1.1))
            axis.set(xlabel="lag" if "elements" in title else "row offset", ylabel="largest |z| in the bin",
                     title=title)
            axis.set_xscale("log", base=2)
            axis.legend(fontsize=6, ncol=2, loc="upper left")
        return _svg(fig)


def kept_value_errors(run: dict[str, Any]) -> str | None:
    """Per dtype and rate: how kept values (and gradients) are rounded against the correctly rounded x/q,
    as the share one ulp up and down, and the bias of E[y] this implies."""
    rows = []
    for name in ("kept_values", "backward_mask"):
        prop = _property(run, name)
        for case in prop["cases"] if prop else []:
            extra = case.get("extra", {})
            if "relative_bias_percent" in extra and case.get("p") is not None:
                rows.append((name, case["dtype"], case["p"], extra))
    if not rows:
        return None
    labels = [f"{'grad ' if name == 'backward_mask' else ''}{dtype} p={p}" for name, dtype, p, _ in rows]
    with _figure(8.0, max(2.4, 0.28 * len(rows) + 1.0), columns=2) as (fig, (left, right)):
        positions = np.arange(len(rows))
        counted = [max(1, extra.get("mismatch_up", 0) + extra.get("mismatch_down", 0)) for *_, extra in rows]
        share = [extra.get("mismatch_share", 0.0) for *_, extra in rows]
        up = [s * extra.get("mismatch_up", 0) / n for s, (*_, extra), n in zip(share, rows, counted, strict=True)]
        down = [s * extra.get("mismatch_down", 0) / n for s, (*_, extra), n in zip(share, rows, counted, strict=True)]
        left.barh(positions, up, color="#d62728", label="1 ulp above")
        left.barh(positions, [-d for d in down], color="#1f77b4", label="1 ulp below")
        left.axvline(0, color="#444", linewidth=0.8)
        left.set_yticks(positions, labels, fontsize=7)
        left.set(xlabel="share of kept values off the correctly rounded x/q", title="rounding of kept values")
        left.legend(fontsize=7)
        bias = [extra["relative_bias_percent"] for *_, extra in rows]
        right.barh(positions, bias, color=[_colour(dtype) for _, dtype, _, _ in rows])
        right.axvline(0, color="#444", linewidth=0.8)
        right.set_yticks(positions, [""] * len(rows))
        right.set(xlabel="implied bias of E[y] (%)", title="bias from rounding")
        return _svg(fig)


def energy(run: dict[str, Any]) -> str | None:
    """The course explanation of inverted dropout: ||y|| / ||x|| is 1/sqrt(q) with the 1/q scaling and
    sqrt(q) without; measured on the `unbiased` sample, against both curves."""
    prop = _property(run, "unbiased")
    cases = [case for case in prop["cases"] if "energy_scaled" in case.get("extra", {})] if prop else []
    if not cases:
        return None
    with _figure(5.0, 3.2) as (fig, (axis,)):
        q = np.linspace(0.05, 1.0, 200)
        axis.plot(q, 1 / np.sqrt(q), color="#444", linewidth=0.8, label="expected with 1/q: 1/sqrt(q)")
        axis.plot(q, np.sqrt(q), color="#444", linewidth=0.8, linestyle="--", label="expected without: sqrt(q)")
        for dtype in sorted({case["dtype"] for case in cases}):
            mine = [case for case in cases if case["dtype"] == dtype]
            qs = [1 - case["p"] for case in mine]
            axis.scatter(qs, [math.sqrt(case["extra"]["energy_scaled"]) for case in mine], marker="o", s=18,
                         color=_colour(dtype), label=f"{dtype} scaled")
            axis.scatter(qs, [math.sqrt(case["extra"]["energy_unscaled"]) for case in mine], marker="x", s=18,
                         color=_colour(dtype))
        axis.set(xlabel="keep probability q", ylabel="||y|| / ||x||",
                 title="output energy (o: with the 1/q scaling, x: without)")
        axis.legend(fontsize=7)
        return _svg(fig)


def alpha_moments(run: dict[str, Any]) -> str | None:
    """Alpha dropout: the training output's mean and second moment over the law's (a q x, and q v1^2 + p v0^2), per
    dtype and rate, from the `unbiased` sample: both 1 for a target with the right a, b and alpha'."""
    prop = _property(run, "unbiased")
    cases = [case for case in prop["cases"] if "second_moment_ratio" in case.get("extra", {})] if prop else []
    if not cases:
        return None
    with _figure(5.0, 3.2) as (fig, (axis,)):
        axis.axhline(1.0, color="#444", linewidth=0.8)
        for dtype in sorted({case["dtype"] for case in cases}):
            mine = [case for case in cases if case["dtype"] == dtype]
            ps = [case["p"] for case in mine]
            axis.scatter(ps, [1 + case["estimate"] for case in mine], marker="o", s=18, color=_colour(dtype),
                         label=f"{dtype} mean")
            axis.scatter(ps, [case["extra"]["second_moment_ratio"] for case in mine], marker="x", s=22,
                         color=_colour(dtype), label=f"{dtype} second moment")
        axis.set(xlabel="drop probability p", ylabel="measured / the law's",
                 title="alpha dropout: mean (o), second moment (x)")
        axis.legend(fontsize=7)
        return _svg(fig)


def noise_qq(run: dict[str, Any]) -> str | None:
    """Gaussian dropout: quantiles of y / x against those of N(1, p/q), per dtype and rate (`noise_law`)."""
    prop = _property(run, "noise_law")
    cases = [case for case in prop["cases"] if "qq" in case.get("extra", {})] if prop else []
    if not cases:
        return None
    with _figure(5.0, 3.6) as (fig, (axis,)):
        low = min(min(case["extra"]["qq"]["expected"]) for case in cases)
        high = max(max(case["extra"]["qq"]["expected"]) for case in cases)
        axis.plot([low, high], [low, high], color="#444", linewidth=0.8, label="y / x = its law")
        markers = "o^sv"
        rates = sorted({case["p"] for case in cases})
        for case in cases:
            qq = case["extra"]["qq"]
            axis.scatter(qq["expected"], qq["observed"], s=6, color=_colour(case["dtype"]),
                         marker=markers[rates.index(case["p"]) % len(markers)],
                         label=f"{case['dtype']}, p = {case['p']}")
        axis.set(xlabel="quantile of N(1, p/q)", ylabel="quantile of y / x",
                 title="Gaussian dropout: QQ plot of y / x against its law")
        axis.legend(fontsize=6, ncol=2)
        return _svg(fig)


def ranks(run: dict[str, Any]) -> str | None:
    """A distributed target: each rank's keep rate against q (per dtype, at the first rate), and the phi correlation
    of the ranks' masks at shift 0 (`rank_independence`'s first case): 1 off the diagonal where ranks share a mask."""
    rates = _property(run, "rank_rate")
    independence = _property(run, "rank_independence")
    cases = [case for case in rates["cases"] if "rank" in case.get("extra", {})] if rates else []
    matrices = [case for case in independence["cases"] if case.get("extra", {}).get("correlation")] \
        if independence else []
    if not cases:
        return None
    with _figure(8.0 if matrices else 5.0, 3.2, columns=2 if matrices else 1) as (fig, axes):
        left = axes[0]
        first_p = cases[0]["p"]
        for dtype in sorted({case["dtype"] for case in cases}):
            mine = [case for case in cases if case["dtype"] == dtype and case["p"] == first_p]
            left.scatter([case["extra"]["rank"] for case in mine], [case["estimate"] for case in mine], s=18,
                         color=_colour(dtype), label=dtype)
        left.axhline(1 - first_p, color="#444", linewidth=0.8, label="q")
        left.set_xticks(sorted({case["extra"]["rank"] for case in cases}))
        left.set(xlabel="rank", ylabel="keep rate", title=f"keep rate per rank (p = {first_p})")
        left.legend(fontsize=7)
        if matrices:
            matrix = np.array(matrices[0]["extra"]["correlation"], dtype=float)
            image = axes[1].imshow(matrix, vmin=-1, vmax=1, cmap="RdBu_r")
            axes[1].set_xticks(range(len(matrix)))
            axes[1].set_yticks(range(len(matrix)))
            axes[1].grid(False)
            axes[1].set(xlabel="rank", ylabel="rank",
                        title=f"mask correlation across ranks ({matrices[0]['dtype']}, p = {matrices[0]['p']})")
            fig.colorbar(image, ax=axes[1], shrink=0.8)
        return _svg(fig)


FIGURES: dict[str, tuple[str, Callable[[dict[str, Any]], str | None]]] = {
    "rate": ("Rate calibration", rate_calibration),
    "pvalues": ("p-values of the statistical decisions", p_values),
    "autocorrelation": ("Mask correlation at every lag and row offset", autocorrelation),
    "rounding": ("Kept-value rounding and the bias it implies", kept_value_errors),
    "energy": ("Output energy with and without the 1/q scaling", energy),
    "alpha": ("Alpha dropout's moments against its law", alpha_moments),
    "noise": ("Gaussian noise against its law (QQ)", noise_qq),
    "ranks": ("Ranks: keep rate per rank and mask correlation across ranks", ranks),
}


def all_figures(run: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, title, svg) for every figure the run has data for, in report order."""
    drawn = []
    for key, (title, draw) in FIGURES.items():
        svg = draw(run)
        if svg:
            drawn.append((key, title, svg))
    return drawn
