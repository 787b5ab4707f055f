"""Figures of the study (paper Figs. 2–4, S6 and the process maps), as matplotlib and SVG.

Every ``plot_*`` function only draws what a :class:`~ssereport.pipeline.StudyResults`
already holds; none computes a statistic of its own (reshaping, sampling for
display and matplotlib's box-plot quartiles aside). Single-panel functions take
``ax=None`` and return the :class:`~matplotlib.axes.Axes`; multi-panel ones take
``fig=None`` and return the :class:`~matplotlib.figure.Figure`.

:func:`render_figures` turns them into inline SVG for the report, with alt text
and a caption, through the registry :data:`FIGURES`.

Notes
-----
Only the object-oriented API is used (``matplotlib.figure.Figure``, never
``pyplot``), so no figure is registered in global state and nothing needs a
display. Style (font, sizes, SVG settings) is applied with
``matplotlib.rc_context`` under a lock, since rcParams are process-global.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .schema import by_name

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .pipeline import StudyResults

__all__ = [
    "CLASS_COLORS",
    "CLASS_LABELS",
    "FIGURES",
    "FIGURE_WIDTH",
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
#: Width of every full-width figure, inches (A4 text column).
FIGURE_WIDTH = 6.3
#: Scatter plots show at most this many films (a seeded random sample beyond).
MAX_POINTS = 5000
#: Scatters with more points than this are rasterized in the SVG (size).
_RASTER_POINTS = 1000
#: Map panels (process and decision maps) overlay at most this many films or conditions each
#: (a seeded random sample beyond, said in the figure): more only hides the map and inflates the file.
MAX_OVERLAY = 300
#: Map overlays with more points than this (per panel) are rasterized in the SVG (size).
_RASTER_OVERLAY = 100

_NEUTRAL = "#0072B2"  # Okabe–Ito blue: non-class data (PCA bars)
_INK = "#333333"
_FONT = "DejaVu Sans"
#: SVG text kept as text (font-family 'DejaVu Sans', sans-serif): WeasyPrint renders and
#: embeds it with DejaVu Sans; about half the size of glyph paths, and searchable.
_SVG_FONTTYPE = "none"
_RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [_FONT],
    "font.size": 8.0,
    "axes.titlesize": 9.0,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 8.0,
    "legend.title_fontsize": 8.0,
    "figure.titlesize": 9.0,
    "figure.labelsize": 8.0,
    "axes.titlepad": 4.0,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.2,
    "legend.frameon": False,
    "mathtext.default": "regular",
    "axes.unicode_minus": True,
    "image.interpolation": "nearest",
    "savefig.dpi": 150,
    "figure.dpi": 100,
    "svg.fonttype": _SVG_FONTTYPE,
    "svg.hashsalt": "ssereport",
    "svg.image_inline": True,
    "path.simplify": True,
}
_LOCK = threading.RLock()


def _styled(func: Callable) -> Callable:
    """Run ``func`` with the package style (under a lock: rcParams are process-global)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import matplotlib

        with _LOCK, matplotlib.rc_context(_RC):
            return func(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------- helpers

def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    return _new_figure(*size).add_subplot()


def _label(name: str) -> str:
    return by_name(name).axis_label


def _symbol(name: str) -> str:
    return by_name(name).symbol


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sci_formatter(vmax: float):
    """Tick labels ``2×10⁻⁴`` with one exponent for the whole axis (plain text, no mathtext)."""
    from matplotlib.ticker import FuncFormatter

    exp = int(np.floor(np.log10(abs(vmax)))) if vmax and np.isfinite(vmax) else 0

    def fmt(x, _pos=None):
        if x == 0:
            return "0"
        m = x / 10.0**exp
        mant = f"{m:.2f}".rstrip("0").rstrip(".")
        return f"{mant}×10{str(exp).translate(_SUPERSCRIPT)}" if exp else mant

    return FuncFormatter(fmt)


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


def _class_handles(classes: Iterable[int], *, marker: str = "o", edge: str | None = None):
    from matplotlib.lines import Line2D

    return [Line2D([], [], linestyle="none", marker=marker, markersize=6, markerfacecolor=CLASS_COLORS[c],
                   markeredgecolor=edge or CLASS_COLORS[c], markeredgewidth=0.6, label=CLASS_LABELS[c])
            for c in classes]


def _grid(n: int, max_cols: int) -> tuple[int, int]:
    ncols = min(n, max_cols)
    return -(-n // ncols), ncols


def _check_classes(labels: Iterable[int]) -> None:
    unknown = sorted({int(c) for c in labels} - set(CLASS_COLORS))
    if unknown:
        raise ValueError(f"figures draw classes {sorted(CLASS_COLORS)}; got class(es) {unknown}")


# --------------------------------------------------------------------------- PCA

@_styled
def plot_scree(results: StudyResults, *, ax: Axes | None = None) -> Axes:
    """Explained variance of each principal component (bars) and its cumulative share (line).

    The variance threshold and the number of components kept are marked.
    """
    p = results.pca
    ax = _axes(ax, (FIGURE_WIDTH, 2.8))
    ratio = 100 * np.asarray(p.explained_variance_ratio, dtype=float)
    cum = 100 * np.asarray(p.cumulative, dtype=float)
    k = int(p.n_components_used)
    x = np.arange(1, len(ratio) + 1)
    colors = [_NEUTRAL if i < k else "#A6CEE3" for i in range(len(ratio))]
    bars = ax.bar(x, ratio, width=0.65, color=colors, label="explained variance of the component")
    tall = ratio >= 12  # label inside tall bars, clear of the cumulative line
    ax.bar_label(bars, labels=[f"{v:.1f}" if t else "" for v, t in zip(ratio, tall)], label_type="center",
                 color="white", fontsize=8)
    ax.bar_label(bars, labels=["" if t else f"{v:.1f}" for v, t in zip(ratio, tall)], padding=1.5, fontsize=8)
    ax.plot(x, cum, color=_INK, marker="o", markersize=3.5, label="cumulative explained variance")
    thr = 100 * p.variance_threshold
    ax.axhline(thr, color=_INK, linestyle="--", linewidth=0.8)
    ax.text(len(ratio) + 0.45, thr - 1.5, f"{thr:g} % threshold", ha="right", va="top", fontsize=8)
    ax.axvline(k + 0.5, color=_INK, linestyle=":", linewidth=0.9)
    ax.text(k + 0.6, 48, f"{k} PC{'s' if k != 1 else ''} used\n({cum[k - 1]:.1f} % of variance)",
            ha="left", va="center", fontsize=8)
    ax.set_xticks(x, [f"PC{i}" for i in x])
    ax.set_xlim(0.4, len(ratio) + 0.6)
    ax.set_ylim(0, 108)
    ax.set_xlabel("principal component")
    ax.set_ylabel("explained variance (%)")
    ax.legend(loc="center right", bbox_to_anchor=(1.0, 0.68))
    return ax


def _spread(y: np.ndarray, gap: float) -> np.ndarray:
    """Move label heights apart (in order) so that neighbours are at least ``gap`` apart."""
    y = np.asarray(y, dtype=float).copy()
    order = np.argsort(y)
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


@_styled
def plot_correlation_circle(results: StudyResults, *, ax: Axes | None = None) -> Axes:
    """Correlation circle (paper Fig. 2a): each PCA feature as an arrow (PC1, PC2 loadings)."""
    from matplotlib.patches import Circle

    p = results.pca
    ax = _axes(ax, (4.6, 3.9))
    load = p.loadings.iloc[:, :2].to_numpy(dtype=float)
    ax.add_patch(Circle((0, 0), 1.0, fill=False, edgecolor="#888888", linewidth=0.8))
    ax.axhline(0, color="#BBBBBB", linewidth=0.6, zorder=0)
    ax.axvline(0, color="#BBBBBB", linewidth=0.6, zorder=0)
    for (lx, ly) in load:
        ax.annotate("", xy=(lx, ly), xytext=(0, 0),
                    arrowprops={"arrowstyle": "-|>", "color": _INK, "linewidth": 1.0,
                                "shrinkA": 0, "shrinkB": 0, "mutation_scale": 9})
    # labels just beyond the arrow tips; the two sides are de-overlapped vertically
    r = np.hypot(load[:, 0], load[:, 1])
    r = np.where(r > 0, r, 1.0)
    unit = load / r[:, None]
    pos = load + 0.09 * unit
    for i in range(len(pos)):  # a label lying on another arrow moves sideways, away from it
        for j in range(len(pos)):
            if i != j and _dist_to_segment(pos[i], load[j]) < 0.07:
                normal = np.array([-unit[i, 1], unit[i, 0]])
                side = np.sign(np.dot(pos[i] - load[j] * np.clip(np.dot(pos[i], load[j]) / np.dot(load[j], load[j]), 0, 1),
                                      normal)) or 1.0
                pos[i] = pos[i] + side * 0.1 * normal
    right = pos[:, 0] >= 0
    for side in (right, ~right):
        if side.any():
            pos[side, 1] = _spread(pos[side, 1], 0.085)
    for f, (tx, ty), (lx, _ly) in zip(p.features, pos, load):
        ax.text(tx, ty, _symbol(f), ha="left" if lx >= 0 else "right", va="center", fontsize=8.5,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.6})
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.15, 1.15)
    ax.set_aspect("equal")
    ax.set_xlabel(_pc_label(results, 0))
    ax.set_ylabel(_pc_label(results, 1))
    ax.set_xticks([-1, -0.5, 0, 0.5, 1])
    ax.set_yticks([-1, -0.5, 0, 0.5, 1])
    return ax


@_styled
def plot_pc_scatter(results: StudyResults, *, ax: Axes | None = None) -> Axes:
    """Films on PC1–PC2 coloured by class, class centroids marked (paper Fig. 2b).

    Beyond :data:`MAX_POINTS` films a seeded random sample is drawn, and the
    title says so.
    """
    from matplotlib.lines import Line2D

    ax = _axes(ax, (FIGURE_WIDTH, 3.6))
    scores = results.pca.scores.iloc[:, :2].to_numpy(dtype=float)
    labels = results.clusters.labels.to_numpy()
    _check_classes(labels)
    keep = _sample(len(labels), results.config.seed)
    for c in sorted(CLASS_COLORS):
        sel = keep[labels[keep] == c]
        n_all = int(np.sum(labels == c))
        if n_all == 0:
            continue
        ax.scatter(scores[sel, 0], scores[sel, 1], s=14, color=CLASS_COLORS[c], edgecolors="none",
                   alpha=0.85, label=f"{CLASS_LABELS[c]}, n = {n_all}", gid=f"class-{c}", clip_on=False,
                   rasterized=len(keep) > _RASTER_POINTS)
    cent = np.asarray(results.clusters.centroids, dtype=float)
    for i, (cx, cy) in enumerate(cent[:, :2]):
        ax.scatter([cx], [cy], s=80, marker="X", color=CLASS_COLORS[i + 1], edgecolors="black",
                   linewidths=0.9, zorder=3)
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], linestyle="none", marker="X", markersize=8, markerfacecolor="white",
                          markeredgecolor="black", label="class centroid"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    ax.axhline(0, color="#BBBBBB", linewidth=0.6, zorder=0)
    ax.axvline(0, color="#BBBBBB", linewidth=0.6, zorder=0)
    ax.set_xlabel(_pc_label(results, 0))
    ax.set_ylabel(_pc_label(results, 1))
    if len(keep) < len(labels):
        ax.set_title(f"random sample of {len(keep)} of {len(labels)} films shown", fontsize=8)
    return ax


@_styled
def plot_batch_pc_map(reference_results: StudyResults, batch_scores, batch_classes, *,
                      ax: Axes | None = None) -> Axes:
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
    ax = _axes(ax, (FIGURE_WIDTH, 3.6))
    ref = reference_results.pca.scores.iloc[:, :2].to_numpy(dtype=float)
    ref_cls = reference_results.clusters.labels.to_numpy()
    s = np.atleast_2d(np.asarray(batch_scores, dtype=float))
    cls = np.asarray(batch_classes).astype(int).ravel()
    if s.shape[1] < 2 or len(s) != len(cls):
        raise ValueError(f"batch_scores must be (n, ≥ 2) and batch_classes (n,); got {s.shape} and {cls.shape}")
    _check_classes(ref_cls)
    _check_classes(cls)
    keep = _sample(len(ref_cls), reference_results.config.seed)
    for c in sorted(CLASS_COLORS):
        sel = keep[ref_cls[keep] == c]
        if len(sel):
            ax.scatter(ref[sel, 0], ref[sel, 1], s=10, color=CLASS_COLORS[c], alpha=0.25, edgecolors="none",
                       clip_on=False, rasterized=len(keep) > _RASTER_POINTS)
    for c in sorted(CLASS_COLORS):
        sel = cls == c
        if sel.any():
            ax.scatter(s[sel, 0], s[sel, 1], s=36, marker="D", color=CLASS_COLORS[c], edgecolors="black",
                       linewidths=0.7, zorder=3, label=f"new films, {CLASS_LABELS[c]}: {int(sel.sum())}",
                       gid=f"batch-class-{c}")
    ax.scatter([], [], s=10, color="#999999", alpha=0.5, label=f"reference films (n = {len(ref_cls)})")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    ax.set_xlabel(_pc_label(reference_results, 0))
    ax.set_ylabel(_pc_label(reference_results, 1))
    return ax


# --------------------------------------------------------------------------- classes

@_styled
def plot_boxplots(results: StudyResults, *, fig: Figure | None = None) -> Figure:
    """σ and RD by class (paper Fig. 2c,d): box plots with the films jittered on top.

    Boxes are Tukey box plots (quartiles, whiskers to 1.5 IQR, as R's
    ``boxplot()``). Beyond :data:`MAX_POINTS` films a seeded sample is jittered.
    """
    from matplotlib.ticker import MaxNLocator

    fig = fig or _new_figure(FIGURE_WIDTH, 3.0)
    data = results.data
    labels = data["class"].to_numpy()
    _check_classes(labels)
    classes = [c for c in sorted(CLASS_COLORS) if np.any(labels == c)]
    keep = _sample(len(labels), results.config.seed)
    rng = np.random.default_rng(results.config.seed)
    jitter = rng.uniform(-0.17, 0.17, size=len(keep))
    axes = fig.subplots(1, 2)
    for ax, var in zip(axes, ("conductivity_s_cm", "rd")):
        values = data[var].to_numpy(dtype=float)
        bp = ax.boxplot([values[labels == c] for c in classes], positions=classes, widths=0.55,
                        patch_artist=True, showfliers=False,
                        medianprops={"color": _INK, "linewidth": 1.3},
                        whiskerprops={"color": _INK, "linewidth": 0.8},
                        capprops={"color": _INK, "linewidth": 0.8})
        for patch, c in zip(bp["boxes"], classes):
            patch.set_facecolor(CLASS_COLORS[c])
            patch.set_alpha(0.3)
            patch.set_edgecolor(_INK)
            patch.set_linewidth(0.8)
        for c in classes:
            sel = labels[keep] == c
            ax.scatter(c + jitter[sel], values[keep][sel], s=9, color=CLASS_COLORS[c], edgecolors="none",
                       alpha=0.9, zorder=3, gid=f"class-{c}-{var}", clip_on=False,
                       rasterized=len(keep) > _RASTER_POINTS)
        ax.set_xticks(classes, [f"Class {c}" for c in classes])
        ax.set_xlim(min(classes) - 0.6, max(classes) + 0.6)
        ax.set_ylabel(_label(var))
        ax.set_title(by_name(var).label)
        if var == "conductivity_s_cm":
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
            ax.yaxis.set_major_formatter(_sci_formatter(np.nanmax(values)))
    if len(keep) < len(labels):
        fig.suptitle(f"points: random sample of {len(keep)} of {len(labels)} films", fontsize=8)
    fig.legend(handles=_class_handles(classes), loc="outside lower center", ncols=len(classes))
    return fig


# --------------------------------------------------------------------------- process maps

def _conditions(results: StudyResults, level: float | None = None):
    """Distinct (L:S, X:B) conditions of the films, of one P% level or of all."""
    d = results.data
    if level is not None:
        d = d[np.isclose(d["polymer_wt_pct"].to_numpy(dtype=float), level)]
    return d[["ls_ratio", "xylene_vol_pct"]].drop_duplicates()


@_styled
def plot_process_maps(results: StudyResults, variable: str, *, fig: Figure | None = None) -> Figure:
    """A film property over L:S × X:B, one filled-contour panel per observed P% level.

    Panels share one colour scale and colourbar; the films' conditions are
    dotted; NaN (outside the films' convex hull) is left blank.
    """
    from matplotlib.ticker import MaxNLocator

    m = results.maps
    if variable not in m.values:
        raise ValueError(f"no process map for {variable!r}; expected one of {sorted(m.values)}")
    vals = np.asarray(m.values[variable], dtype=float)
    levels_p = m.polymer_levels
    nrows, ncols = _grid(len(levels_p), 2 if len(levels_p) <= 4 else 4)
    fig = fig or _new_figure(FIGURE_WIDTH, 1.0 + 2.15 * nrows)
    if fig.get_layout_engine() is not None:  # room between panels: "1.4" and "0.6" tick labels must not touch
        fig.get_layout_engine().set(wspace=0.06)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
    finite = vals[np.isfinite(vals)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if vmax <= vmin:
        vmax = vmin + 1.0
    bounds = MaxNLocator(nbins=9, steps=[1, 2, 2.5, 5, 10]).tick_values(vmin, vmax)
    cs = None
    sampled = False
    for i, (ax, p) in enumerate(zip(axes, levels_p)):
        z = np.ma.masked_invalid(vals[i])
        if z.count():
            cs = ax.contourf(m.ls, m.xb, z, levels=bounds, cmap="viridis", extend="neither")
            cs.set_rasterized(True)
        films = _conditions(results, p)
        shown = _overlay(films, results.config.seed)
        sampled = sampled or len(shown) < len(films)
        ax.scatter(shown["ls_ratio"], shown["xylene_vol_pct"], s=7 if len(shown) == len(films) else 3,
                   color="white", edgecolors="black", linewidths=0.5 if len(shown) == len(films) else 0.3,
                   zorder=3, clip_on=False, rasterized=len(shown) > _RASTER_OVERLAY)
        n = m.n_films[i]
        ax.set_title(f"{_level(p)} (n = {n})")
        ax.set_xlim(m.ls[0], m.ls[-1])
        ax.set_ylim(m.xb[0], m.xb[-1])
    for ax in axes[len(levels_p):]:
        ax.set_visible(False)
    if sampled:
        fig.suptitle(f"dots: film conditions, a random sample of at most {MAX_OVERLAY} per panel", fontsize=8)
    n = len(levels_p)
    for i, ax in enumerate(axes[:n]):
        if i + ncols >= n:  # nothing drawn below this panel
            ax.set_xlabel(_label("ls_ratio"))
            ax.xaxis.set_tick_params(labelbottom=True)
        if i % ncols == 0:
            ax.set_ylabel(_label("xylene_vol_pct"))
    if cs is not None:
        cb = fig.colorbar(cs, ax=list(axes[: len(levels_p)]), shrink=0.9, aspect=30)
        cb.set_label(_label(variable))
        if variable == "conductivity_s_cm":
            cb.formatter = _sci_formatter(vmax)
            cb.update_ticks()
    return fig


@_styled
def plot_dot_mean(results: StudyResults, *, ax: Axes | None = None) -> Axes:
    """DoT averaged over the P% levels, over L:S × X:B (paper Fig. 3)."""
    from matplotlib.ticker import MaxNLocator

    m = results.maps
    ax = _axes(ax, (FIGURE_WIDTH, 3.4))
    z = np.ma.masked_invalid(np.asarray(m.dot_mean, dtype=float))
    if z.count():
        bounds = MaxNLocator(nbins=10, steps=[1, 2, 2.5, 5, 10]).tick_values(float(z.min()), float(z.max()))
        cs = ax.contourf(m.ls, m.xb, z, levels=bounds, cmap="viridis")
        cs.set_rasterized(True)
        ax.contour(m.ls, m.xb, z, levels=bounds, colors="white", linewidths=0.4, alpha=0.6)
        cb = ax.figure.colorbar(cs, ax=ax, aspect=25)
        cb.set_label(f"mean {_label('dot_um')}")
    cond = _conditions(results)
    shown = _overlay(cond, results.config.seed)
    full = len(shown) == len(cond)
    ax.scatter(shown["ls_ratio"], shown["xylene_vol_pct"], s=8 if full else 3, color="white", edgecolors="black",
               linewidths=0.5 if full else 0.3, zorder=3, clip_on=False, label="film conditions",
               rasterized=len(shown) > _RASTER_OVERLAY)
    ax.set_xlim(m.ls[0], m.ls[-1])
    ax.set_ylim(m.xb[0], m.xb[-1])
    ax.set_xlabel(_label("ls_ratio"))
    ax.set_ylabel(_label("xylene_vol_pct"))
    ax.set_title("DoT averaged over " + ", ".join(f"{p:g}" for p in m.polymer_levels)
                 + f" {by_name('polymer_wt_pct').unit}"
                 + ("" if full else f"; dots: a random sample of {len(shown)} of {len(cond)} film conditions"),
                 fontsize=8)
    return ax


# --------------------------------------------------------------------------- classifier

@_styled
def plot_oversampling(results: StudyResults, *, ax: Axes | None = None) -> Axes:
    """Class counts of the training films before and after random oversampling (paper Fig. S6)."""
    from matplotlib.patches import Patch

    k = results.classifier
    ax = _axes(ax, (FIGURE_WIDTH, 2.8))
    classes = list(k.labels)
    _check_classes(classes)
    x = np.arange(len(classes))
    w = 0.38
    before = [k.counts_before.get(c, 0) for c in classes]
    after = [k.counts_after.get(c, 0) for c in classes]
    colors = [CLASS_COLORS[c] for c in classes]
    b1 = ax.bar(x - w / 2, before, width=w, color=colors, alpha=0.45, edgecolor=_INK, linewidth=0.6,
                hatch="///", label="before oversampling")
    b2 = ax.bar(x + w / 2, after, width=w, color=colors, edgecolor=_INK, linewidth=0.6,
                label="after oversampling")
    ax.bar_label(b1, padding=1.5, fontsize=8)
    ax.bar_label(b2, padding=1.5, fontsize=8)
    ax.set_xticks(x, [CLASS_LABELS[c].replace(" (", "\n(") for c in classes])
    ax.set_ylabel("training films (count)")
    ax.set_ylim(0, max(before + after) * 1.18)
    ax.legend(handles=[Patch(facecolor="#BBBBBB", edgecolor=_INK, hatch="///", label="before oversampling"),
                       Patch(facecolor="#555555", edgecolor=_INK, label="after oversampling")],
              loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, borderaxespad=0.2)
    return ax


@_styled
def plot_confusion(results: StudyResults, *, ax: Axes | None = None) -> Axes:
    """Confusion matrix of the SVM on the test films: rows actual, columns predicted, counts in cells."""
    k = results.classifier
    ax = _axes(ax, (3.6, 3.0))
    cm = np.asarray(k.confusion_matrix)
    classes = list(k.labels)
    im = ax.imshow(cm, cmap="Blues", vmin=0, vmax=max(int(cm.max()), 1))
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            dark = cm[i, j] > 0.55 * cm.max()
            ax.text(j, i, str(int(cm[i, j])), ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    ax.set_xticks(range(len(classes)), [f"Class {c}" for c in classes])
    ax.set_yticks(range(len(classes)), [f"Class {c}" for c in classes])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("actual class")
    ax.spines[:].set_visible(False)
    cb = ax.figure.colorbar(im, ax=ax, shrink=0.85)
    cb.set_label("test films (count)")
    ax.set_title(f"test films: n = {int(cm.sum())}", fontsize=8)
    return ax


@_styled
def plot_decision_maps(results: StudyResults, *, fig: Figure | None = None) -> Figure:
    """Class predicted by the SVM over L:S × X:B, one panel per P% level (paper Fig. 4).

    Observed levels show their films, coloured by class; levels without films
    are the model's interpolation and are titled so.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    d = results.decision_map
    classes = sorted(CLASS_COLORS)
    _check_classes(np.unique(d.predicted))
    cmap = ListedColormap([CLASS_COLORS[c] for c in classes])
    norm = BoundaryNorm(np.arange(min(classes) - 0.5, max(classes) + 1.5), cmap.N)
    n = len(d.polymer_levels)
    nrows, ncols = _grid(n, 4)
    fig = fig or _new_figure(FIGURE_WIDTH, 0.9 + 1.75 * nrows)
    if fig.get_layout_engine() is not None:  # the panel titles must not run into each other
        fig.get_layout_engine().set(wspace=0.1)
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    films_all = results.data
    sampled = False
    for i, (ax, p, obs) in enumerate(zip(axes, d.polymer_levels, d.observed)):
        pred = np.asarray(d.predicted[i], dtype=float)
        ax.pcolormesh(d.ls, d.xb, pred, cmap=cmap, norm=norm, alpha=0.35, shading="nearest",
                      edgecolors="none", rasterized=True)
        for c in classes[:-1]:  # class boundaries: indicator of every class but the last, at 0.5
            ind = (pred == c).astype(float)
            if 0 < ind.sum() < ind.size:
                ax.contour(d.ls, d.xb, ind, levels=[0.5], colors=_INK, linewidths=0.6)
        if obs:
            films = films_all[np.isclose(films_all["polymer_wt_pct"].to_numpy(dtype=float), p)]
            n_level = len(films)
            films = _overlay(films, results.config.seed)
            sampled = sampled or len(films) < n_level
            cls = films["class"].to_numpy()
            for c in classes:
                sel = cls == c
                if sel.any():
                    ax.scatter(films["ls_ratio"].to_numpy()[sel], films["xylene_vol_pct"].to_numpy()[sel],
                               s=13, color=CLASS_COLORS[c], edgecolors=_INK, linewidths=0.6, zorder=3,
                               gid=f"class-{c}-level-{i + 1}", clip_on=False,
                               rasterized=len(films) > _RASTER_OVERLAY)
        ax.set_title(f"{_level(p)} ({'observed' if obs else 'interpolated'})", fontsize=7.5)
        ax.set_xlim(d.ls[0], d.ls[-1])
        ax.set_ylim(d.xb[0], d.xb[-1])
        ax.tick_params(labelsize=8)
    for ax in axes[n:]:
        ax.set_visible(False)
    for i, ax in enumerate(axes[:n]):
        if i + ncols >= n:
            ax.set_xlabel(_label("ls_ratio"))
        if i % ncols == 0:
            ax.set_ylabel(_label("xylene_vol_pct"))
    handles = [(Patch(facecolor=CLASS_COLORS[c], alpha=0.35, edgecolor="none"),
                Line2D([], [], linestyle="none", marker="o", markersize=5, markerfacecolor=CLASS_COLORS[c],
                       markeredgecolor=_INK, markeredgewidth=0.6)) for c in classes]
    fig.legend(handles=handles, labels=[CLASS_LABELS[c] for c in classes],
               handler_map={tuple: HandlerTuple(ndivide=None, pad=0.4)}, loc="outside lower center",
               ncols=len(classes), title="shading: predicted class; dots: films of the observed levels"
               + (f" (a random sample of at most {MAX_OVERLAY} per panel)" if sampled else ""))
    return fig


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
        Alt text: what the figure shows, with its key numbers.
    caption : str
        One-sentence caption naming the units.
    """

    key: str
    svg: str
    alt: str
    caption: str


@dataclass(frozen=True)
class FigureSpec:
    """How to draw and describe one figure of the registry."""

    key: str
    draw: Callable[[StudyResults], Any]
    alt: Callable[[StudyResults], str]
    caption: Callable[[StudyResults], str]


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
        return (f"Filled contour maps of {col.label.lower()} ({col.symbol}) over L:S (µL/mg) and X:B (vol%), "
                f"one panel per polymer content, with the films' conditions as dots. Range per panel: {per}.")
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
    FigureSpec("scree", lambda r: plot_scree(r).figure, _alt_scree,
               lambda r: f"Explained variance (%) of each principal component and its cumulative share; "
                         f"the first {r.pca.n_components_used} components, which explain "
                         f"{_pct(r.pca.cumulative[r.pca.n_components_used - 1])} (threshold "
                         f"{r.pca.variance_threshold * 100:g} %), are used for the classes."),
    FigureSpec("correlation_circle", lambda r: plot_correlation_circle(r).figure, _alt_circle,
               lambda r: "Correlation circle (cf. paper Fig. 2a): correlation (dimensionless, −1 to 1) of each "
                         "standardized film variable with PC1 and PC2."),
    FigureSpec("pc_scatter", lambda r: plot_pc_scatter(r).figure, _alt_scatter,
               lambda r: "Films on the first two principal components (dimensionless scores), coloured by the "
                         "K-means class, centroids marked (cf. paper Fig. 2b)."),
    FigureSpec("boxplots", lambda r: plot_boxplots(r), _alt_box,
               lambda r: "Ionic conductivity σ (S/cm) and relative thickness deviation RD (dimensionless) by "
                         "class, boxes from quartiles with whiskers to 1.5 IQR (cf. paper Fig. 2c,d)."),
    FigureSpec("process_maps_thickness", lambda r: plot_process_maps(r, "thickness_um"), _alt_maps("thickness_um"),
               lambda r: f"Film thickness (µm) interpolated over L:S (µL/mg) and X:B (vol%) at P = "
                         f"{_level_list(r.maps.polymer_levels)} (cf. paper Movie S1)."),
    FigureSpec("process_maps_dot", lambda r: plot_process_maps(r, "dot_um"), _alt_maps("dot_um"),
               lambda r: f"Deviation of thickness DoT (µm) interpolated over L:S (µL/mg) and X:B (vol%) at P = "
                         f"{_level_list(r.maps.polymer_levels)} (cf. paper Movie S2)."),
    FigureSpec("process_maps_sigma", lambda r: plot_process_maps(r, "conductivity_s_cm"),
               _alt_maps("conductivity_s_cm"),
               lambda r: f"Ionic conductivity σ (S/cm) interpolated over L:S (µL/mg) and X:B (vol%) at P = "
                         f"{_level_list(r.maps.polymer_levels)} (cf. paper Movie S3)."),
    FigureSpec("dot_mean", lambda r: plot_dot_mean(r).figure, _alt_dot_mean,
               lambda r: f"Deviation of thickness DoT (µm) averaged over P = {_level_list(r.maps.polymer_levels)}, "
                         f"over L:S (µL/mg) and X:B (vol%) (cf. paper Fig. 3)."),
    FigureSpec("oversampling", lambda r: plot_oversampling(r).figure, _alt_oversampling,
               lambda r: "Number of training films per class before and after random oversampling of the "
                         "minority classes (cf. paper Fig. S6)."),
    FigureSpec("confusion", lambda r: plot_confusion(r).figure, _alt_confusion,
               lambda r: "Confusion matrix of the linear SVM on the held-out test films (counts of films; rows "
                         "actual class, columns predicted class)."),
    FigureSpec("decision_maps", lambda r: plot_decision_maps(r), _alt_decision,
               lambda r: "Quality class predicted by the linear SVM over L:S (µL/mg) and X:B (vol%) for each "
                         "polymer content P (wt%), observed levels with their films (cf. paper Fig. 4)."),
)}

_ID = re.compile(r'\bid="([^"]+)"')


def _prefix_ids(svg: str, prefix: str) -> str:
    """Prefix every element id (and its references) so several SVGs can share one HTML page."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg

    def ref(m: re.Match) -> str:
        name = m.group(2)
        return f"{m.group(1)}#{prefix}{name}" if name in ids else m.group(0)

    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'(xlink:href="|href="|url\()#([^")\s]+)', ref, svg)
    return svg


def _to_svg(fig: Figure, key: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    start = text.find("<svg")
    if start < 0:  # pragma: no cover
        raise RuntimeError(f"matplotlib wrote no <svg> element for figure {key!r}")
    return _prefix_ids(text[start:].strip(), f"{key}-")


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
    Output is deterministic: the same results give byte-identical SVG (no date,
    fixed hash salt, seeded sampling). Every figure is closed after saving.
    """
    import matplotlib

    keys = list(FIGURES) if keys is None else list(keys)
    unknown = [k for k in keys if k not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure key(s) {unknown}; expected any of {list(FIGURES)}")
    out: dict[str, FigureOutput] = {}
    for key in keys:
        spec = FIGURES[key]
        with _LOCK, matplotlib.rc_context({**_RC, "svg.hashsalt": f"ssereport-{key}"}):
            fig = spec.draw(results)
            try:
                svg = _to_svg(fig, key)
            finally:
                fig.clear()
        out[key] = FigureOutput(key=key, svg=svg, alt=spec.alt(results), caption=spec.caption(results))
    return out
