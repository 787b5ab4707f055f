"""The study's figures on matplotlib: one function per figure, each drawing only what the results hold.

Single-panel figures take ``ax=None`` and return the :class:`~matplotlib.axes.Axes`
they drew on (as ``sklearn.metrics.ConfusionMatrixDisplay.plot(ax=None)`` and
pingouin's ``plot_*``); multi-panel figures take ``fig=None`` and return the
:class:`~matplotlib.figure.Figure`. Extra keyword arguments (``**style``) go
to the main data artist (``bar``, ``scatter``, ``contourf``, ...), so a
colour map or a marker size can be changed without copying the function.

Drawn inside ``matplotlib.rc_context(ssereport.theme.style())``: the report's
fonts, sizes and colours; without ``ax``/``fig`` each figure has the fixed
size and margins of its kind.

The module holds all fifteen public study figures (about 750 lines): each is
a short function, and keeping them together keeps their shared labels, ticks
and colours in one place next to their callers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import theme
from ..schema import by_name
from ._base import (CENTROID, check_classes, class_regions, frame_map_panel, label, map_panels, new_figure,
                    offset_transform, panel_grid, panel_title, pc_label, recipe_axes, ring_offsets, sample, single, symbol,
                    variable_label)
from ._base import themed as _themed

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..pipeline import StudyResults

__all__ = [
    "MAX_JITTER",
    "MAX_OVERLAY",
    "MAX_POINTS",
    "SHADE_ALPHA",
    "anova_interaction",
    "class_boxplots",
    "confusion_matrix",
    "correlation_circle",
    "decision_maps",
    "dot_mean_map",
    "kruskal_effects",
    "oversampling",
    "pc_map",
    "process_maps",
    "scree",
    "silhouette",
]

#: Scatter plots show at most this many films (a seeded random sample beyond, said in the figure).
MAX_POINTS = 5000
#: Box plots jitter at most this many films over the boxes (the boxes use every film).
MAX_JITTER = 2000
#: Map panels overlay at most this many films or conditions each (a seeded random sample beyond).
MAX_OVERLAY = 300
#: Opacity of the class colours that shade a decision map.
SHADE_ALPHA = 0.35

W = theme.FIGURE_WIDTH_IN
C = theme.COLORS
S = theme.SIZES
_DASH = (0, (5, 3))
_DOT = (0, (1.5, 2.5))


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _pc_label(results: StudyResults, i: int) -> str:
    return pc_label(i, float(results.pca.explained_variance_ratio[i]))


def _halo(width: float = 2.5) -> list:
    """A white outline around text, so lines behind it do not cross the letters."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground=C["paper"])]


# --------------------------------------------------------------------------- PCA

def scree(results: StudyResults, *, ax: Axes | None = None, **style: Any) -> Axes:
    """Explained variance of each principal component (bars) and its cumulative share (line).

    The variance threshold and the number of components kept are marked; the
    components not used for the classes are light, with their own legend entry.
    Every bar carries its value above it.

    Parameters
    ----------
    results : StudyResults
    ax : matplotlib.axes.Axes, optional
        Drawn on and returned; by default a new fixed-size figure.
    **style
        Passed to ``ax.bar``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import ssereport, ssereport.plots as sp
    >>> r = ssereport.analyze(ssereport.load_films("data/sse_films_reference.csv"))  # doctest: +SKIP
    >>> sp.scree(r).figure.savefig("scree.pdf")  # doctest: +SKIP
    """
    p = results.pca
    ratio = 100 * np.asarray(p.explained_variance_ratio, dtype=float)
    cum = 100 * np.asarray(p.cumulative, dtype=float)
    k, n = int(p.n_components_used), len(ratio)
    x = np.arange(1, n + 1)
    with _themed():
        fig, ax = single(ax, W, 3.0, left=0.6, right=0.12, top=0.12, bottom=0.5)
        from matplotlib.patches import Patch

        colors = [C["neutral"] if i < k else C["light"] for i in range(n)]
        bars = ax.bar(x, ratio, **{"width": 0.65, "color": colors, "label": "PC used for the classes",
                                   **style})
        # every value above its bar; the halo keeps it legible where the cumulative line passes behind it
        texts = ax.bar_label(bars, labels=[f"{v:.1f}" for v in ratio], padding=2.5, fontsize=S["tick"], zorder=4)
        for t in texts:
            t.set_path_effects(_halo(3.0))
        (line,) = ax.plot(x, cum, color=C["ink"], marker="o", markersize=3.5, linewidth=1.2, zorder=3,
                          label="cumulative explained variance")
        thr = 100 * p.variance_threshold
        ax.axhline(thr, color=C["ink"], linestyle=_DASH, linewidth=0.8)
        ax.annotate(f"{thr:g} % threshold", (n + 0.5, thr), xytext=(0, -3), textcoords="offset points",
                    ha="right", va="top")
        ax.axvline(k + 0.5, color=C["ink"], linestyle=_DOT, linewidth=0.9)
        y_note = max(48.0, float(ratio[k]) + 16 if k < n else 48.0)
        ax.annotate(f"{k} PC{'s' if k != 1 else ''} used\n({cum[k - 1]:.1f} % of variance)", (k + 0.5, y_note),
                    xytext=(4, 0), textcoords="offset points", ha="left", va="center")
        ax.set_xticks(x, [f"PC{i}" for i in x])
        ax.set_xlim(0.4, n + 0.6)
        ax.set_ylim(0, 108)
        ax.set_yticks(np.arange(0, 101, 20))
        ax.yaxis.grid(True)
        ax.set_axisbelow(True)
        ax.set_xlabel("principal component")
        ax.set_ylabel("explained variance (%)")
        handles = [bars]
        if k < n:
            handles.append(Patch(color=C["light"], label="PC not used for the classes"))
        ax.legend(handles=[*handles, line], loc="center right", bbox_to_anchor=(1.0, 0.42))
    return ax


def _anchor(angle: float) -> dict[str, str]:
    """Text alignment that makes a label grow away from the origin in direction ``angle`` (radians)."""
    c, s_ = np.cos(angle), np.sin(angle)
    return {"ha": "left" if c > 0.35 else "right" if c < -0.35 else "center",
            "va": "bottom" if s_ > 0.35 else "top" if s_ < -0.35 else "center"}


def _place_labels(ax, tips: np.ndarray, names: list[str], *, gap: float = 0.04) -> list[tuple]:
    """Positions of the correlation-circle labels: just beyond each arrow tip, clear of the other labels,
    the arrows and the unit circle; moved around the tip (then outside the circle) only where needed.

    Candidate anchors (radius, angle offset) are tried nearest to the tip first; a candidate
    is kept when the label's box, measured by the renderer, crosses no arrow, no other label and
    not the circle (``matplotlib.path.Path.intersects_bbox``, ``Bbox.overlaps``). Returns
    ``(x, y, angle, leader)`` per label: ``leader`` when it sits far enough from its tip to need a line.
    """
    from matplotlib.path import Path

    fig = ax.figure
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    to_data = ax.transData.inverted()
    circle = Path.circle((0.0, 0.0), 1.0)
    arrows = [Path([(0.0, 0.0), tuple(t)]) for t in tips]
    r = np.hypot(tips[:, 0], tips[:, 1])
    theta = np.arctan2(tips[:, 1], tips[:, 0])
    placed, out = [], [None] * len(tips)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for i in np.argsort(-r, kind="stable"):
        cands = [(rho, theta[i] + np.radians(d)) for rho in (r[i] + gap, 1.0 + gap, 1.1 + gap, 1.2 + gap)
                 for d in (0, 6, -6, 12, -12, 18, -18, 24, -24, 32, -32) if rho >= r[i] + gap]
        cands.sort(key=lambda c: np.hypot(c[0] * np.cos(c[1]) - tips[i, 0], c[0] * np.sin(c[1]) - tips[i, 1]))
        for rho, ang in cands:
            x, y = rho * np.cos(ang), rho * np.sin(ang)
            t = ax.text(x, y, names[i], fontsize=S["label"], **_anchor(ang))
            box = t.get_window_extent(renderer).expanded(1.08, 1.1).transformed(to_data)
            t.remove()
            if (x0 <= box.x0 and box.x1 <= x1 and y0 <= box.y0 and box.y1 <= y1
                    and not circle.intersects_bbox(box, filled=False)
                    and not any(a.intersects_bbox(box, filled=False) for a in arrows)
                    and not any(box.overlaps(b) for b in placed)):
                break
        placed.append(box)
        out[i] = (x, y, ang, bool(np.hypot(x - tips[i, 0], y - tips[i, 1]) > 0.13))
    return out


def correlation_circle(results: StudyResults, *, ax: Axes | None = None, **style: Any) -> Axes:
    """Correlation circle (paper Fig. 2a): each PCA variable as an arrow to its (PC1, PC2) loadings.

    Each label sits just beyond its arrow tip, in white-haloed text; where
    that spot would cross another arrow, label or the unit circle, the label
    moves around the tip (or outside the circle) and a thin leader line joins
    it to its arrow. ``**style`` goes to the arrows' ``arrowprops``.
    """
    p = results.pca
    load = p.loadings.iloc[:, :2].to_numpy(dtype=float)
    names = [symbol(f) for f in p.features]
    with _themed():
        from matplotlib.patches import Circle

        fig, ax = single(ax, 6.0, 4.4, left=0.65, right=0.1, top=0.1, bottom=0.55)
        ax.add_patch(Circle((0, 0), 1.0, fill=False, edgecolor=C["circle-line"], linewidth=0.8))
        ax.axhline(0, color=C["zero"], linewidth=0.6)
        ax.axvline(0, color=C["zero"], linewidth=0.6)
        arrow = {"arrowstyle": "-|>", "color": C["ink"], "linewidth": 1.0, "shrinkA": 0, "shrinkB": 0,
                 "mutation_scale": 9, **style}
        for lx, ly in load:
            ax.annotate("", xy=(lx, ly), xytext=(0, 0), arrowprops=arrow)
        ticks = [-1, -0.5, 0, 0.5, 1]
        ax.set_xticks(ticks)
        ax.set_yticks(ticks)
        ax.set_xlim(-1.6, 1.6)
        ax.set_ylim(-1.25, 1.25)
        ax.set_aspect("equal", adjustable="box")
        ax.spines[["top", "right"]].set_visible(True)
        ax.set_xlabel(_pc_label(results, 0))
        ax.set_ylabel(_pc_label(results, 1))
        leader = {"arrowstyle": "-", "color": C["muted"], "linewidth": 0.6, "shrinkA": 1.5, "shrinkB": 1.0}
        for (lx, ly), name, (tx, ty, ang, lead) in zip(load, names, _place_labels(ax, load, names)):
            ax.annotate(name, xy=(lx, ly), xytext=(tx, ty), textcoords="data", fontsize=S["label"],
                        path_effects=_halo(), arrowprops=leader if lead else None, **_anchor(ang))
    return ax


def pc_map(results: StudyResults, *, ax: Axes | None = None, **style: Any) -> Axes:
    """Films on PC1–PC2 coloured by class, class centroids marked (paper Fig. 2b).

    Beyond :data:`MAX_POINTS` films a seeded random sample is drawn and the
    title says so. ``**style`` goes to the films' ``scatter``.
    """
    scores = results.pca.scores.iloc[:, :2].to_numpy(dtype=float)
    labels = results.clusters.labels.to_numpy()
    check_classes(labels)
    keep = sample(len(labels), results.config.seed, MAX_POINTS)
    cent = np.asarray(results.clusters.centroids, dtype=float)[:, :2]
    with _themed():
        fig, ax = single(ax, W, 3.65, left=0.65, right=2.75, top=0.25, bottom=0.5)
        for k in sorted(theme.CLASS_COLORS):
            n_k = int(np.sum(labels == k))
            sel = keep[labels[keep] == k]
            if n_k:
                ax.scatter(scores[sel, 0], scores[sel, 1], **{"s": 14, "color": theme.CLASS_COLORS[k],
                                                              "alpha": 0.85, "linewidths": 0,
                                                              "label": f"{theme.CLASS_LABELS[k]}, n = {n_k}",
                                                              **style})
        ax.scatter(cent[:, 0], cent[:, 1], **{**CENTROID, "s": 1.3 * CENTROID["s"]},
                   c=[theme.CLASS_COLORS[i + 1] for i in range(len(cent))], edgecolors=C["title-ink"],
                   label="class centroid", zorder=3)
        ax.axhline(0, color=C["zero"], linewidth=0.6, zorder=0)
        ax.axvline(0, color=C["zero"], linewidth=0.6, zorder=0)
        ax.grid(True)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(True)
        ax.set_xlabel(_pc_label(results, 0))
        ax.set_ylabel(_pc_label(results, 1))
        if len(keep) < len(labels):
            ax.set_title(f"random sample of {len(keep)} of {len(labels)} films shown", fontsize=S["note"])
        leg = ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
        leg.legend_handles[-1].set_facecolor(C["paper"])
    return ax


# --------------------------------------------------------------------------- classes

def class_boxplots(results: StudyResults, *, fig: Figure | None = None, **style: Any) -> Figure:
    """σ and RD by class (paper Fig. 2c,d): Tukey box plots with the films jittered on top.

    Notes
    -----
    ``Axes.boxplot(whis=1.5)``: quartiles by linear interpolation (R
    ``quantile(type = 7)``), whiskers to the furthest film within 1.5 IQR, as
    R's ``boxplot(range = 1.5)``. Beyond :data:`MAX_JITTER` films a seeded sample
    is jittered; the boxes use every film. ``**style`` goes to the jitter ``scatter``.
    """
    data = results.data
    labels = data["class"].to_numpy()
    check_classes(labels)
    classes = [k for k in sorted(theme.CLASS_COLORS) if np.any(labels == k)]
    keep = sample(len(labels), results.config.seed, MAX_JITTER)
    jitter = np.random.default_rng(results.config.seed).uniform(-0.17, 0.17, size=len(keep))
    with _themed():
        from matplotlib.patches import Patch

        if fig is None:
            fig = new_figure(W, 3.3, left=0.7, right=0.1, top=0.45, bottom=0.55, wspace=0.85, ncols=2)
        axes = fig.subplots(1, 2)
        for ax, var in zip(axes, ("conductivity_s_cm", "rd")):
            values = data[var].to_numpy(dtype=float)
            groups = [values[labels == k] for k in classes]
            box = ax.boxplot(groups, positions=classes, widths=0.55, whis=1.5, showfliers=False, patch_artist=True,
                             medianprops={"color": C["ink"], "linewidth": 1.6},
                             whiskerprops={"color": C["ink"], "linewidth": 0.8},
                             capprops={"color": C["ink"], "linewidth": 0.8},
                             boxprops={"edgecolor": C["ink"], "linewidth": 0.8})
            for patch, k in zip(box["boxes"], classes):
                patch.set_facecolor(theme.CLASS_COLORS[k])
                patch.set_alpha(0.3)
            for k in classes:
                sel = labels[keep] == k
                ax.scatter(k + jitter[sel], values[keep][sel], **{"s": 9, "color": theme.CLASS_COLORS[k],
                                                                  "alpha": 0.9, "linewidths": 0, "zorder": 3,
                                                                  **style})
            ax.set_xticks(classes, [f"Class {k}" for k in classes])
            ax.set_xlim(min(classes) - 0.6, max(classes) + 0.6)
            variable_label(ax.yaxis, var, values)
            ax.set_title(by_name(var).label)
            ax.yaxis.grid(True)
            ax.set_axisbelow(True)
        handles = [Patch(facecolor=theme.CLASS_COLORS[k], label=theme.CLASS_LABELS[k]) for k in classes]
        fig.legend(handles=handles, loc="lower center", ncols=len(handles), bbox_to_anchor=(0.5, 0.0))
        if len(keep) < len(labels):
            fig.suptitle(f"points: random sample of {len(keep)} of {len(labels)} films", fontsize=S["note"],
                         y=0.99)
    return fig


def silhouette(results: StudyResults, *, ax: Axes | None = None, **style: Any) -> Axes:
    """Silhouette width of every film by class, sorted, with the mean silhouette of the results.

    Notes
    -----
    The per-film widths are ``sklearn.metrics.silhouette_samples`` on the
    retained PC scores (R: ``cluster::silhouette``), for display; the dashed
    line is ``results.clusters.silhouette``. Beyond :data:`MAX_POINTS` films
    a seeded random sample is shown. ``**style`` goes to ``fill_betweenx``.
    """
    from sklearn.metrics import silhouette_samples

    cl = results.clusters
    x = results.pca.scores.iloc[:, :cl.n_components].to_numpy(dtype=float)
    labels = cl.labels.to_numpy()
    check_classes(labels)
    keep = sample(len(labels), results.config.seed, MAX_POINTS)
    s = silhouette_samples(x[keep], labels[keep])
    lab = labels[keep]
    with _themed():
        fig, ax = single(ax, W, 3.2, left=0.8, right=0.12, top=0.3, bottom=0.5)
        y0, centres, names = 0, [], []
        for k in sorted(theme.CLASS_COLORS):
            v = np.sort(s[lab == k])
            if not len(v):
                continue
            y = np.arange(y0, y0 + len(v))
            ax.fill_betweenx(y, 0, v, **{"color": theme.CLASS_COLORS[k], "linewidth": 0,
                                         "label": f"{theme.CLASS_LABELS[k]}, n = {len(v)}", **style})
            centres.append(y0 + len(v) / 2)
            names.append(f"Class {k}")
            y0 += len(v) + max(2, len(s) // 50)
        ax.axvline(cl.silhouette, color=C["ink"], linestyle=_DASH, linewidth=0.9,
                   label=f"mean silhouette {cl.silhouette:.2f}")
        ax.axvline(0, color=C["zero"], linewidth=0.6)
        ax.set_yticks(centres, names)
        ax.set_ylim(-1, y0)
        ax.set_xlim(min(-0.1, float(s.min()) - 0.05), 1.0)
        ax.set_xlabel("silhouette width (dimensionless, −1 to 1)")
        ax.set_ylabel("films, sorted within class")
        ax.legend(loc="lower right")
        if len(keep) < len(labels):
            ax.set_title(f"random sample of {len(keep)} of {len(labels)} films", fontsize=S["note"])
    return ax


def kruskal_effects(results: StudyResults, *, ax: Axes | None = None, **style: Any) -> Axes:
    """Kruskal–Wallis effect size ε² of each variable between the classes, with H and p.

    Bars of variables with p ≤ α are dark, the others light. ``**style`` goes
    to ``barh``. Numbers from ``results.kruskal`` (R: ``kruskal.test`` and
    ``rcompanion::epsilonSquared``).
    """
    from matplotlib.patches import Patch

    from ..format import fmt_p

    kw = results.kruskal.sort_values("epsilon_squared")
    alpha = results.config.alpha
    sig = kw["p_value"].to_numpy(dtype=float) <= alpha
    eps = kw["epsilon_squared"].to_numpy(dtype=float)
    names = [f"{by_name(v).label} {by_name(v).symbol}" if by_name(v).symbol.lower() != by_name(v).label.lower()
             else by_name(v).label for v in kw["variable"]]
    y = np.arange(len(kw))
    with _themed():
        fig, ax = single(ax, W, 0.8 + 0.26 * len(kw), left=2.5, right=0.15, top=0.3, bottom=0.45)
        ax.barh(y, eps, **{"height": 0.65, "color": [C["neutral"] if s_ else C["light"] for s_ in sig], **style})
        for yi, e, h, p in zip(y, eps, kw["statistic" if "statistic" in kw else "H"], kw["p_value"]):
            ax.annotate(f"H = {h:.1f}, {fmt_p(p)}", (e, yi), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=S["tick"])
        ax.set_yticks(y, names)
        ax.set_xlim(0, 1.5 * max(float(eps.max()), 0.05))  # room for the H, p notes at 9 pt
        ax.set_xlabel("ε² (Kruskal–Wallis effect size, dimensionless)")
        ax.set_ylabel("variable compared between the classes")
        ax.xaxis.grid(True)
        ax.set_axisbelow(True)
        ax.legend(handles=[Patch(color=C["neutral"], label=f"p ≤ {alpha:g}"),
                           Patch(color=C["light"], label=f"p > {alpha:g}")],
                  loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, borderaxespad=0.2)
    return ax


def anova_interaction(results: StudyResults, *, ax: Axes | None = None, **style: Any) -> Axes:
    """Interaction plot of the ANOVA: mean response against one factor, one line per level of the other.

    The model is ``results.anova.formula`` (``log(rd) ~ xylene_vol_pct * ls_ratio``);
    the title gives the interaction term's F and p from ``results.anova.table``.
    A factor with more than 6 distinct values is cut into quartiles for the lines.

    Notes
    -----
    ``statsmodels.graphics.factorplots.interaction_plot`` (R:
    ``interaction.plot``). ``**style`` goes to it.
    """
    import pandas as pd
    from statsmodels.graphics.factorplots import interaction_plot

    from ..format import fmt_p

    a = results.anova
    lhs, rhs = (t.strip() for t in a.formula.split("~", 1))
    trace_var, x_var = (t.strip() for t in rhs.split("*", 1))
    log = lhs.startswith("log(")
    resp_var = lhs[4:-1] if log else lhs
    d = results.data
    response = np.log(d[resp_var].to_numpy(dtype=float)) if log else d[resp_var].to_numpy(dtype=float)
    trace = d[trace_var]
    if trace.nunique() > 6:
        trace = pd.qcut(trace, 4, duplicates="drop").astype(str)
    x = d[x_var]
    if x.nunique() > 12:
        x = pd.qcut(x, 6, duplicates="drop").apply(lambda iv: iv.mid).astype(float)
    levels = sorted(pd.unique(trace))
    from matplotlib import colormaps

    colors = [colormaps["viridis"](v) for v in np.linspace(0.0, 0.85, len(levels))]
    markers = ["o", "s", "D", "^", "v", "P"][: len(levels)]
    with _themed():
        fig, ax = single(ax, W, 3.2, left=0.65, right=1.45, top=0.3, bottom=0.5)
        interaction_plot(x.to_numpy(), trace.to_numpy(), response, ax=ax, colors=colors, markers=markers,
                         xlabel=label(x_var), ylabel=f"log({symbol(resp_var)})" if log else label(resp_var),
                         legendtitle=label(trace_var), **{"ms": 4, **style})
        leg = ax.get_legend()
        if leg is not None:
            leg.remove()
        ax.legend(title=label(trace_var), loc="upper left", bbox_to_anchor=(1.02, 1.0))
        row = a.table[a.table["term"] == f"{trace_var}:{x_var}"]
        if len(row):
            f, p = float(row["F"].iloc[0]), float(row["p_value"].iloc[0])
            ax.set_title(f"interaction {symbol(trace_var)} × {symbol(x_var)}: F = {f:.2f}, {fmt_p(p)}")
        ax.yaxis.grid(True)
        ax.set_axisbelow(True)
    return ax


# --------------------------------------------------------------------------- process maps

def _range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return (vmin, vmax) if vmax > vmin else (vmin, vmin + (abs(vmin) * 0.1 or 1.0))


def _conditions(results: StudyResults, level: float | None = None):
    d = results.table.data  # the films' conditions only (no class needed: maps are drawn before the classes)
    if level is not None:
        d = d[np.isclose(d["polymer_wt_pct"].to_numpy(dtype=float), level)]
    return d[["ls_ratio", "xylene_vol_pct"]].drop_duplicates()


def _overlay(frame, seed: int):
    return frame if len(frame) <= MAX_OVERLAY else frame.iloc[sample(len(frame), seed, MAX_OVERLAY)]


def _map_panel(ax, ls, xb, z, levels, norm, cmap, style) -> Any:
    """One continuous map: filled contours (rasterized) with white contour lines; NaN shows the grey face."""
    ax.set_facecolor(C["nan-fill"])
    if not np.isfinite(z).any():
        ax.text(0.5, 0.5, "no surface (too few conditions)", transform=ax.transAxes, ha="center", va="center",
                color=C["muted"])
        return None
    zm = np.ma.masked_invalid(z)
    cs = ax.contourf(ls, xb, zm, **{"levels": levels, "cmap": cmap, "norm": norm, "extend": "neither",
                                    "rasterized": True, **style})
    ax.contour(ls, xb, zm, levels=levels[1:-1], colors=[C["paper"]], linewidths=0.5, alpha=0.75)
    return cs


def _dots(ax, frame, full: bool) -> None:
    ax.scatter(frame["ls_ratio"].to_numpy(dtype=float), frame["xylene_vol_pct"].to_numpy(dtype=float),
               s=12 if full else 5, facecolors=C["paper"], edgecolors=C["title-ink"],
               linewidths=0.6 if full else 0.4, zorder=3, clip_on=False, label="film conditions")


def process_maps(results: StudyResults, variable: str, *, fig: Figure | None = None, **style: Any) -> Figure:
    """A film property over L:S × X:B, one panel per observed P% level (paper Movies S1–S3).

    Panels share one colour scale (viridis) and colour bar; white contour
    lines at the colour levels; the films' conditions as dots; grey where the
    interpolation has no value (outside the conditions' convex hull).

    Notes
    -----
    ``Axes.contourf``/``Axes.contour`` over the grid of ``results.maps``
    (R: ``filled.contour``). ``**style`` goes to ``contourf``.
    """
    import matplotlib as mpl

    m = results.maps
    if variable not in m.values:
        raise ValueError(f"no process map for {variable!r}; expected one of {sorted(m.values)}")
    vals = np.asarray(m.values[variable], dtype=float)
    n = len(m.polymer_levels)
    nrows, ncols = panel_grid(n, 2 if n <= 4 else 4)
    vmin, vmax = _range(vals)
    shown = [_conditions(results, p) for p in m.polymer_levels]
    overlays = [_overlay(f, results.config.seed) for f in shown]
    sampled = any(len(o) < len(f) for o, f in zip(overlays, shown))
    with _themed():
        from matplotlib.ticker import MaxNLocator

        levels = MaxNLocator(nbins=10).tick_values(vmin, vmax)
        norm = mpl.colors.Normalize(levels[0], levels[-1])
        cmap = mpl.colormaps[style.pop("cmap", "viridis")]
        own = fig is None
        if own:
            top = 0.3 + (0.18 if sampled else 0.0)
            pw = (W - 0.6 - 1.15 - 0.3 * (ncols - 1)) / ncols
            ph = pw * (0.78 if ncols <= 2 else 0.9)
            height = top + nrows * ph + (nrows - 1) * 0.35 + 0.48
            fig = new_figure(W, height, left=0.6, right=1.15, top=top, bottom=0.48, wspace=0.3, hspace=0.35,
                             nrows=nrows, ncols=ncols)
        axes = map_panels(fig, n, nrows, ncols)
        for i, ax in enumerate(axes):
            _map_panel(ax, m.ls, m.xb, vals[i], levels, norm, cmap, style)
            _dots(ax, overlays[i], len(overlays[i]) == len(shown[i]))
            ax.set_title(panel_title(m.polymer_levels[i], int(m.n_films[i])))
            frame_map_panel(ax, i, n, ncols, (m.ls[0], m.ls[-1]), (m.xb[0], m.xb[-1]))
        sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        if own:
            top_y = axes[0].get_position().y1
            bottom_y = min(a.get_position().y0 for a in axes[:n])
            cax = fig.add_axes((1 - 1.0 / W, bottom_y, 0.13 / W, top_y - bottom_y))
            cb = fig.colorbar(sm, cax=cax, ticks=levels)
        else:
            cb = fig.colorbar(sm, ax=list(axes[:n]), ticks=levels)
        variable_label(cb.ax.yaxis, variable, levels)  # σ (10⁻⁴ S/cm): the factor in the label
        if sampled:
            fig.suptitle(f"dots: film conditions, a random sample of at most {MAX_OVERLAY} per panel",
                         fontsize=S["note"], y=0.995)
    return fig


def dot_mean_map(results: StudyResults, *, ax: Axes | None = None, **style: Any) -> Axes:
    """DoT averaged over the P% levels, over L:S × X:B (paper Fig. 3), with its colour bar.

    ``**style`` goes to ``contourf``.
    """
    import matplotlib as mpl
    from matplotlib.ticker import MaxNLocator

    m = results.maps
    z = np.asarray(m.dot_mean, dtype=float)
    vmin, vmax = _range(z)
    cond = _conditions(results)
    shown = _overlay(cond, results.config.seed)
    full = len(shown) == len(cond)
    with _themed():
        own = ax is None
        fig, ax = single(ax, W, 3.6, left=0.6, right=1.15, top=0.3, bottom=0.48)
        levels = MaxNLocator(nbins=10).tick_values(vmin, vmax)
        norm = mpl.colors.Normalize(levels[0], levels[-1])
        cmap = mpl.colormaps[style.pop("cmap", "viridis")]
        cs = _map_panel(ax, m.ls, m.xb, z, levels, norm, cmap, style)
        _dots(ax, shown, full)
        ax.set_xlim(m.ls[0], m.ls[-1])
        ax.set_ylim(m.xb[0], m.xb[-1])
        ax.spines[["top", "right"]].set_visible(True)
        recipe_axes(ax, (m.ls[0], m.ls[-1]), (m.xb[0], m.xb[-1]))
        ax.set_title("DoT averaged over " + ", ".join(f"{p:g}" for p in m.polymer_levels)
                     + f" {by_name('polymer_wt_pct').unit}"
                     + ("" if full else f"; dots: a random sample of {len(shown)} of {len(cond)} film conditions"))
        if cs is not None:
            if own:
                box = ax.get_position()
                cax = fig.add_axes((1 - 1.0 / W, box.y0, 0.13 / W, box.height))
                fig.colorbar(cs, cax=cax, label=f"mean {label('dot_um')}", ticks=levels)
            else:
                fig.colorbar(cs, ax=ax, label=f"mean {label('dot_um')}", ticks=levels)
    return ax


# --------------------------------------------------------------------------- classifier

def oversampling(results: StudyResults, *, ax: Axes | None = None, **style: Any) -> Axes:
    """Training films per class before and after random oversampling (paper Fig. S6).

    ``**style`` goes to both ``bar`` calls.
    """
    from matplotlib.patches import Patch

    k = results.classifier
    classes = list(k.labels)
    check_classes(classes)
    x = np.arange(len(classes), dtype=float)
    w = 0.38
    before = [int(k.counts_before.get(c, 0)) for c in classes]
    after = [int(k.counts_after.get(c, 0)) for c in classes]
    colors = [theme.CLASS_COLORS[c] for c in classes]
    with _themed(**{"hatch.color": C["ink"], "hatch.linewidth": 0.5}):
        fig, ax = single(ax, W, 3.2, left=0.6, right=0.12, top=0.35, bottom=0.65)
        b1 = ax.bar(x - w / 2, before, **{"width": w, "color": colors, "alpha": 0.45, "hatch": "////",
                                          "edgecolor": C["ink"], "linewidth": 0.5, **style})
        b2 = ax.bar(x + w / 2, after, **{"width": w, "color": colors, "edgecolor": C["ink"], "linewidth": 0.5,
                                         **style})
        ax.bar_label(b1, padding=2)
        ax.bar_label(b2, padding=2)
        ax.set_xticks(x, [theme.CLASS_LABELS[c].replace(" (", "\n(") for c in classes])
        ax.set_ylim(0, max(before + after + [1]) * 1.12)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.yaxis.grid(True)
        ax.set_axisbelow(True)
        ax.set_ylabel("training films (count)")
        ax.set_xlabel("quality class")
        ax.legend(handles=[Patch(facecolor=C["zero"], edgecolor=C["ink"], hatch="////", linewidth=0.5,
                                 label="before oversampling"),
                           Patch(facecolor=C["muted"], edgecolor=C["ink"], linewidth=0.5, label="after oversampling")],
                  loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, borderaxespad=0.2)
    return ax


def confusion_matrix(results: StudyResults, *, ax: Axes | None = None, **style: Any) -> Axes:
    """Confusion matrix of the SVM on the test films: rows actual, columns predicted, counts in cells.

    Notes
    -----
    ``sklearn.metrics.ConfusionMatrixDisplay(...).plot(ax=ax, cmap="Blues")``
    on ``results.classifier.confusion_matrix`` (R: ``caret::confusionMatrix``);
    ``**style`` goes to that ``plot`` call.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    k = results.classifier
    cm = np.asarray(k.confusion_matrix)
    with _themed():
        fig, ax = single(ax, 4.2, 3.45, left=0.75, right=0.2, top=0.3, bottom=0.5)
        disp = ConfusionMatrixDisplay(cm, display_labels=[f"Class {c}" for c in k.labels])
        disp.plot(ax=ax, **{"cmap": "Blues", "colorbar": True, "values_format": "d",
                            "text_kw": {"fontsize": S["cell"]}, **style})
        ax.set_xlabel("predicted class")
        ax.set_ylabel("actual class")
        ax.set_title(f"test films: n = {int(cm.sum())}")
        if disp.im_.colorbar is not None:
            disp.im_.colorbar.set_label("test films (count)")
            disp.im_.colorbar.ax.yaxis.get_major_locator().set_params(integer=True)
    return ax


def decision_maps(results: StudyResults, *, fig: Figure | None = None, legend_extra: Sequence[tuple[Any, str]] = (),
                  **style: Any) -> Figure:
    """Class predicted by the SVM over L:S × X:B, one panel per P% level (paper Fig. 4).

    Each class region is filled in its colour (``contourf`` of the class
    indicator at 0.5, so boundaries are smooth, not grid steps) and outlined
    (the same contour, as R's ``contour``). Observed levels show their films
    in their class colour, films of one recipe side by side in a ring around
    it (every film visible); other levels are the model's interpolation and
    are titled so. ``legend_extra``: (handle, label) pairs the legend lists
    after the classes (what a caller draws on the panels, e.g.
    :func:`ssereport.plots.suggest.suggestion_maps`' points), in rows of three;
    a figure made here is as much taller as the rows they add. ``**style``
    goes to the films' ``scatter``.
    """
    import math

    from matplotlib.lines import Line2D

    d = results.decision_map
    check_classes(np.unique(d.predicted))
    n = len(d.polymer_levels)
    nrows, ncols = panel_grid(n, 4)
    classes = sorted(theme.CLASS_COLORS)
    films_all = results.data
    overlays, counts, sampled = [], [], False
    for p, obs in zip(d.polymer_levels, d.observed):
        if not obs:
            overlays.append(None)
            counts.append(0)
            continue
        films = films_all[np.isclose(films_all["polymer_wt_pct"].to_numpy(dtype=float), p)]
        shown = _overlay(films, results.config.seed)
        sampled = sampled or len(shown) < len(films)
        overlays.append(shown)
        counts.append(len(films))
    narrow = ncols > 2  # titles on two lines
    with _themed():
        if fig is None:
            top, hspace = (0.45, 0.5) if narrow else (0.28, 0.35)
            pw = (W - 0.65 - 0.15 - 0.4 * (ncols - 1)) / ncols
            ph = pw * (0.82 if narrow else 0.7)
            legend_rows = math.ceil((len(classes) + len(legend_extra)) / 3)
            bottom = 1.05 + 0.24 * (legend_rows - 1)
            height = top + nrows * ph + (nrows - 1) * hspace + bottom
            fig = new_figure(W, height, left=0.65, right=0.15, top=top, bottom=bottom, wspace=0.4, hspace=hspace,
                             nrows=nrows, ncols=ncols)
        axes = map_panels(fig, n, nrows, ncols)
        for i, ax in enumerate(axes):
            class_regions(ax, d.ls, d.xb, d.predicted[i], d.margin[i], alpha=SHADE_ALPHA)
            films = overlays[i]
            if films is not None:
                cls = films["class"].to_numpy()
                fx = films["ls_ratio"].to_numpy(dtype=float)
                fy = films["xylene_vol_pct"].to_numpy(dtype=float)
                off = ring_offsets(fx, fy, spacing=4.0)
                for c in classes:
                    for dx, dy in np.unique(off[cls == c], axis=0):
                        sel = (cls == c) & (off[:, 0] == dx) & (off[:, 1] == dy)
                        ax.scatter(fx[sel], fy[sel], **{"s": 11, "color": theme.CLASS_COLORS[c], "edgecolors": C["ink"],
                                                        "linewidths": 0.5, "zorder": 3, "clip_on": False,
                                                        "transform": offset_transform(ax, dx, dy), **style})
                title = panel_title(d.polymer_levels[i], counts[i])
            else:
                title = panel_title(d.polymer_levels[i], note="interpolated")
            ax.set_title(title.replace(" (", "\n(") if narrow else title)
            frame_map_panel(ax, i, n, ncols, (d.ls[0], d.ls[-1]), (d.xb[0], d.xb[-1]))
        handles = [Line2D([], [], marker="s", linestyle="none", markersize=9, markerfacecolor=theme.CLASS_COLORS[c],
                          markeredgecolor="none", alpha=SHADE_ALPHA + 0.15, label=theme.CLASS_LABELS[c])
                   for c in classes]
        handles += [h for h, _ in legend_extra]
        labels = [h.get_label() for h in handles[:len(classes)]] + [text for _, text in legend_extra]
        title = ("shading: predicted class; lines: class boundaries;\ndots: films of the observed levels, "
                 "films of one recipe side by side around it"
                 + (f" (a random sample of at most {MAX_OVERLAY} per panel)" if sampled else ""))
        fig.legend(handles=handles, labels=labels, loc="lower center", ncols=3, title=title,
                   title_fontsize=S["legend"], bbox_to_anchor=(0.5, 0.0))
    return fig
