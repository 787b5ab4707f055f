"""Figures of a batch report and of the report index, from a saved reference model only.

A batch report has no :class:`~ssereport.pipeline.StudyResults`, only the
:class:`~ssereport.model.ReferenceModel` and the
:class:`~ssereport.batch.BatchResult`; these functions draw from those two
(and the index's control charts from :class:`~ssereport.analysis.control.ControlChart`
objects). Styling, colours and the SVG export are those of :mod:`ssereport.figures`.

Nothing here computes a statistic: the class regions (nearest centroid) and the
decision maps (``model.predict``) are evaluated on a coarse display grid, and
every limit drawn comes from the model, the spec or the chart object.

Notes
-----
The grids are drawn with ``imshow`` (one small embedded PNG per panel) rather
than contours, so a batch report renders in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .figures import (
    _INK,
    _LOCK,
    _RC,
    CLASS_COLORS,
    CLASS_LABELS,
    FIGURE_WIDTH,
    FigureOutput,
    _check_classes,
    _grid,
    _label,
    _sci_formatter,
    _styled,
    _to_svg,
)
from .report.filters import fmt_num

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .analysis.control import ControlChart
    from .batch import BatchResult
    from .model import ReferenceModel

__all__ = [
    "GRID",
    "plot_against_class1",
    "plot_control_chart",
    "plot_decision_panels",
    "plot_pc_map",
    "render_batch_figures",
    "render_control_figures",
]

#: Width of the index's control charts, inches (a screen page, wider than the A4 column).
INDEX_WIDTH = 9.0
#: Points per axis of the display grids (class regions, decision maps).
GRID = 120
_SHADE_ALPHA = 0.30
_FAIL = "#B2182B"  # failing films / violations (with a distinct marker, never colour alone)
_BAND = "#DDDDDD"
_RULES = {1: "1 point beyond 3σ", 2: "2 of 3 beyond 2σ, same side", 3: "4 of 5 beyond 1σ, same side",
          4: "8 in a row on one side"}


def _new_figure(width: float, height: float, **adjust: float) -> Figure:
    """A figure with fixed margins (fractions of the figure); constrained layout would triple the drawing time."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(**adjust)
    return fig


def _text(s: object) -> str:
    """User text for a matplotlib label: ``$`` would start mathtext."""
    return str(s).replace("$", r"\$")


def _rgba(classes: np.ndarray, alpha: float = _SHADE_ALPHA) -> np.ndarray:
    """An RGBA image of class colours (white where the class is unknown)."""
    from matplotlib.colors import to_rgba

    img = np.ones(classes.shape + (4,))
    for c, col in CLASS_COLORS.items():
        img[classes == c] = to_rgba(col, alpha)
    return img


def _film_markers(ax: Axes, x, y, classes, passed, *, size: float = 34, gid: str = "films") -> None:
    """Films coloured by observed class; passing films as circles, failing ones as crosses (X)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    classes, passed = np.asarray(classes, dtype=int), np.asarray(passed, dtype=bool)
    for c in sorted(CLASS_COLORS):
        for ok, marker in ((True, "o"), (False, "X")):
            sel = (classes == c) & (passed == ok)
            if sel.any():
                ax.scatter(x[sel], y[sel], s=size * (1.3 if not ok else 1.0), marker=marker,
                           color=CLASS_COLORS[c], edgecolors="black", linewidths=0.6, zorder=4,
                           clip_on=False, gid=f"{gid}-class-{c}-{'pass' if ok else 'fail'}")


def _film_legend(classes: Sequence[int], any_fail: bool, any_pass: bool):
    """Legend: one colour per class (shading and markers share it), then the marker shapes."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], linestyle="none", marker="o", markersize=6.5, markerfacecolor=CLASS_COLORS[c],
                      markeredgecolor="black", markeredgewidth=0.5, label=CLASS_LABELS[c]) for c in sorted(classes)]
    if any_pass:
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=6, markerfacecolor="white",
                              markeredgecolor="black", label="film passes"))
    if any_fail:
        handles.append(Line2D([], [], linestyle="none", marker="X", markersize=7, markerfacecolor="white",
                              markeredgecolor="black", label="film fails"))
    return handles


def _limits(lo: float, hi: float, values: np.ndarray, pad: float = 0.06) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    a, b = min(lo, float(v.min())) if len(v) else lo, max(hi, float(v.max())) if len(v) else hi
    span = (b - a) or 1.0
    return a - pad * span, b + pad * span


# --------------------------------------------------------------------------- batch figures

@_styled
def plot_pc_map(model: ReferenceModel, result: BatchResult, *, ax: Axes | None = None) -> Axes:
    """The batch films on the reference PC1–PC2 map.

    Shading: the class of the nearest reference centroid in the PC1–PC2 plane
    (an approximation of the class regions, which use all retained components).
    Centroids are marked with their class number; films are coloured by their
    observed class, circles pass, crosses fail.
    """
    from matplotlib.lines import Line2D

    if ax is None:
        ax = _new_figure(FIGURE_WIDTH, 3.2, left=0.09, right=0.64, bottom=0.14, top=0.97).add_subplot()
    cent = np.asarray(model.centroids, dtype=float)[:, :2]
    s = np.asarray(result.scores, dtype=float)[:, :2]
    f = result.films
    _check_classes(f["observed_class"])
    pts = np.vstack([cent, s])
    x0, x1 = _limits(pts[:, 0].min(), pts[:, 0].max(), pts[:, 0], pad=0.12)
    y0, y1 = _limits(pts[:, 1].min(), pts[:, 1].max(), pts[:, 1], pad=0.12)
    gx, gy = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID))
    d = (gx[..., None] - cent[:, 0]) ** 2 + (gy[..., None] - cent[:, 1]) ** 2
    region = d.argmin(axis=-1) + 1
    ax.imshow(_rgba(region), origin="lower", extent=(x0, x1, y0, y1), aspect="auto", interpolation="nearest",
              zorder=0)
    for i, (cx, cy) in enumerate(cent):
        ax.scatter([cx], [cy], s=110, marker="P", color=CLASS_COLORS[i + 1], edgecolors="black", linewidths=0.8,
                   zorder=3)
        ax.annotate(str(i + 1), (cx, cy), xytext=(6, 5), textcoords="offset points", fontsize=8,
                    fontweight="bold", color=_INK, zorder=5)
    _film_markers(ax, s[:, 0], s[:, 1], f["observed_class"], f["pass"])
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("PC1 score in the reference PCA (dimensionless)")
    ax.set_ylabel("PC2 score (dimensionless)")
    handles = _film_legend(CLASS_COLORS, bool((~f["pass"]).any()), bool(f["pass"].any()))
    handles.append(Line2D([], [], linestyle="none", marker="P", markersize=8, markerfacecolor="white",
                          markeredgecolor="black", label="reference class centroid"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax


def _levels(result: BatchResult) -> list[float]:
    return sorted({float(p) for p in result.films["polymer_wt_pct"]})


@_styled
def plot_decision_panels(model: ReferenceModel, result: BatchResult, *, fig: Figure | None = None) -> Figure:
    """Class predicted by the reference SVM over L:S × X:B at each P% of the batch, films overlaid.

    The shaded grid spans the reference range of L:S and X:B; films outside it
    fall on the white margin (extrapolation).
    """
    import pandas as pd

    levels = _levels(result)
    nrows, ncols = _grid(len(levels), 3)
    if fig is None:
        if ncols > 1:
            h = 1.15 + 1.9 * nrows
            fig = _new_figure(FIGURE_WIDTH, h, left=0.09, right=0.98, top=1 - 0.3 / h, bottom=1.15 / h,
                              wspace=0.08, hspace=0.25)
        else:
            fig = _new_figure(FIGURE_WIDTH * 0.85, 2.5, left=0.12, right=0.6, top=0.9, bottom=0.17)
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    (l0, l1), (b0, b1) = model.ranges["ls_ratio"], model.ranges["xylene_vol_pct"]
    ls, xb = np.linspace(l0, l1, GRID), np.linspace(b0, b1, GRID)
    gx, gy = np.meshgrid(ls, xb)
    dl, db = (ls[1] - ls[0]) / 2, (xb[1] - xb[0]) / 2
    f = result.films
    fx, fy = f["ls_ratio"].to_numpy(dtype=float), f["xylene_vol_pct"].to_numpy(dtype=float)
    xlim, ylim = _limits(l0 - dl, l1 + dl, fx, 0.03), _limits(b0 - db, b1 + db, fy, 0.03)
    p0, p1 = model.ranges["polymer_wt_pct"]
    for ax, p in zip(axes, levels):
        grid = pd.DataFrame({"polymer_wt_pct": p, "ls_ratio": gx.ravel(), "xylene_vol_pct": gy.ravel()})
        pred = np.asarray(model.predict(grid)[0]).reshape(gx.shape)
        ax.imshow(_rgba(pred, 0.40), origin="lower", extent=(l0 - dl, l1 + dl, b0 - db, b1 + db),
                  aspect="auto", interpolation="nearest", zorder=0)
        sel = np.isclose(f["polymer_wt_pct"].to_numpy(dtype=float), p)
        _film_markers(ax, fx[sel], fy[sel], f["observed_class"][sel], f["pass"][sel], size=28,
                      gid=f"level-{fmt_num(p, trim=True)}")
        outside = "" if p0 <= p <= p1 else ", extrapolation"
        ax.set_title(f"P = {fmt_num(p, trim=True)} wt% ({int(sel.sum())} film{'s' if sel.sum() != 1 else ''}"
                     f"{outside})", fontsize=8)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
    for ax in axes[len(levels):]:
        ax.set_visible(False)
    for i, ax in enumerate(axes[:len(levels)]):
        if i + ncols >= len(levels):
            ax.set_xlabel(_label("ls_ratio"))
        if i % ncols == 0:
            ax.set_ylabel(_label("xylene_vol_pct"))
    handles = _film_legend(CLASS_COLORS, bool((~f["pass"]).any()), bool(f["pass"].any()))
    title = "shading: class predicted\nby the SVM; markers: films\nby observed class"
    if ncols > 1:
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize=7.5,
                   title=title.replace("\n", " "))
    else:
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.62, 0.92), fontsize=7.5, title=title,
                   alignment="left")
    return fig


@_styled
def plot_against_class1(model: ReferenceModel, result: BatchResult, *, fig: Figure | None = None) -> Figure:
    """σ and RD of every film (x: film number in table order) against the reference class-1 films.

    Grey band: the 5th–95th percentile of the reference class-1 films; solid
    line: their median; dashed lines: their mean ± 3 SD; red dash-dot lines:
    the spec limits, when given.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    f = result.films
    spec = result.spec
    fig = fig or _new_figure(FIGURE_WIDTH, 3.3, left=0.13, right=0.98, top=0.92, bottom=0.34, wspace=0.34)
    axes = fig.subplots(1, 2)
    n = len(f)
    x = np.arange(1, n + 1)
    limits = {"conductivity_s_cm": [(spec.sigma_min, "spec minimum")], "rd": [(spec.rd_max, "spec maximum")]}
    any_spec = False
    for ax, var in zip(axes, ("conductivity_s_cm", "rd")):
        c1 = model.class1[var]
        y = f[var].to_numpy(dtype=float)
        ax.axhspan(c1["q05"], c1["q95"], color=_BAND, zorder=0, linewidth=0)
        ax.axhline(c1["median"], color=_INK, linewidth=1.0, zorder=1)
        for k in (-3, 3):
            ax.axhline(c1["mean"] + k * c1["sd"], color=_INK, linewidth=0.8, linestyle="--", zorder=1)
        for value, _name in limits[var]:
            if value is not None:
                any_spec = True
                ax.axhline(value, color=_FAIL, linewidth=1.1, linestyle="-.", zorder=2)
        _film_markers(ax, x, y, f["observed_class"], f["pass"], size=26, gid=var)
        lo = max(min(float(y.min()), c1["q05"], c1["mean"] - 3 * c1["sd"]), 0.0)
        hi = max(float(y.max()), c1["q95"], c1["mean"] + 3 * c1["sd"])
        for value, _name in limits[var]:
            if value is not None:
                lo, hi = min(lo, value), max(hi, value)
        span = hi - lo
        ax.set_ylim(max(lo - 0.08 * span, 0.0), hi + 0.08 * span)
        ax.set_xlim(0.3, n + 0.7)
        step = max(1, int(np.ceil(n / 12)))
        ax.set_xticks(x[::step])
        ax.set_xlabel("film number (row of the film table)")
        ax.set_ylabel(_label(var))
        ax.set_title("ionic conductivity" if var != "rd" else "relative thickness deviation", fontsize=8)
        if var == "conductivity_s_cm":
            ax.yaxis.set_major_formatter(_sci_formatter(hi))
    handles = [Patch(facecolor=_BAND, edgecolor="none", label="reference class 1: 5th–95th percentile"),
               Line2D([], [], color=_INK, linewidth=1.0, label="reference class 1: median"),
               Line2D([], [], color=_INK, linewidth=0.8, linestyle="--", label="reference class 1: mean ± 3 SD")]
    if any_spec:
        handles.append(Line2D([], [], color=_FAIL, linewidth=1.1, linestyle="-.", label="spec limit"))
    handles += _film_legend(sorted(set(f["observed_class"].astype(int))), bool((~f["pass"]).any()),
                            bool(f["pass"].any()))
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize=7.5)
    return fig


# --------------------------------------------------------------------------- control charts

@_styled
def plot_control_chart(chart: ControlChart, starts: Sequence[int], names: Sequence[str], *,
                       fig: Figure | None = None) -> Figure:
    """I-MR chart: individuals (top) and moving ranges (bottom) in time order.

    Parameters
    ----------
    chart : ControlChart
        From :func:`ssereport.analysis.control.imr_chart`; limits from the reference class-1 films.
    starts : sequence of int
        Index of the first film of each batch (a vertical rule is drawn before it).
    names : sequence of str
        Batch ids, labelling ``starts`` (thinned when there are many).
    """
    fig = fig or _new_figure(INDEX_WIDTH, 4.4, left=0.08, right=0.87, top=0.97, bottom=0.25, hspace=0.08)
    ax_i, ax_mr = fig.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    x = np.arange(len(chart.values))
    viol = np.array(sorted(chart.violations), dtype=int)
    sci = chart.variable == "conductivity_s_cm"
    ax_i.plot(x, chart.values, color="#7F7F7F", linewidth=0.6, zorder=1)
    ok = np.setdiff1d(x, viol)
    ax_i.scatter(x[ok], chart.values[ok], s=9, color="#0072B2", edgecolors="none", zorder=2, gid="in-control")
    if len(viol):
        ax_i.scatter(viol, chart.values[viol], s=26, marker="D", color=_FAIL, edgecolors="black", linewidths=0.4,
                     zorder=3, gid="violations")
    for y, style, lab in ((chart.center, "-", "CL"), (chart.ucl, "--", "UCL"), (chart.lcl, "--", "LCL")):
        ax_i.axhline(y, color=_INK, linestyle=style, linewidth=0.8)
        ax_i.annotate(f"{lab} {fmt_num(y)}", (1.0, y), xycoords=("axes fraction", "data"), xytext=(3, 0),
                      textcoords="offset points", va="center", fontsize=7, annotation_clip=False)
    mr_x = x[1:]
    ax_mr.plot(mr_x, chart.moving_range, color="#7F7F7F", linewidth=0.6, zorder=1)
    ax_mr.scatter(mr_x, chart.moving_range, s=7, color="#0072B2", edgecolors="none", zorder=2)
    above = chart.moving_range > chart.mr_ucl
    if above.any():
        ax_mr.scatter(mr_x[above], chart.moving_range[above], s=22, marker="D", color=_FAIL, edgecolors="black",
                      linewidths=0.4, zorder=3, gid="mr-above")
    for y, style, lab in ((chart.mr_center, "-", "MR̄"), (chart.mr_ucl, "--", "UCL")):
        ax_mr.axhline(y, color=_INK, linestyle=style, linewidth=0.8)
        ax_mr.annotate(f"{lab} {fmt_num(y)}", (1.0, y), xycoords=("axes fraction", "data"), xytext=(3, 0),
                       textcoords="offset points", va="center", fontsize=7, annotation_clip=False)
    for s in starts[1:]:
        for ax in (ax_i, ax_mr):
            ax.axvline(s - 0.5, color="#BBBBBB", linewidth=0.5, zorder=0)
    step = max(1, int(np.ceil(len(starts) / 24)))
    ax_mr.set_xticks(list(starts)[::step], [_text(n) for n in list(names)[::step]], rotation=60, ha="right",
                     rotation_mode="anchor", fontsize=7)
    ax_mr.set_xlim(-0.7, max(len(x) - 0.3, 0.7))
    hi = max(float(np.max(chart.values)) if len(x) else chart.ucl, chart.ucl)
    lo = min(float(np.min(chart.values)) if len(x) else chart.lcl, chart.lcl)
    span = hi - lo or 1.0
    ax_i.set_ylim(lo - 0.05 * span, hi + 0.05 * span)
    ax_mr.set_ylim(0, max(float(np.max(chart.moving_range)) if len(mr_x) else 0.0, chart.mr_ucl) * 1.08)
    ax_i.set_ylabel(_label(chart.variable))
    ax_mr.set_ylabel(f"moving range{' (' + _unit(chart.variable) + ')' if _unit(chart.variable) else ''}")
    ax_mr.set_xlabel("films in time order (tick: first film of each batch)")
    if sci:
        ax_i.yaxis.set_major_formatter(_sci_formatter(hi))
        ax_mr.yaxis.set_major_formatter(_sci_formatter(hi))
    return fig


def _unit(var: str) -> str:
    from .schema import by_name

    u = by_name(var).unit
    return "" if u in ("", "–") else u


# --------------------------------------------------------------------------- SVG output

def _svg(key: str, draw) -> str:
    import matplotlib

    with _LOCK, matplotlib.rc_context({**_RC, "svg.hashsalt": f"ssereport-{key}"}):
        fig = draw()
        fig = fig.figure if hasattr(fig, "figure") and not hasattr(fig, "savefig") else fig
        try:
            return _to_svg(fig, key)
        finally:
            fig.clear()


def _classes_text(counts: dict[str, int]) -> str:
    return ", ".join(f"class {c}: {n}" for c, n in counts.items())


def render_batch_figures(model: ReferenceModel, result: BatchResult) -> dict[str, FigureOutput]:
    """The three figures of a batch report as inline SVG with alt text and caption.

    Returns
    -------
    dict
        ``pc_map``, ``decision_maps``, ``class1`` -> :class:`~ssereport.figures.FigureOutput`.
    """
    f = result.films
    counts = result.counts
    fails = int((~f["pass"]).sum())
    levels = _levels(result)
    cent = "; ".join(f"class {i + 1} at ({fmt_num(c[0])}, {fmt_num(c[1])})"
                     for i, c in enumerate(np.asarray(model.centroids)[:, :2]))
    out = {}
    out["pc_map"] = FigureOutput(
        key="pc_map", svg=_svg("pc_map", lambda: plot_pc_map(model, result)),
        alt=(f"Map of the {len(f)} films of batch {result.batch_id} on the first two principal components of the "
             f"reference study, coloured by observed class ({_classes_text(counts['observed_class'])}); "
             f"{fails} failing film{'s' if fails != 1 else ''} drawn as crosses. Reference class centroids: {cent}."),
        caption="Films on the reference PC1–PC2 map (dimensionless scores). Shading: nearest reference class "
                "centroid in this plane (an approximation of the class regions); markers: films by observed class, "
                "circles pass, crosses fail.")
    shares = []
    for p in levels:
        sel = np.isclose(f["polymer_wt_pct"].to_numpy(dtype=float), p)
        pred = f["predicted_class"][sel]
        shares.append(f"P = {fmt_num(p, trim=True)} wt%: {int(sel.sum())} films, predicted "
                      + ", ".join(f"class {c} ×{int((pred == c).sum())}" for c in sorted(CLASS_COLORS)
                                  if (pred == c).any()))
    out["decision_maps"] = FigureOutput(
        key="decision_maps", svg=_svg("decision_maps", lambda: plot_decision_panels(model, result)),
        alt=("Decision maps of the reference SVM: predicted class over L:S (µL/mg) and X:B (vol%) within the "
             "reference range, one panel per binder content of the batch, with the films as markers in their "
             "observed-class colour. " + "; ".join(shares) + "."),
        caption="Class predicted from the manufacturing conditions by the reference SVM over L:S (µL/mg) × X:B "
                "(vol%), one panel per binder content P (wt%) of the batch; the shading covers the reference "
                "range, films on the white margin are extrapolations.")
    c1 = model.class1
    sig, rd = f["conductivity_s_cm"], f["rd"]
    out["class1"] = FigureOutput(
        key="class1", svg=_svg("class1", lambda: plot_against_class1(model, result)),
        alt=(f"Strip plots of σ (S/cm) and RD of the {len(f)} films against the reference class-1 films. Batch σ "
             f"from {fmt_num(float(sig.min()))} to {fmt_num(float(sig.max()))} S/cm, reference class-1 median "
             f"{fmt_num(c1['conductivity_s_cm']['median'])} S/cm (5th–95th percentile "
             f"{fmt_num(c1['conductivity_s_cm']['q05'])}–{fmt_num(c1['conductivity_s_cm']['q95'])}); batch RD from "
             f"{fmt_num(float(rd.min()))} to {fmt_num(float(rd.max()))}, reference class-1 median "
             f"{fmt_num(c1['rd']['median'])} ({fmt_num(c1['rd']['q05'])}–{fmt_num(c1['rd']['q95'])})."),
        caption="Ionic conductivity σ (S/cm) and relative thickness deviation RD (dimensionless) of each film "
                "(x: film number in the table) against the reference class-1 films: grey band 5th–95th "
                "percentile, solid line median, dashed lines mean ± 3 SD"
                + ("; red dash-dot lines: spec limits." if result.spec.has_limits else "."))
    return out


def render_control_figures(charts: dict[str, ControlChart], starts: Sequence[int],
                           names: Sequence[str]) -> dict[str, FigureOutput]:
    """I-MR charts of σ and RD across batches as inline SVG with alt text and caption."""
    out = {}
    for var, chart in charts.items():
        key = f"imr_{'sigma' if var == 'conductivity_s_cm' else var}"
        sym = "σ" if var == "conductivity_s_cm" else "RD"
        unit = _unit(var)
        u = f" {unit}" if unit else ""
        n_v = len(chart.violations)
        out[key] = FigureOutput(
            key=key, svg=_svg(key, lambda c=chart: plot_control_chart(c, starts, names)),
            alt=(f"Individuals and moving-range control chart of {sym}{' (' + unit + ')' if unit else ''} for "
                 f"{len(chart.values)} films of {len(starts)} batches in time order; center line "
                 f"{fmt_num(chart.center)}{u}, control limits {fmt_num(chart.lcl)} to {fmt_num(chart.ucl)}{u} "
                 f"from the reference class-1 films; {n_v} film{'s' if n_v != 1 else ''} break a Western Electric "
                 f"rule (red diamonds)."),
            caption=(f"I-MR chart of {sym}{' (' + unit + ')' if unit else ' (dimensionless)'}: individuals (top) "
                     f"with center line and ±3σ limits of the reference class-1 films, moving range of consecutive "
                     f"films (bottom); red diamonds: Western Electric rule violations; vertical rules separate "
                     f"batches."))
    return out


def rule_text(rule: int) -> str:
    """Short description of a Western Electric rule number."""
    return _RULES.get(int(rule), f"rule {rule}")

