"""Figures of the study (paper Figs. 2–4, S6 and the process maps), as inline SVG.

Every ``plot_*`` function only draws what a :class:`~ssereport.pipeline.StudyResults`
already holds; none computes a statistic of its own (reshaping, sampling for
display and the quartiles of the box plots aside). Each returns a
:class:`~ssereport.svgplot.Canvas`: ``.to_svg()`` gives the markup, and
Jupyter/Quarto display it directly.

:func:`render_figures` turns them into inline SVG for the report, with alt text
and a caption, through the registry :data:`FIGURES`.

Notes
-----
Drawn with :mod:`ssereport.svgplot` (SVG written directly, no matplotlib): all
11 figures take about 0.05 s. Sizes are px on a fixed ``viewBox``; a
full-width figure is :data:`FIGURE_WIDTH` px wide with 10–11 px text, which
the HTML shows at its natural size and the PDF at the A4 text width.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import svgplot as sp
from .schema import by_name
from .svgplot import INK as _INK
from .svgplot import Axes, Canvas, LegendEntry

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import StudyResults

__all__ = [
    "CLASS_COLORS",
    "CLASS_LABELS",
    "FIGURES",
    "FIGURE_WIDTH",
    "MAX_JITTER",
    "MAX_OVERLAY",
    "MAX_POINTS",
    "FigureOutput",
    "FigureSpec",
    "plot_batch_pc_map",
    "plot_boxplots",
    "plot_confusion",
    "plot_correlation_circle",
    "plot_decision_maps",
    "plot_dot_mean",
    "plot_oversampling",
    "plot_pc_scatter",
    "plot_process_maps",
    "plot_scree",
    "render_figures",
]

#: Okabe–Ito colours (colour-blind safe), one per quality class, used in every figure.
CLASS_COLORS: dict[int, str] = {1: "#009E73", 2: "#E69F00", 3: "#D55E00"}
#: Legend text of each class (paper: class 1 good σ and low RD, class 2 good σ and high RD, class 3 low σ).
CLASS_LABELS: dict[int, str] = {1: "Class 1 (high σ, low RD)", 2: "Class 2 (high σ, high RD)",
                                3: "Class 3 (low σ)"}
#: Width of every full-width figure, px of the SVG viewBox (shown at this size in the HTML; the A4
#: text column of the PDF is about 670 px).
FIGURE_WIDTH = 640
#: Scatter plots show at most this many films (a seeded random sample beyond).
MAX_POINTS = 5000
#: Box plots jitter at most this many films over the boxes (a seeded random sample beyond, said in the
#: figure); the boxes themselves use every film.
MAX_JITTER = 2000
#: Map panels (process and decision maps) overlay at most this many films or conditions each
#: (a seeded random sample beyond, said in the figure): more only hides the map and inflates the file.
MAX_OVERLAY = 300
#: Opacity of the class colours that shade a decision map (pre-blended over white in the raster).
SHADE_ALPHA = 0.35

_NEUTRAL = "#0072B2"  # Okabe–Ito blue: non-class data (PCA bars)
_LIGHT = "#A6CEE3"
_ZERO = "#BBBBBB"
_NAN_FILL = "#E8E8E8"  # map area without a value (outside the films' conditions)
# text sizes, px
_TICK, _LABEL, _TITLE, _LEGEND, _NOTE = 10.0, 11.0, 11.0, 10.0, 10.0
_PAD = 8.0  # outer margin


# --------------------------------------------------------------------------- helpers

def _label(name: str) -> str:
    return by_name(name).axis_label


def _symbol(name: str) -> str:
    return by_name(name).symbol


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _level(p: float) -> str:
    return f"P = {p:g} {by_name('polymer_wt_pct').unit}"


def _pc_label(results: StudyResults, i: int) -> str:
    return f"PC{i + 1} ({_pct(results.pca.explained_variance_ratio[i])} of variance)"


def _sample(n: int, seed: int, limit: int = MAX_POINTS) -> np.ndarray:
    """Positions of the films to draw: all, or a sorted seeded random sample of ``limit``."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


def _overlay(frame, seed: int, limit: int = MAX_OVERLAY):
    """``frame`` itself, or a seeded random sample of ``limit`` of its rows (original order kept)."""
    if len(frame) <= limit:
        return frame
    return frame.iloc[_sample(len(frame), seed, limit)]


def _grid(n: int, max_cols: int) -> tuple[int, int]:
    ncols = min(n, max_cols)
    return -(-n // ncols), ncols


def _check_classes(labels: Iterable[int]) -> None:
    unknown = sorted({int(c) for c in labels} - set(CLASS_COLORS))
    if unknown:
        raise ValueError(f"figures draw classes {sorted(CLASS_COLORS)}; got class(es) {unknown}")


def _class_entries(classes: Iterable[int], *, stroke: str | None = None, size: float = 7.0,
                   suffix: dict[int, str] | None = None) -> list[LegendEntry]:
    return [LegendEntry(CLASS_LABELS[c] + (suffix or {}).get(c, ""), fill=CLASS_COLORS[c], stroke=stroke, size=size)
            for c in classes]


def _padded(lo: float, hi: float, pad: float = 0.05) -> tuple[float, float]:
    """A data range widened by ``pad`` of its span on both sides (a unit when empty)."""
    lo, hi = float(lo), float(hi)
    span = hi - lo
    if not span > 0:
        span = abs(lo) * 0.2 or 1.0
    return lo - pad * span, hi + pad * span


def _ticks(lo: float, hi: float, n: int = 5, *, sci: bool | None = None) -> tuple[np.ndarray, list[str]]:
    t = sp.nice_ticks(lo, hi, n)
    return t, sp.tick_labels(t, sci=sci)


def _left_margin(labels: Sequence[str], *, size: float = _TICK, ylabel: bool = True) -> float:
    """Space left of an axes box for tick labels (and a rotated axis title)."""
    return _PAD + (_LABEL + 6 if ylabel else 0) + sp.max_text_width(labels, size) + 7


_BOTTOM = 4 + 2 + _TICK + 6 + _LABEL + _PAD  # tick, gap, tick labels, gap, axis title, margin


def _axes_frame(ax: Axes, xt, xl, yt, yl, *, xlabel: str | None, ylabel: str | None, grid: str = "y",
                box: bool = False, show_x: bool = True, show_y: bool = True) -> None:
    """Grid, axis lines, ticks with labels and axis titles of a panel (drawn before the data)."""
    ax.grid(xt if "x" in grid else (), yt if "y" in grid else ())
    ax.frame(box=box)
    ax.xticks(xt, xl, show=show_x)
    ax.yticks(yt, yl, show=show_y)
    if xlabel:
        ax.xlabel(xlabel, offset=4 + 2 + _TICK + 6)
    if ylabel:
        ax.ylabel(ylabel, offset=4 + 2.5 + sp.max_text_width(yl, _TICK) + 6)


# --------------------------------------------------------------------------- PCA

def plot_scree(results: StudyResults, *, key: str = "scree") -> Canvas:
    """Explained variance of each principal component (bars) and its cumulative share (line).

    The variance threshold and the number of components kept are marked.
    """
    p = results.pca
    ratio = 100 * np.asarray(p.explained_variance_ratio, dtype=float)
    cum = 100 * np.asarray(p.cumulative, dtype=float)
    k = int(p.n_components_used)
    n = len(ratio)
    x = np.arange(1, n + 1)
    c = Canvas(FIGURE_WIDTH, 300, key=key)
    yt, yl = np.arange(0, 101, 20), sp.tick_labels(np.arange(0, 101, 20))
    left = _left_margin(yl)
    legend = [LegendEntry("explained variance of the component", kind="patch", fill=_NEUTRAL),
              LegendEntry("cumulative explained variance", kind="line", stroke=_INK, width=1.4)]
    lw, lh = sp.legend_size(legend, max_width=FIGURE_WIDTH - left - _PAD)
    top = _PAD + lh + 6
    ax = Axes(c, (left, top, FIGURE_WIDTH - left - _PAD - 4, c.height - top - _BOTTOM), (0.4, n + 0.6), (0, 108),
              name="scree")
    sp.draw_legend(c, left, _PAD, legend, max_width=FIGURE_WIDTH - left - _PAD)
    _axes_frame(ax, x, [f"PC{i}" for i in x], yt, yl, xlabel="principal component",
                ylabel="explained variance (%)")
    with c.group(id=c.id("bars")):
        for i, v in enumerate(ratio):
            ax.bar(x[i], v, 0.65, fill=_NEUTRAL if i < k else _LIGHT, stroke=None)
    for i, v in enumerate(ratio):  # values inside tall bars, above short ones
        if v >= 12:
            ax.text(x[i], v / 2, f"{v:.1f}", size=_TICK, anchor="middle", valign="middle", color="#ffffff")
        else:
            ax.text(x[i], v, f"{v:.1f}", dy=-3, size=_TICK, anchor="middle")
    thr = 100 * p.variance_threshold
    ax.hline(thr, dash="5 3", width=0.9)
    ax.text(n + 0.5, thr, f"{thr:g} % threshold", dy=3, size=_TICK, anchor="end", valign="top")
    ax.vline(k + 0.5, dash="1.5 2.5", width=1.0)
    y_note = max(48.0, float(ratio[k]) + 16 if k < n else 48.0)
    ax.text(k + 0.6, y_note, f"{k} PC{'s' if k != 1 else ''} used", dy=-2, size=_TICK)
    ax.text(k + 0.6, y_note, f"({cum[k - 1]:.1f} % of variance)", dy=2, size=_TICK, valign="top")
    ax.plot(x, cum, color=_INK, width=1.4)
    ax.scatter(x, cum, size=6, fill=_INK, id=c.id("cumulative"))
    return c


def _spread(y: np.ndarray, gap: float) -> np.ndarray:
    """Move label heights apart (in order) so that neighbours are at least ``gap`` apart."""
    y = np.asarray(y, dtype=float).copy()
    order = np.argsort(y, kind="stable")
    ys = y[order]
    for _ in range(50):
        moved = False
        for i in range(1, len(ys)):
            d = ys[i] - ys[i - 1]
            if d < gap:
                shift = (gap - d) / 2
                ys[i - 1] -= shift
                ys[i] += shift
                moved = True
        if not moved:
            break
    y[order] = ys
    return y


def _dist_to_segment(point: np.ndarray, tip: np.ndarray) -> float:
    """Distance from ``point`` to the segment from the origin to ``tip``."""
    denom = float(np.dot(tip, tip))
    t = np.clip(np.dot(point, tip) / denom, 0.0, 1.0) if denom > 0 else 0.0
    return float(np.hypot(*(point - t * tip)))


def _arrow(c: Canvas, x0: float, y0: float, x1: float, y1: float, *, head: float = 8.0, color: str = _INK,
           width: float = 1.1) -> None:
    """A straight arrow in px with a filled triangular head at (x1, y1)."""
    dx, dy = x1 - x0, y1 - y0
    L = float(np.hypot(dx, dy))
    if L < 1e-9:
        return
    ux, uy = dx / L, dy / L
    h = min(head, 0.6 * L)
    bx, by = x1 - ux * h, y1 - uy * h
    c.line(x0, y0, bx, by, stroke=color, width=width)
    w = 0.38 * h
    c.polygon([x1, bx - uy * w, bx + uy * w], [y1, by + ux * w, by - ux * w], fill=color)


def plot_correlation_circle(results: StudyResults, *, key: str = "correlation_circle") -> Canvas:
    """Correlation circle (paper Fig. 2a): each PCA feature as an arrow (PC1, PC2 loadings)."""
    p = results.pca
    load = p.loadings.iloc[:, :2].to_numpy(dtype=float)
    ticks = np.array([-1, -0.5, 0, 0.5, 1])
    labels = sp.tick_labels(ticks)
    names = [_symbol(f) for f in p.features]
    # labels just beyond the arrow tips; a label lying on another arrow moves sideways, away from it;
    # then the labels of each side are spread vertically so that none overlaps another
    r = np.hypot(load[:, 0], load[:, 1])
    r = np.where(r > 0, r, 1.0)
    unit = load / r[:, None]
    pos = load + 0.09 * unit
    for i in range(len(pos)):
        for j in range(len(pos)):
            if i != j and _dist_to_segment(pos[i], load[j]) < 0.07:
                normal = np.array([-unit[i, 1], unit[i, 0]])
                t = np.clip(np.dot(pos[i], load[j]) / np.dot(load[j], load[j]), 0, 1)
                side = np.sign(np.dot(pos[i] - load[j] * t, normal)) or 1.0
                pos[i] = pos[i] + side * 0.1 * normal
    right = pos[:, 0] >= 0
    for side in (right, ~right):
        if side.any():
            pos[side, 1] = _spread(pos[side, 1], 0.085)
    height = 420.0
    left = _left_margin(labels)
    scale = (height - _PAD - _BOTTOM) / 2.3  # px per unit, equal on both axes
    widths = np.array([sp.text_width(t, _LABEL) for t in names]) / scale + 0.03
    x_lo = min(-1.3, float(np.min(np.where(right, -1.3, pos[:, 0] - widths))))
    x_hi = max(1.3, float(np.max(np.where(right, pos[:, 0] + widths, 1.3))))
    c = Canvas(round(left + (x_hi - x_lo) * scale + _PAD), height, key=key)
    ax = Axes(c, (left, _PAD, (x_hi - x_lo) * scale, 2.3 * scale), (x_lo, x_hi), (-1.15, 1.15), name="circle")
    _axes_frame(ax, ticks, labels, ticks, labels, xlabel=_pc_label(results, 0), ylabel=_pc_label(results, 1),
                grid="")
    ax.hline(0, color=_ZERO, width=0.7)
    ax.vline(0, color=_ZERO, width=0.7)
    ox, oy = float(ax.px(0)), float(ax.py(0))
    c.circle(ox, oy, scale, fill="none", stroke="#888888", stroke_width=0.9)
    with c.group(id=c.id("arrows")):
        for lx, ly in load:
            _arrow(c, ox, oy, float(ax.px(lx)), float(ax.py(ly)))
    with c.group(id=c.id("labels")):
        for name, (tx, ty), on_right in zip(names, pos, right):
            ax.text(tx, ty, name, size=_LABEL, anchor="start" if on_right else "end", valign="middle", halo=True)
    return c


def _scatter_limits(*arrays: np.ndarray) -> tuple[float, float]:
    v = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    v = v[np.isfinite(v)]
    return _padded(v.min(), v.max(), 0.05) if v.size else (-1.0, 1.0)


def _pc_axes(c: Canvas, results, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray], *, right: float,
             top: float, name: str) -> Axes:
    xlim, ylim = _scatter_limits(*xs), _scatter_limits(*ys)
    xt, xl = _ticks(*xlim, 6)
    yt, yl = _ticks(*ylim, 5)
    left = _left_margin(yl)
    ax = Axes(c, (left, top, c.width - left - right, c.height - top - _BOTTOM), xlim, ylim, name=name)
    _axes_frame(ax, xt, xl, yt, yl, xlabel=_pc_label(results, 0), ylabel=_pc_label(results, 1), grid="xy",
                box=True)
    if xlim[0] < 0 < xlim[1]:
        ax.vline(0, color=_ZERO, width=0.7)
    if ylim[0] < 0 < ylim[1]:
        ax.hline(0, color=_ZERO, width=0.7)
    return ax


def plot_pc_scatter(results: StudyResults, *, key: str = "pc_scatter") -> Canvas:
    """Films on PC1–PC2 coloured by class, class centroids marked (paper Fig. 2b).

    Beyond :data:`MAX_POINTS` films a seeded random sample is drawn, and the
    figure says so above the plot.
    """
    scores = results.pca.scores.iloc[:, :2].to_numpy(dtype=float)
    labels = results.clusters.labels.to_numpy()
    _check_classes(labels)
    keep = _sample(len(labels), results.config.seed)
    cent = np.asarray(results.clusters.centroids, dtype=float)[:, :2]
    counts = {c: int(np.sum(labels == c)) for c in sorted(CLASS_COLORS)}
    present = [k for k, n in counts.items() if n]
    entries = _class_entries(present, size=7, suffix={k: f", n = {counts[k]}" for k in present})
    entries.append(LegendEntry("class centroid", shape="X", fill="#ffffff", stroke="#000000", size=10))
    lw, _ = sp.legend_size(entries, max_width=300, vertical=True)
    c = Canvas(FIGURE_WIDTH, 350, key=key)
    sampled = len(keep) < len(labels)
    top = _PAD + (_NOTE + 8 if sampled else 4)
    ax = _pc_axes(c, results, [scores[keep, 0], cent[:, 0]], [scores[keep, 1], cent[:, 1]],
                  right=_PAD + lw + 14, top=top, name="scatter")
    if sampled:
        c.text(ax.x0 + ax.w / 2, _PAD, f"random sample of {len(keep)} of {len(labels)} films shown", size=_NOTE,
               anchor="middle", valign="top")
    for k in present:
        sel = keep[labels[keep] == k]
        ax.scatter(scores[sel, 0], scores[sel, 1], size=5.5, fill=CLASS_COLORS[k], opacity=0.85,
                   id=c.id(f"class-{k}"))
    with c.group(id=c.id("centroids")):
        for i, (cx, cy) in enumerate(cent):
            ax.scatter([cx], [cy], shape="X", size=12, fill=CLASS_COLORS[i + 1], stroke="#000000", width=0.9)
    sp.draw_legend(c, ax.right + 14, ax.y0, entries, max_width=lw, vertical=True)
    return c


def plot_batch_pc_map(reference_results: StudyResults, batch_scores, batch_classes, *,
                      key: str = "batch_pc_map") -> Canvas:
    """New films placed on the reference PC1–PC2 map.

    Parameters
    ----------
    reference_results : StudyResults
        The reference study: its films are drawn in light class colours.
    batch_scores : array-like, shape (n, ≥ 2)
        PC scores of the new films in the reference PCA (``results.pca.transform``).
    batch_classes : array-like of int, shape (n,)
        Class assigned to each new film.
    """
    ref = reference_results.pca.scores.iloc[:, :2].to_numpy(dtype=float)
    ref_cls = reference_results.clusters.labels.to_numpy()
    s = np.atleast_2d(np.asarray(batch_scores, dtype=float))
    cls = np.asarray(batch_classes).astype(int).ravel()
    if s.shape[1] < 2 or len(s) != len(cls):
        raise ValueError(f"batch_scores must be (n, ≥ 2) and batch_classes (n,); got {s.shape} and {cls.shape}")
    _check_classes(ref_cls)
    _check_classes(cls)
    keep = _sample(len(ref_cls), reference_results.config.seed)
    entries = [LegendEntry(f"new films, {CLASS_LABELS[k]}: {int((cls == k).sum())}", shape="D",
                           fill=CLASS_COLORS[k], stroke="#000000", size=8) for k in sorted(CLASS_COLORS)
               if (cls == k).any()]
    entries.append(LegendEntry(f"reference films (n = {len(ref_cls)})", fill="#999999", opacity=0.5, size=5))
    lw, _ = sp.legend_size(entries, max_width=320, vertical=True)
    c = Canvas(FIGURE_WIDTH, 350, key=key)
    ax = _pc_axes(c, reference_results, [ref[keep, 0], s[:, 0]], [ref[keep, 1], s[:, 1]],
                  right=_PAD + lw + 14, top=_PAD + 4, name="map")
    for k in sorted(CLASS_COLORS):
        sel = keep[ref_cls[keep] == k]
        if len(sel):
            ax.scatter(ref[sel, 0], ref[sel, 1], size=4.5, fill=CLASS_COLORS[k], opacity=0.3,
                       id=c.id(f"reference-class-{k}"))
    for k in sorted(CLASS_COLORS):
        sel = cls == k
        if sel.any():
            ax.scatter(s[sel, 0], s[sel, 1], shape="D", size=9, fill=CLASS_COLORS[k], stroke="#000000", width=0.7,
                       id=c.id(f"batch-class-{k}"))
    sp.draw_legend(c, ax.right + 14, ax.y0, entries, max_width=lw, vertical=True)
    return c


# --------------------------------------------------------------------------- classes

def _box_stats(v: np.ndarray) -> tuple[float, float, float, float, float]:
    """Quartiles (linear interpolation, R type 7) and Tukey whisker ends (furthest films within 1.5 IQR)."""
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    iqr = q3 - q1
    lo = v[v >= q1 - 1.5 * iqr].min()
    hi = v[v <= q3 + 1.5 * iqr].max()
    return float(lo), float(q1), float(med), float(q3), float(hi)


def plot_boxplots(results: StudyResults, *, key: str = "boxplots") -> Canvas:
    """σ and RD by class (paper Fig. 2c,d): box plots with the films jittered on top.

    Boxes are Tukey box plots (quartiles as ``quantile(type = 7)``, whiskers
    to the furthest film within 1.5 IQR, R's ``boxplot(range = 1.5)``) of all
    films. Beyond :data:`MAX_JITTER` films a seeded sample is jittered.
    """
    data = results.data
    labels = data["class"].to_numpy()
    _check_classes(labels)
    classes = [k for k in sorted(CLASS_COLORS) if np.any(labels == k)]
    keep = _sample(len(labels), results.config.seed, MAX_JITTER)
    rng = np.random.default_rng(results.config.seed)
    jitter = rng.uniform(-0.17, 0.17, size=len(keep))
    sampled = len(keep) < len(labels)
    c = Canvas(FIGURE_WIDTH, 320, key=key)
    entries = _class_entries(classes)
    _, lh = sp.legend_size(entries, max_width=FIGURE_WIDTH - 2 * _PAD)
    top = _PAD + _TITLE + 8 + (_NOTE + 6 if sampled else 0)
    bottom = 4 + 2 + _TICK + 10 + lh + _PAD
    if sampled:
        c.text(c.width / 2, _PAD, f"points: random sample of {len(keep)} of {len(labels)} films", size=_NOTE,
               anchor="middle", valign="top")
    panels = []
    for var in ("conductivity_s_cm", "rd"):
        values = data[var].to_numpy(dtype=float)
        ylim = _padded(np.nanmin(values), np.nanmax(values), 0.06)
        yt, yl = _ticks(*ylim, 5, sci=True if var == "conductivity_s_cm" else None)
        panels.append((var, values, ylim, yt, yl))
    gap = 24.0
    lefts = [_left_margin(p[4]) for p in panels]
    pw = (c.width - lefts[0] - lefts[1] + _PAD - gap - _PAD) / 2
    x = lefts[0]
    for (var, values, ylim, yt, yl), left in zip(panels, lefts):
        if x != lefts[0]:
            x += left - _PAD
        ax = Axes(c, (x, top, pw, c.height - top - bottom), (min(classes) - 0.6, max(classes) + 0.6), ylim,
                  name=f"box-{var}")
        x += pw + gap
        _axes_frame(ax, classes, [f"Class {k}" for k in classes], yt, yl, xlabel=None, ylabel=_label(var))
        ax.title(by_name(var).label, size=_TITLE)
        for k in classes:
            lo, q1, med, q3, hi = _box_stats(values[labels == k])
            ax.bar(k, q3, 0.55, base=q1, fill=CLASS_COLORS[k], opacity=0.3, stroke=_INK, line=0.8)
            ax.hline(med, x0=k - 0.275, x1=k + 0.275, width=1.6)
            for a, b in ((lo, q1), (q3, hi)):
                c.line(float(ax.px(k)), float(ax.py(a)), float(ax.px(k)), float(ax.py(b)), stroke=_INK, width=0.8)
            for v in (lo, hi):
                ax.hline(v, x0=k - 0.14, x1=k + 0.14, width=0.8)
        for k in classes:
            sel = labels[keep] == k
            ax.scatter(k + jitter[sel], values[keep][sel], size=4.5, fill=CLASS_COLORS[k], opacity=0.9,
                       id=c.id(f"class-{k}-{var}"))
    sp.draw_legend(c, c.width / 2, c.height - _PAD - lh, entries, max_width=c.width - 2 * _PAD, align="center")
    return c


# --------------------------------------------------------------------------- process maps

def _conditions(results: StudyResults, level: float | None = None):
    """Distinct (L:S, X:B) conditions of the films, of one P% level or of all."""
    d = results.data
    if level is not None:
        d = d[np.isclose(d["polymer_wt_pct"].to_numpy(dtype=float), level)]
    return d[["ls_ratio", "xylene_vol_pct"]].drop_duplicates()


#: Each grid cell of a continuous map becomes this many pixels a side (bilinear), smooth at any zoom.
_UPSAMPLE = 3


def _map_panel(ax: Axes, ls: np.ndarray, xb: np.ndarray, z: np.ndarray, vmin: float, vmax: float,
               levels: np.ndarray) -> None:
    """A continuous colour map of z (NaN transparent over grey) with white contour lines at ``levels``."""
    ax.background(_NAN_FILL)
    if not np.isfinite(z).any():
        ax.text((ls[0] + ls[-1]) / 2, (xb[0] + xb[-1]) / 2, "no surface (too few conditions)", size=_TICK,
                anchor="middle", valign="middle", color="#555555")
        return
    fine = sp.upsample(z, _UPSAMPLE)
    dx = (ls[-1] - ls[0]) / (fine.shape[1] - 1) / 2
    dy = (xb[-1] - xb[0]) / (fine.shape[0] - 1) / 2
    ax.image(sp.colormap(fine[::-1], vmin, vmax), (ls[0] - dx, ls[-1] + dx, xb[0] - dy, xb[-1] + dy),
             pixelated=False)
    segs = [sp.contour_segments(z, ls, xb, lv) for lv in levels if vmin < lv < vmax]
    if segs:
        ax.segments(np.concatenate(segs), color="#ffffff", width=0.7, opacity=0.75)


def _dots(ax: Axes, frame, full: bool, *, id: str) -> int:
    return ax.scatter(frame["ls_ratio"].to_numpy(dtype=float), frame["xylene_vol_pct"].to_numpy(dtype=float),
                      size=5.0 if full else 3.0, fill="#ffffff", stroke="#000000", width=0.7 if full else 0.4, id=id)


def _map_ticks(ls: np.ndarray, xb: np.ndarray, nx: int = 4):
    xt, xl = _ticks(ls[0], ls[-1], nx)
    yt, yl = _ticks(xb[0], xb[-1], 5)
    return xt, xl, yt, yl


def _panel_gap(xlabels: Sequence[str]) -> float:
    """Gap between side-by-side panels: the last x tick label of one and the first of the next must not touch."""
    if not xlabels:
        return 12.0
    return max(12.0, (sp.text_width(xlabels[0], _TICK) + sp.text_width(xlabels[-1], _TICK)) / 2 + 8)


def _range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return (vmin, vmax) if vmax > vmin else (vmin, vmin + (abs(vmin) * 0.1 or 1.0))


def _cbar_width(ticks_labels: Sequence[str]) -> float:
    return 14 + 3 + 2.5 + sp.max_text_width(ticks_labels, _TICK) + 5 + 0.25 * 11 + 0.75 * 11


def plot_process_maps(results: StudyResults, variable: str, *, key: str | None = None) -> Canvas:
    """A film property over L:S × X:B, one colour-map panel per observed P% level.

    Panels share one continuous colour scale (viridis) and colour bar, with
    white contour lines at the colour-bar ticks; the films' conditions are
    dotted; no value (outside the films' convex hull) is grey.
    """
    m = results.maps
    if variable not in m.values:
        raise ValueError(f"no process map for {variable!r}; expected one of {sorted(m.values)}")
    key = key or f"process_maps_{variable}"
    vals = np.asarray(m.values[variable], dtype=float)
    levels_p = m.polymer_levels
    n = len(levels_p)
    nrows, ncols = _grid(n, 2 if n <= 4 else 4)
    vmin, vmax = _range(vals)
    ct, cl = _ticks(vmin, vmax, 8, sci=True if variable == "conductivity_s_cm" else None)
    xt, xl, yt, yl = _map_ticks(m.ls, m.xb)
    left = _left_margin(yl)
    cbw = _cbar_width(cl)
    hgap, vgap, title_h = _panel_gap(xl), 16.0 + _TITLE + 6, _TITLE + 7
    pw = (FIGURE_WIDTH - left - _PAD - cbw - 16 - hgap * (ncols - 1)) / ncols
    ph = pw * (0.78 if ncols <= 2 else 0.9)
    shown = [_conditions(results, p) for p in levels_p]
    overlays = [_overlay(f, results.config.seed) for f in shown]
    sampled = any(len(o) < len(f) for o, f in zip(overlays, shown))
    top = _PAD + (_NOTE + 8 if sampled else 0) + title_h
    height = top + nrows * ph + (nrows - 1) * vgap + _BOTTOM
    c = Canvas(FIGURE_WIDTH, round(height), key=key)
    if sampled:
        c.text(c.width / 2, _PAD, f"dots: film conditions, a random sample of at most {MAX_OVERLAY} per panel",
               size=_NOTE, anchor="middle", valign="top")
    boxes = sp.panel_boxes(left, top, ncols * pw + (ncols - 1) * hgap, nrows * ph + (nrows - 1) * vgap, nrows,
                           ncols, hgap=hgap, vgap=vgap)
    xlim, ylim = (m.ls[0], m.ls[-1]), (m.xb[0], m.xb[-1])
    for i, (box, p) in enumerate(zip(boxes, levels_p)):
        ax = Axes(c, box, xlim, ylim, name=f"panel-{i + 1}")
        with c.group(id=c.id(f"panel-{i + 1}")):
            _map_panel(ax, m.ls, m.xb, vals[i], vmin, vmax, ct)
            bottom_row, first_col = i + ncols >= n, i % ncols == 0
            _axes_frame(ax, xt, xl, yt, yl, xlabel=_label("ls_ratio") if bottom_row else None,
                        ylabel=_label("xylene_vol_pct") if first_col else None, grid="", box=True,
                        show_x=bottom_row, show_y=first_col)
            ax.title(f"{_level(p)} (n = {m.n_films[i]})", size=_TITLE)
            _dots(ax, overlays[i], len(overlays[i]) == len(shown[i]), id=c.id(f"conditions-{i + 1}"))
    sp.colorbar(c, (FIGURE_WIDTH - _PAD - cbw, top, 14, nrows * ph + (nrows - 1) * vgap), vmin, vmax, ticks=ct,
                labels=cl, label=_label(variable), size=_TICK)
    return c


def plot_dot_mean(results: StudyResults, *, key: str = "dot_mean") -> Canvas:
    """DoT averaged over the P% levels, over L:S × X:B (paper Fig. 3)."""
    m = results.maps
    z = np.asarray(m.dot_mean, dtype=float)
    vmin, vmax = _range(z)
    ct, cl = _ticks(vmin, vmax, 9)
    xt, xl, yt, yl = _map_ticks(m.ls, m.xb, 6)
    cond = _conditions(results)
    shown = _overlay(cond, results.config.seed)
    full = len(shown) == len(cond)
    left = _left_margin(yl)
    cbw = _cbar_width(cl)
    c = Canvas(FIGURE_WIDTH, 360, key=key)
    top = _PAD + _TITLE + 7
    ax = Axes(c, (left, top, c.width - left - _PAD - cbw - 16, c.height - top - _BOTTOM), (m.ls[0], m.ls[-1]),
              (m.xb[0], m.xb[-1]), name="map")
    _map_panel(ax, m.ls, m.xb, z, vmin, vmax, ct)
    _axes_frame(ax, xt, xl, yt, yl, xlabel=_label("ls_ratio"), ylabel=_label("xylene_vol_pct"), grid="", box=True)
    ax.title("DoT averaged over " + ", ".join(f"{p:g}" for p in m.polymer_levels)
             + f" {by_name('polymer_wt_pct').unit}"
             + ("" if full else f"; dots: a random sample of {len(shown)} of {len(cond)} film conditions"),
             size=_TITLE)
    _dots(ax, shown, full, id=c.id("conditions"))
    if np.isfinite(z).any():
        sp.colorbar(c, (c.width - _PAD - cbw, top, 14, ax.h), vmin, vmax, ticks=ct, labels=cl,
                    label=f"mean {_label('dot_um')}", size=_TICK)
    return c


# --------------------------------------------------------------------------- classifier

def plot_oversampling(results: StudyResults, *, key: str = "oversampling") -> Canvas:
    """Class counts of the training films before and after random oversampling (paper Fig. S6)."""
    k = results.classifier
    classes = list(k.labels)
    _check_classes(classes)
    x = np.arange(len(classes), dtype=float)
    w = 0.38
    before = [int(k.counts_before.get(cl, 0)) for cl in classes]
    after = [int(k.counts_after.get(cl, 0)) for cl in classes]
    c = Canvas(FIGURE_WIDTH, 300, key=key)
    hatch = sp.hatch_pattern(c, "hatch")
    top_val = max(before + after + [1])
    ylim = (0, top_val * 1.12)
    yt, yl = _ticks(0, top_val, 5)
    yt = yt[yt == np.round(yt)]
    yl = sp.tick_labels(yt)
    left = _left_margin(yl)
    entries = [LegendEntry("before oversampling", kind="hatch", fill="#BBBBBB", stroke=_INK, pattern=hatch),
               LegendEntry("after oversampling", kind="patch", fill="#555555", stroke=_INK)]
    _, lh = sp.legend_size(entries, max_width=400)
    top = _PAD + lh + 8
    bottom = 4 + 2 + 2 * 1.2 * _TICK + 6 + _PAD
    ax = Axes(c, (left, top, c.width - left - _PAD, c.height - top - bottom), (-0.6, len(classes) - 0.4), ylim,
              name="bars")
    _axes_frame(ax, x, [CLASS_LABELS[cl].replace(" (", "\n(") for cl in classes], yt, yl, xlabel=None,
                ylabel="training films (count)")
    with c.group(id=c.id("before")):
        for xi, v, cl in zip(x, before, classes):
            ax.bar(xi - w / 2, v, w, fill=CLASS_COLORS[cl], opacity=0.45, pattern=hatch)
    with c.group(id=c.id("after")):
        for xi, v, cl in zip(x, after, classes):
            ax.bar(xi + w / 2, v, w, fill=CLASS_COLORS[cl])
    for xi, v in zip(x, before):
        ax.text(xi - w / 2, v, str(v), dy=-3, size=_TICK, anchor="middle")
    for xi, v in zip(x, after):
        ax.text(xi + w / 2, v, str(v), dy=-3, size=_TICK, anchor="middle")
    sp.draw_legend(c, ax.x0 + ax.w / 2, _PAD, entries, max_width=400, align="center")
    return c


def plot_confusion(results: StudyResults, *, key: str = "confusion") -> Canvas:
    """Confusion matrix of the SVM on the test films: rows actual, columns predicted, counts in cells."""
    k = results.classifier
    cm = np.asarray(k.confusion_matrix)
    classes = list(k.labels)
    names = [f"Class {cl}" for cl in classes]
    vmax = max(int(cm.max()), 1)
    ct = sp.nice_ticks(0, vmax, 5)
    ct = ct[ct == np.round(ct)]
    cl = sp.tick_labels(ct)
    c = Canvas(400, 330, key=key)
    left = _left_margin(names)
    cbw = _cbar_width(cl)
    top = _PAD + _TITLE + 8
    side = min(c.width - left - _PAD - cbw - 18, c.height - top - _BOTTOM)
    n = len(classes)
    ax = Axes(c, (left, top, side, side), (-0.5, n - 0.5), (n - 0.5, -0.5), name="matrix")
    rgba = sp.colormap(cm.astype(float), 0.0, float(vmax), sp.BLUES)
    with c.group(id=c.id("cells")):
        for i in range(n):
            for j in range(n):
                r, g, b = (int(v) for v in rgba[i, j, :3])
                ax.bar(j, i + 0.5, 1.0, base=i - 0.5, fill=f"#{r:02x}{g:02x}{b:02x}", stroke="#ffffff", line=1.0)
    with c.group(id=c.id("counts")):
        for i in range(n):
            for j in range(n):
                dark = cm[i, j] > 0.55 * cm.max()
                ax.text(j, i, str(int(cm[i, j])), size=12, anchor="middle", valign="middle",
                        color="#ffffff" if dark else "#000000")
    ax.xticks(range(n), names)
    ax.yticks(range(n), names)
    ax.xlabel("predicted class", offset=4 + 2 + _TICK + 6)
    ax.ylabel("actual class", offset=4 + 2.5 + sp.max_text_width(names, _TICK) + 6)
    ax.title(f"test films: n = {int(cm.sum())}", size=_TITLE)
    sp.colorbar(c, (ax.right + 18, top, 14, side), 0.0, float(vmax), ticks=ct, labels=cl, stops=sp.BLUES,
                label="test films (count)", size=_TICK)
    return c


def plot_decision_maps(results: StudyResults, *, key: str = "decision_maps") -> Canvas:
    """Class predicted by the SVM over L:S × X:B, one panel per P% level (paper Fig. 4).

    The shading is the predicted class of each grid cell (a crisp raster),
    the lines the class boundaries (the 0.5 contour of each class indicator,
    as R's ``contour``). Observed levels show their films, coloured by class;
    levels without films are the model's interpolation and are titled so.
    """
    d = results.decision_map
    classes = sorted(CLASS_COLORS)
    _check_classes(np.unique(d.predicted))
    n = len(d.polymer_levels)
    nrows, ncols = _grid(n, 4)
    xt, xl, yt, yl = _map_ticks(d.ls, d.xb, 3)
    left = _left_margin(yl)
    hgap, vgap = _panel_gap(xl), 16.0 + 10 + 4
    pw = (FIGURE_WIDTH - left - _PAD - hgap * (ncols - 1)) / ncols
    ph = pw * 0.82 if ncols > 2 else pw * 0.7
    titles = [f"{_level(p)} ({'observed' if obs else 'interpolated'})" for p, obs in zip(d.polymer_levels, d.observed)]
    tsize = 10.0
    while tsize > 8.0 and sp.max_text_width(titles, tsize) > pw + hgap - 2:
        tsize -= 0.5
    films_all = results.data
    overlays, sampled = [], False
    for p, obs in zip(d.polymer_levels, d.observed):
        if not obs:
            overlays.append(None)
            continue
        films = films_all[np.isclose(films_all["polymer_wt_pct"].to_numpy(dtype=float), p)]
        shown = _overlay(films, results.config.seed)
        sampled = sampled or len(shown) < len(films)
        overlays.append(shown)
    shades = {cl: sp.shade(CLASS_COLORS[cl], SHADE_ALPHA) for cl in classes}
    entries = [LegendEntry(CLASS_LABELS[cl], kind="patch+marker", fill=CLASS_COLORS[cl], opacity=SHADE_ALPHA,
                           size=6.5) for cl in classes]
    legend_title = ("shading: predicted class; lines: class boundaries; dots: films of the observed levels"
                    + (f" (a random sample of at most {MAX_OVERLAY} per panel)" if sampled else ""))
    _, lh = sp.legend_size(entries, max_width=FIGURE_WIDTH - 2 * _PAD, title=legend_title, size=_LEGEND)
    top = _PAD + tsize + 6
    grid_h = nrows * ph + (nrows - 1) * vgap
    height = top + grid_h + _BOTTOM + lh + 4
    c = Canvas(FIGURE_WIDTH, round(height), key=key)
    boxes = sp.panel_boxes(left, top, ncols * pw + (ncols - 1) * hgap, grid_h, nrows, ncols, hgap=hgap, vgap=vgap)
    dl, db = (d.ls[1] - d.ls[0]) / 2, (d.xb[1] - d.xb[0]) / 2
    for i, (box, obs) in enumerate(zip(boxes, d.observed)):
        ax = Axes(c, box, (d.ls[0], d.ls[-1]), (d.xb[0], d.xb[-1]), name=f"panel-{i + 1}")
        pred = np.asarray(d.predicted[i])
        with c.group(id=c.id(f"panel-{i + 1}")):
            ax.image(sp.class_image(pred[::-1], shades), (d.ls[0] - dl, d.ls[-1] + dl, d.xb[0] - db, d.xb[-1] + db),
                     pixelated=True)
            for cl in classes[:-1]:  # class boundaries: indicator of every class but the last, at 0.5
                ind = (pred == cl).astype(float)
                if 0 < ind.sum() < ind.size:
                    ax.segments(sp.contour_segments(ind, d.ls, d.xb, 0.5), color=_INK, width=0.8)
            bottom_row, first_col = i + ncols >= n, i % ncols == 0
            _axes_frame(ax, xt, xl, yt, yl, xlabel=_label("ls_ratio") if bottom_row else None,
                        ylabel=_label("xylene_vol_pct") if first_col else None, grid="", box=True,
                        show_x=bottom_row, show_y=first_col)
            ax.title(titles[i], size=tsize, gap=4)
            films = overlays[i]
            if films is not None:
                cls = films["class"].to_numpy()
                for cl in classes:
                    sel = cls == cl
                    if sel.any():
                        ax.scatter(films["ls_ratio"].to_numpy(dtype=float)[sel],
                                   films["xylene_vol_pct"].to_numpy(dtype=float)[sel], size=5.5,
                                   fill=CLASS_COLORS[cl], stroke=_INK, width=0.6,
                                   id=c.id(f"class-{cl}-level-{i + 1}"))
    sp.draw_legend(c, c.width / 2, c.height - _PAD - lh, entries, max_width=c.width - 2 * _PAD, size=_LEGEND,
                   title=legend_title, align="center")
    return c


# --------------------------------------------------------------------------- registry

@dataclass(frozen=True)
class FigureOutput:
    """One rendered figure for the report.

    Attributes
    ----------
    key : str
    svg : str
        Inline SVG markup starting with ``<svg`` (no XML declaration or DOCTYPE);
        element ids are prefixed with the key so figures can share one page.
    alt : str
        Alt text: what the figure shows, with its key numbers (also the SVG's ``<desc>``).
    caption : str
        One-sentence caption naming the units.
    """

    key: str
    svg: str
    alt: str
    caption: str


@dataclass(frozen=True)
class FigureSpec:
    """How to draw and describe one figure of the registry (``title``: the SVG's ``<title>``)."""

    key: str
    draw: Callable[[StudyResults], Canvas]
    alt: Callable[[StudyResults], str]
    caption: Callable[[StudyResults], str]
    title: str = ""


def _classes_text(counts: dict[int, int]) -> str:
    return ", ".join(f"class {c}: {n}" for c, n in counts.items())


def _alt_scree(r: StudyResults) -> str:
    p = r.pca
    k = p.n_components_used
    parts = ", ".join(f"PC{i + 1} explains {_pct(v)}" for i, v in enumerate(p.explained_variance_ratio[:max(k, 3)]))
    return (f"Scree plot: {parts}; the first {k} components explain {_pct(p.cumulative[k - 1])} of the variance, "
            f"reaching the {p.variance_threshold * 100:g} % threshold.")


def _alt_circle(r: StudyResults) -> str:
    load = r.pca.loadings
    arrows = "; ".join(f"{_symbol(f)} ({load.loc[f].iloc[0]:.2f}, {load.loc[f].iloc[1]:.2f})" for f in r.pca.features)
    return (f"Correlation circle of the {len(r.pca.features)} PCA variables on PC1 ({_pct(r.pca.explained_variance_ratio[0])}) "
            f"and PC2 ({_pct(r.pca.explained_variance_ratio[1])}); arrow tips (correlation with PC1, PC2): {arrows}.")


def _alt_scatter(r: StudyResults) -> str:
    n = len(r.clusters.labels)
    shown = min(n, MAX_POINTS)
    cent = "; ".join(f"class {i + 1} centroid at ({c[0]:.2f}, {c[1]:.2f})" for i, c in enumerate(r.clusters.centroids))
    sample = f" (a random sample of {shown} shown)" if shown < n else ""
    return (f"Scatter of {n} films{sample} on PC1 ({_pct(r.pca.explained_variance_ratio[0])}) and PC2 "
            f"({_pct(r.pca.explained_variance_ratio[1])}) coloured by class ({_classes_text(r.clusters.counts)}); "
            f"{cent}.")


def _median_text(r: StudyResults, var: str, fmt: str) -> str:
    s = r.class_summary
    rows = s[s["variable"] == var].sort_values("class")
    return ", ".join(f"class {int(c)} {format(m, fmt)}" for c, m in zip(rows["class"], rows["median"]))


def _alt_box(r: StudyResults) -> str:
    return (f"Box plots of ionic conductivity σ (S/cm) and relative deviation RD by class, films as points "
            f"({_classes_text(r.clusters.counts)}). Median σ: {_median_text(r, 'conductivity_s_cm', '.2e')} S/cm; "
            f"median RD: {_median_text(r, 'rd', '.3f')}.")


def _alt_maps(var: str):
    def alt(r: StudyResults) -> str:
        v = np.asarray(r.maps.values[var], dtype=float)
        col = by_name(var)
        fmt = ".2e" if var == "conductivity_s_cm" else ".1f"
        per = "; ".join(
            f"{_level(p)}: {format(np.nanmin(v[i]), fmt)} to {format(np.nanmax(v[i]), fmt)} {col.unit}"
            if np.isfinite(v[i]).any() else f"{_level(p)}: no surface (too few conditions)"
            for i, p in enumerate(r.maps.polymer_levels))
        return (f"Colour maps with contour lines of {col.label.lower()} ({col.symbol}) over L:S (µL/mg) and "
                f"X:B (vol%), one panel per polymer content, with the films' conditions as dots. "
                f"Range per panel: {per}.")
    return alt


def _alt_dot_mean(r: StudyResults) -> str:
    z = np.asarray(r.maps.dot_mean, dtype=float)
    if not np.isfinite(z).any():
        return "Contour map of the mean deviation of thickness: undefined (no level has a surface)."
    i = np.unravel_index(np.nanargmin(z), z.shape)
    j = np.unravel_index(np.nanargmax(z), z.shape)
    m = r.maps
    return ("Contour map of the deviation of thickness DoT averaged over P = "
            + ", ".join(f"{p:g}" for p in m.polymer_levels) + " wt%, over L:S (µL/mg) and X:B (vol%): "
            f"lowest {np.nanmin(z):.1f} µm at L:S {m.ls[i[1]]:.2f} µL/mg, X:B {m.xb[i[0]]:.0f} vol%; "
            f"highest {np.nanmax(z):.1f} µm at L:S {m.ls[j[1]]:.2f} µL/mg, X:B {m.xb[j[0]]:.0f} vol%.")


def _alt_oversampling(r: StudyResults) -> str:
    k = r.classifier
    return (f"Grouped bars of training films per class before oversampling ({_classes_text(k.counts_before)}) "
            f"and after ({_classes_text(k.counts_after)}).")


def _alt_confusion(r: StudyResults) -> str:
    k = r.classifier
    cm = np.asarray(k.confusion_matrix)
    rows = "; ".join(f"actual class {a}: " + ", ".join(f"{int(cm[i, j])} predicted {b}" for j, b in enumerate(k.labels))
                     for i, a in enumerate(k.labels))
    return (f"Confusion matrix of the SVM on {int(cm.sum())} test films, {int(np.trace(cm))} correct "
            f"(macro F1 {k.test_f1_macro:.3f}). {rows}.")


def _alt_decision(r: StudyResults) -> str:
    d = r.decision_map
    parts = []
    for p, obs, pred in zip(d.polymer_levels, d.observed, d.predicted):
        share = ", ".join(f"class {c} {100 * np.mean(pred == c):.0f} %" for c in sorted(CLASS_COLORS))
        parts.append(f"{_level(p)} ({'observed' if obs else 'interpolated'}): {share}")
    return ("Decision maps of the linear SVM: predicted class over L:S (µL/mg) and X:B (vol%) for each polymer "
            "content, with the films of observed levels as points in their class colour. Share of the map per "
            "class: " + "; ".join(parts) + ".")


def _level_list(levels: Sequence[float]) -> str:
    return ", ".join(f"{p:g}" for p in levels) + " wt%"


FIGURES: dict[str, FigureSpec] = {s.key: s for s in (
    FigureSpec("scree", plot_scree, _alt_scree,
               lambda r: f"Explained variance (%) of each principal component and its cumulative share; "
                         f"the first {r.pca.n_components_used} components, which explain "
                         f"{_pct(r.pca.cumulative[r.pca.n_components_used - 1])} (threshold "
                         f"{r.pca.variance_threshold * 100:g} %), are used for the classes.",
               title="Scree plot"),
    FigureSpec("correlation_circle", plot_correlation_circle, _alt_circle,
               lambda r: "Correlation circle (cf. paper Fig. 2a): correlation (dimensionless, −1 to 1) of each "
                         "standardized film variable with PC1 and PC2.",
               title="Correlation circle"),
    FigureSpec("pc_scatter", plot_pc_scatter, _alt_scatter,
               lambda r: "Films on the first two principal components (dimensionless scores), coloured by the "
                         "K-means class, centroids marked (cf. paper Fig. 2b).",
               title="Films on PC1 and PC2 by class"),
    FigureSpec("boxplots", plot_boxplots, _alt_box,
               lambda r: "Ionic conductivity σ (S/cm) and relative thickness deviation RD (dimensionless) by "
                         "class, boxes from quartiles with whiskers to 1.5 IQR (cf. paper Fig. 2c,d).",
               title="σ and RD by class"),
    FigureSpec("process_maps_thickness", lambda r: plot_process_maps(r, "thickness_um", key="process_maps_thickness"),
               _alt_maps("thickness_um"),
               lambda r: f"Film thickness (µm) interpolated over L:S (µL/mg) and X:B (vol%) at P = "
                         f"{_level_list(r.maps.polymer_levels)} (cf. paper Movie S1).",
               title="Process maps of film thickness"),
    FigureSpec("process_maps_dot", lambda r: plot_process_maps(r, "dot_um", key="process_maps_dot"),
               _alt_maps("dot_um"),
               lambda r: f"Deviation of thickness DoT (µm) interpolated over L:S (µL/mg) and X:B (vol%) at P = "
                         f"{_level_list(r.maps.polymer_levels)} (cf. paper Movie S2).",
               title="Process maps of the deviation of thickness"),
    FigureSpec("process_maps_sigma", lambda r: plot_process_maps(r, "conductivity_s_cm", key="process_maps_sigma"),
               _alt_maps("conductivity_s_cm"),
               lambda r: f"Ionic conductivity σ (S/cm) interpolated over L:S (µL/mg) and X:B (vol%) at P = "
                         f"{_level_list(r.maps.polymer_levels)} (cf. paper Movie S3).",
               title="Process maps of ionic conductivity"),
    FigureSpec("dot_mean", plot_dot_mean, _alt_dot_mean,
               lambda r: f"Deviation of thickness DoT (µm) averaged over P = {_level_list(r.maps.polymer_levels)}, "
                         f"over L:S (µL/mg) and X:B (vol%) (cf. paper Fig. 3).",
               title="Mean deviation of thickness over L:S and X:B"),
    FigureSpec("oversampling", plot_oversampling, _alt_oversampling,
               lambda r: "Number of training films per class before and after random oversampling of the "
                         "minority classes (cf. paper Fig. S6).",
               title="Training films before and after oversampling"),
    FigureSpec("confusion", plot_confusion, _alt_confusion,
               lambda r: "Confusion matrix of the linear SVM on the held-out test films (counts of films; rows "
                         "actual class, columns predicted class).",
               title="Confusion matrix of the SVM"),
    FigureSpec("decision_maps", plot_decision_maps, _alt_decision,
               lambda r: "Quality class predicted by the linear SVM over L:S (µL/mg) and X:B (vol%) for each "
                         "polymer content P (wt%), observed levels with their films (cf. paper Fig. 4).",
               title="Decision maps of the SVM"),
)}


def render_figures(results: StudyResults, *, keys: Iterable[str] | None = None) -> dict[str, FigureOutput]:
    """Draw figures of a study as inline SVG with alt text and caption.

    Parameters
    ----------
    results : StudyResults
    keys : iterable of str, optional
        Keys of :data:`FIGURES` to draw, in the order wanted; all by default.

    Returns
    -------
    dict
        key -> :class:`FigureOutput`, in the order of ``keys``.

    Notes
    -----
    Output is deterministic: the same results give byte-identical SVG (seeded
    sampling, coordinates rounded to 0.01 px, no date). Every element id
    starts with ``<key>-``. The SVG's ``<title>`` is the figure's name and its
    ``<desc>`` the alt text.
    """
    keys = list(FIGURES) if keys is None else list(keys)
    unknown = [k for k in keys if k not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure key(s) {unknown}; expected any of {list(FIGURES)}")
    out: dict[str, FigureOutput] = {}
    for key in keys:
        spec = FIGURES[key]
        alt = spec.alt(results)
        svg = spec.draw(results).to_svg(title=spec.title or key, desc=alt)
        out[key] = FigureOutput(key=key, svg=svg, alt=alt, caption=spec.caption(results))
    return out
