"""Figures of a batch report and of the report index, from a saved reference model only.

A batch report has no :class:`~ssereport.pipeline.StudyResults`, only the
:class:`~ssereport.model.ReferenceModel` and the
:class:`~ssereport.batch.BatchResult`; these functions draw from those two
(and the index's control charts from :class:`~ssereport.analysis.control.ControlChart`
objects). Colours, text sizes and the SVG writer are those of
:mod:`ssereport.figures` and :mod:`ssereport.svgplot`.

Nothing here computes a statistic: the class regions (nearest centroid) and the
decision maps (``model.predict``) are evaluated for display only, and every
limit drawn comes from the model, the spec or the chart object.

Notes
-----
The nearest-centroid regions are exact polygons (the Voronoi cells of the
centroids clipped to the plot); the decision maps are a :data:`GRID` ×
:data:`GRID` raster of ``model.predict`` drawn with crisp cell edges. One
batch's three figures take a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import svgplot as sp
from .figures import (
    _BOTTOM,
    _INK,
    _LABEL,
    _LEGEND,
    _PAD,
    _TICK,
    _TITLE,
    CLASS_COLORS,
    CLASS_LABELS,
    FIGURE_WIDTH,
    FigureOutput,
    _axes_frame,
    _check_classes,
    _grid,
    _label,
    _left_margin,
    _panel_gap,
    _ticks,
)
from .report.filters import fmt_num
from .svgplot import Axes, Canvas, LegendEntry

if TYPE_CHECKING:  # pragma: no cover
    from .analysis.control import ControlChart
    from .batch import BatchResult
    from .model import ReferenceModel

__all__ = [
    "GRID",
    "INDEX_WIDTH",
    "plot_against_class1",
    "plot_control_chart",
    "plot_decision_panels",
    "plot_pc_map",
    "render_batch_figures",
    "render_control_figures",
    "rule_text",
]

#: Width of the index's control charts, px (a screen page, wider than the A4 column).
INDEX_WIDTH = 860
#: Points per axis of the decision-map rasters.
GRID = 120
_SHADE_ALPHA = 0.30
_MAP_ALPHA = 0.40
_FAIL = "#B2182B"  # failing films / violations (with a distinct marker, never colour alone)
_BAND = "#DDDDDD"
_POINT = "#0072B2"
_RULES = {1: "1 point beyond 3σ", 2: "2 of 3 beyond 2σ, same side", 3: "4 of 5 beyond 1σ, same side",
          4: "8 in a row on one side"}
#: Batch names on the control charts' x axis are cut to this many characters.
_NAME_CHARS = 32


def _film_markers(ax: Axes, x, y, classes, passed, *, size: float = 7.5, name: str = "films") -> dict[str, int]:
    """Films coloured by observed class; passing films as circles, failing ones as crosses (X).

    Returns the number drawn per group id suffix (``class-<c>-pass`` / ``-fail``).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    classes, passed = np.asarray(classes, dtype=int), np.asarray(passed, dtype=bool)
    drawn = {}
    for c in sorted(CLASS_COLORS):
        for ok, shape in ((True, "o"), (False, "X")):
            sel = (classes == c) & (passed == ok)
            if sel.any():
                suffix = f"class-{c}-{'pass' if ok else 'fail'}"
                drawn[suffix] = ax.scatter(x[sel], y[sel], shape=shape, size=size * (1.35 if not ok else 1.0),
                                           fill=CLASS_COLORS[c], stroke="#000000", width=0.6,
                                           id=ax.c.id(f"{name}-{suffix}"))
    return drawn


def _film_legend(classes: Sequence[int], any_fail: bool, any_pass: bool) -> list[LegendEntry]:
    """Legend: one colour per class (shading and markers share it), then the marker shapes."""
    entries = [LegendEntry(CLASS_LABELS[c], fill=CLASS_COLORS[c], stroke="#000000", size=7.5)
               for c in sorted(classes)]
    if any_pass:
        entries.append(LegendEntry("film passes", fill="#ffffff", stroke="#000000", size=7.5))
    if any_fail:
        entries.append(LegendEntry("film fails", shape="X", fill="#ffffff", stroke="#000000", size=10))
    return entries


def _limits(lo: float, hi: float, values: np.ndarray, pad: float = 0.06) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    a, b = min(lo, float(v.min())) if len(v) else lo, max(hi, float(v.max())) if len(v) else hi
    span = (b - a) or 1.0
    return a - pad * span, b + pad * span


def _clip_halfplane(poly: list[tuple[float, float]], normal: np.ndarray, bound: float) -> list[tuple[float, float]]:
    """The part of a convex polygon where ``normal · p <= bound`` (Sutherland–Hodgman, one edge)."""
    out: list[tuple[float, float]] = []
    for i, p in enumerate(poly):
        q = poly[(i + 1) % len(poly)]
        fp, fq = normal @ p - bound, normal @ q - bound
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def nearest_regions(centroids: np.ndarray, xlim, ylim) -> list[list[tuple[float, float]]]:
    """Polygon (data units) of the points of the box nearest to each centroid (its Voronoi cell)."""
    cent = np.asarray(centroids, dtype=float)
    box = [(xlim[0], ylim[0]), (xlim[1], ylim[0]), (xlim[1], ylim[1]), (xlim[0], ylim[1])]
    regions = []
    for i, ci in enumerate(cent):
        poly = box
        for j, cj in enumerate(cent):
            if i != j and poly:  # |p - ci|² <= |p - cj|²  <=>  2 p·(cj - ci) <= |cj|² - |ci|²
                poly = _clip_halfplane(poly, 2 * (cj - ci), float(cj @ cj - ci @ ci))
        regions.append(poly)
    return regions


# --------------------------------------------------------------------------- batch figures

def plot_pc_map(model: ReferenceModel, result: BatchResult, *, key: str = "pc_map") -> Canvas:
    """The batch films on the reference PC1–PC2 map.

    Shading: the class of the nearest reference centroid in the PC1–PC2 plane
    (an approximation of the class regions, which use all retained components).
    Centroids are marked with their class number; films are coloured by their
    observed class, circles pass, crosses fail.
    """
    cent = np.asarray(model.centroids, dtype=float)[:, :2]
    s = np.asarray(result.scores, dtype=float)[:, :2]
    f = result.films
    _check_classes(f["observed_class"])
    pts = np.vstack([cent, s])
    xlim = _limits(pts[:, 0].min(), pts[:, 0].max(), pts[:, 0], pad=0.12)
    ylim = _limits(pts[:, 1].min(), pts[:, 1].max(), pts[:, 1], pad=0.12)
    entries = _film_legend(CLASS_COLORS, bool((~f["pass"]).any()), bool(f["pass"].any()))
    entries.append(LegendEntry("reference class centroid", shape="P", fill="#ffffff", stroke="#000000", size=11))
    lw, _ = sp.legend_size(entries, max_width=300, vertical=True)
    c = Canvas(FIGURE_WIDTH, 330, key=key)
    xt, xl = _ticks(*xlim, 6)
    yt, yl = _ticks(*ylim, 5)
    left = _left_margin(yl)
    ax = Axes(c, (left, _PAD + 4, c.width - left - _PAD - lw - 16, c.height - _PAD - 4 - _BOTTOM), xlim, ylim,
              name="map")
    with c.group(id=c.id("regions")):
        for i, poly in enumerate(nearest_regions(cent, xlim, ylim)):
            if len(poly) >= 3:
                c.polygon(ax.px([p[0] for p in poly]), ax.py([p[1] for p in poly]),
                          fill=sp.shade(CLASS_COLORS[i + 1], _SHADE_ALPHA))
    _axes_frame(ax, xt, xl, yt, yl, xlabel="PC1 score in the reference PCA (dimensionless)",
                ylabel="PC2 score (dimensionless)", grid="", box=True)
    with c.group(id=c.id("centroids")):
        for i, (cx, cy) in enumerate(cent):
            ax.scatter([cx], [cy], shape="P", size=13, fill=CLASS_COLORS[i + 1], stroke="#000000", width=0.8)
            ax.text(cx, cy, str(i + 1), dx=8, dy=-5, size=_TICK, bold=True, color=_INK, halo=True)
    _film_markers(ax, s[:, 0], s[:, 1], f["observed_class"], f["pass"])
    sp.draw_legend(c, ax.right + 16, ax.y0, entries, max_width=lw, vertical=True)
    return c


def _levels(result: BatchResult) -> list[float]:
    return sorted({float(p) for p in result.films["polymer_wt_pct"]})


def plot_decision_panels(model: ReferenceModel, result: BatchResult, *, key: str = "decision_maps") -> Canvas:
    """Class predicted by the reference SVM over L:S × X:B at each P% of the batch, films overlaid.

    The shaded grid spans the reference range of L:S and X:B; films outside it
    fall on the white margin (extrapolation).
    """
    import pandas as pd

    levels = _levels(result)
    nrows, ncols = _grid(len(levels), 3)
    (l0, l1), (b0, b1) = model.ranges["ls_ratio"], model.ranges["xylene_vol_pct"]
    ls, xb = np.linspace(l0, l1, GRID), np.linspace(b0, b1, GRID)
    gx, gy = np.meshgrid(ls, xb)
    dl, db = (ls[1] - ls[0]) / 2, (xb[1] - xb[0]) / 2
    f = result.films
    fx, fy = f["ls_ratio"].to_numpy(dtype=float), f["xylene_vol_pct"].to_numpy(dtype=float)
    fp = f["polymer_wt_pct"].to_numpy(dtype=float)
    xlim, ylim = _limits(l0 - dl, l1 + dl, fx, 0.03), _limits(b0 - db, b1 + db, fy, 0.03)
    p0, p1 = model.ranges["polymer_wt_pct"]
    xt, xl = _ticks(*xlim, 4 if ncols > 1 else 5)
    yt, yl = _ticks(*ylim, 5)
    left = _left_margin(yl)
    entries = _film_legend(CLASS_COLORS, bool((~f["pass"]).any()), bool(f["pass"].any()))
    title = "shading: class predicted by the SVM; markers: films by observed class"
    shades = {c: sp.shade(col, _MAP_ALPHA) for c, col in CLASS_COLORS.items()}
    titles = []
    for p in levels:
        n_p = int(np.isclose(fp, p).sum())
        outside = "" if p0 <= p <= p1 else ", extrapolation"
        titles.append(f"P = {fmt_num(p, trim=True)} wt% ({n_p} film{'s' if n_p != 1 else ''}{outside})")
    if ncols > 1:
        hgap, vgap = _panel_gap(xl), 16.0 + _TITLE + 6
        lw, lh = sp.legend_size(entries, max_width=FIGURE_WIDTH - 2 * _PAD, title=title, size=_LEGEND)
        pw = (FIGURE_WIDTH - left - _PAD - hgap * (ncols - 1)) / ncols
        ph = pw * 0.8
        top = _PAD + _TITLE + 6
        grid_h = nrows * ph + (nrows - 1) * vgap
        c = Canvas(FIGURE_WIDTH, round(top + grid_h + _BOTTOM + lh + 4), key=key)
        boxes = sp.panel_boxes(left, top, FIGURE_WIDTH - left - _PAD, grid_h, nrows, ncols, hgap=hgap, vgap=vgap)
        sp.draw_legend(c, c.width / 2, c.height - _PAD - lh, entries, max_width=c.width - 2 * _PAD, size=_LEGEND,
                       title=title, align="center")
    else:
        vtitle = "shading: class predicted\nby the SVM; markers: films\nby observed class"
        lw, lh = sp.legend_size(entries, max_width=300, title=vtitle, vertical=True, size=_LEGEND)
        c = Canvas(FIGURE_WIDTH, 270, key=key)
        top = _PAD + _TITLE + 6
        pw = min(300.0, FIGURE_WIDTH - left - lw - 24 - _PAD)
        boxes = [(left, top, pw, c.height - top - _BOTTOM)]
        sp.draw_legend(c, left + pw + 24, top, entries, max_width=lw, size=_LEGEND, title=vtitle, vertical=True)
    for i, (box, p) in enumerate(zip(boxes, levels)):
        ax = Axes(c, box, xlim, ylim, name=f"panel-{i + 1}")
        grid = pd.DataFrame({"polymer_wt_pct": np.full(gx.size, p), "ls_ratio": gx.ravel(),
                             "xylene_vol_pct": gy.ravel()})
        pred = np.asarray(model.predict(grid)[0]).reshape(gx.shape)
        with c.group(id=c.id(f"panel-{i + 1}")):
            ax.image(sp.class_image(pred[::-1], shades), (l0 - dl, l1 + dl, b0 - db, b1 + db), pixelated=True)
            bottom_row, first_col = i + ncols >= len(levels), i % ncols == 0
            _axes_frame(ax, xt, xl, yt, yl, xlabel=_label("ls_ratio") if bottom_row else None,
                        ylabel=_label("xylene_vol_pct") if first_col else None, grid="", box=True,
                        show_x=bottom_row, show_y=first_col)
            ax.title(titles[i], size=_TICK, gap=4)
            sel = np.isclose(fp, p)
            _film_markers(ax, fx[sel], fy[sel], f["observed_class"][sel], f["pass"][sel], size=7,
                          name=f"level-{fmt_num(p, trim=True).replace('.', '_')}")
    return c


def plot_against_class1(model: ReferenceModel, result: BatchResult, *, key: str = "class1") -> Canvas:
    """σ and RD of every film (x: film number in table order) against the reference class-1 films.

    Grey band: the 5th–95th percentile of the reference class-1 films; solid
    line: their median; dashed lines: their mean ± 3 SD; red dash-dot lines:
    the spec limits, when given.
    """
    f = result.films
    spec = result.spec
    n = len(f)
    x = np.arange(1, n + 1)
    limits = {"conductivity_s_cm": [spec.sigma_min], "rd": [spec.rd_max]}
    any_spec = any(v is not None for vals in limits.values() for v in vals)
    entries = [LegendEntry("reference class 1: 5th–95th percentile", kind="patch", fill=_BAND),
               LegendEntry("reference class 1: median", kind="line", stroke=_INK, width=1.2),
               LegendEntry("reference class 1: mean ± 3 SD", kind="line", stroke=_INK, width=0.9, dash="4 2.5")]
    if any_spec:
        entries.append(LegendEntry("spec limit", kind="line", stroke=_FAIL, width=1.3, dash="6 2 1.5 2"))
    entries += _film_legend(sorted(set(f["observed_class"].astype(int))), bool((~f["pass"]).any()),
                            bool(f["pass"].any()))
    _, lh = sp.legend_size(entries, max_width=FIGURE_WIDTH - 2 * _PAD, size=_LEGEND)
    top = _PAD + _TITLE + 6
    plot_h = 210.0
    c = Canvas(FIGURE_WIDTH, round(top + plot_h + _BOTTOM + 6 + lh), key=key)
    step = max(1, int(np.ceil(n / 12)))
    xt = x[::step]
    panels = []
    for var in ("conductivity_s_cm", "rd"):
        c1 = model.class1[var]
        y = f[var].to_numpy(dtype=float)
        lo = max(min(float(y.min()), c1["q05"], c1["mean"] - 3 * c1["sd"]), 0.0)
        hi = max(float(y.max()), c1["q95"], c1["mean"] + 3 * c1["sd"])
        for value in limits[var]:
            if value is not None:
                lo, hi = min(lo, value), max(hi, value)
        span = (hi - lo) or 1.0
        ylim = (max(lo - 0.08 * span, 0.0), hi + 0.08 * span)
        yt, yl = _ticks(*ylim, 5, sci=True if var == "conductivity_s_cm" else None)
        panels.append((var, c1, y, ylim, yt, yl))
    gap = 26.0
    lefts = [_left_margin(p[5]) for p in panels]
    pw = (c.width - lefts[0] - (lefts[1] - _PAD) - gap - _PAD) / 2
    x0 = lefts[0]
    for j, ((var, c1, y, ylim, yt, yl), left) in enumerate(zip(panels, lefts)):
        if j:
            x0 += pw + gap + left - _PAD
        ax = Axes(c, (x0, top, pw, plot_h), (0.3, n + 0.7), ylim, name=var)
        ax.hspan(c1["q05"], c1["q95"], fill=_BAND)
        _axes_frame(ax, xt, [str(v) for v in xt], yt, yl, xlabel="film number (row of the film table)",
                    ylabel=_label(var))
        ax.hline(c1["median"], width=1.2)
        for k in (-3, 3):
            v = c1["mean"] + k * c1["sd"]
            if ylim[0] <= v <= ylim[1]:
                ax.hline(v, width=0.9, dash="4 2.5")
        for value in limits[var]:
            if value is not None:
                ax.hline(value, color=_FAIL, width=1.3, dash="6 2 1.5 2")
        ax.title("Ionic conductivity" if var != "rd" else "Relative thickness deviation", size=_TITLE)
        _film_markers(ax, x, y, f["observed_class"], f["pass"], size=7, name=var.replace("_", "-"))
    sp.draw_legend(c, c.width / 2, c.height - _PAD - lh, entries, max_width=c.width - 2 * _PAD, size=_LEGEND,
                   align="center")
    return c


# --------------------------------------------------------------------------- control charts

def _short(name: str) -> str:
    name = str(name)
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1] + "…"


def plot_control_chart(chart: ControlChart, starts: Sequence[int], names: Sequence[str], *,
                       key: str = "imr") -> Canvas:
    """I-MR chart: individuals (top) and moving ranges (bottom) in time order.

    Parameters
    ----------
    chart : ControlChart
        From :func:`ssereport.analysis.control.imr_chart`; limits from the reference class-1 films.
    starts : sequence of int
        Index of the first film of each batch (a vertical rule is drawn before it).
    names : sequence of str
        Batch ids, labelling ``starts`` (thinned when there are many; cut to 32 characters).
    key : str
        Prefix of the SVG ids.
    """
    values = np.asarray(chart.values, dtype=float)
    mr = np.asarray(chart.moving_range, dtype=float)
    x = np.arange(len(values))
    mr_x = x[1:]
    viol = np.array(sorted(chart.violations), dtype=int)
    sci = True if chart.variable == "conductivity_s_cm" else None
    hi = max(float(values.max()) if len(x) else chart.ucl, chart.ucl)
    lo = min(float(values.min()) if len(x) else chart.lcl, chart.lcl)
    span = hi - lo or 1.0
    ylim_i = (lo - 0.05 * span, hi + 0.05 * span)
    mr_top = max(float(mr.max()) if len(mr_x) else 0.0, chart.mr_ucl) * 1.08 or 1.0
    ylim_mr = (0.0, mr_top)
    yt_i, yl_i = _ticks(*ylim_i, 5, sci=sci)
    yt_mr, yl_mr = _ticks(*ylim_mr, 3, sci=sci)
    notes_i = [(chart.center, None, "CL"), (chart.ucl, "5 3", "UCL"), (chart.lcl, "5 3", "LCL")]
    notes_mr = [(chart.mr_center, None, "MR\u0304"), (chart.mr_ucl, "5 3", "UCL")]
    note_text = [f"{lab} {fmt_num(v)}" for v, _, lab in notes_i + notes_mr]
    right = _PAD + sp.max_text_width(note_text, _TICK) + 8
    step = max(1, int(np.ceil(len(starts) / 24)))
    tick_pos = list(starts)[::step]
    tick_names = [_short(n) for n in list(names)[::step]]
    # rotated (−60°) labels hang below the axis: their height is width·sin 60° + size·cos 60°
    label_h = max((sp.text_width(t, 9.0) * 0.866 + 9.0 * 0.5 for t in tick_names), default=0.0)
    bottom = 4 + 4 + label_h + 8 + _LABEL + _PAD
    left = max(_left_margin(yl_i), _left_margin(yl_mr))
    c = Canvas(INDEX_WIDTH, round(_PAD + 4 + 200 + 14 + 100 + bottom), key=key)
    w = c.width - left - right
    xlim = (-0.7, max(len(x) - 0.3, 0.7))
    ax_i = Axes(c, (left, _PAD + 4, w, 200), xlim, ylim_i, name="individuals")
    ax_mr = Axes(c, (left, _PAD + 4 + 200 + 14, w, 100), xlim, ylim_mr, name="moving-range")
    unit = _unit(chart.variable)
    for ax, yt, yl, ylabel in ((ax_i, yt_i, yl_i, _label(chart.variable)),
                               (ax_mr, yt_mr, yl_mr, f"moving range{' (' + unit + ')' if unit else ''}")):
        ax.grid((), yt)
        ax.frame()
        ax.yticks(yt, yl)
        ax.ylabel(ylabel, offset=4 + 2.5 + sp.max_text_width(yl, _TICK) + 6)
        for s in list(starts)[1:]:
            ax.vline(s - 0.5, color="#BBBBBB", width=0.6)
    ax_i.xticks(tick_pos, show=False)
    ax_mr.xticks(tick_pos, tick_names, size=9.0, rotate=-60)
    ax_mr.xlabel("films in time order (tick: first film of each batch)", offset=4 + 4 + label_h + 8)
    for ax, notes in ((ax_i, notes_i), (ax_mr, notes_mr)):
        for v, dash, lab in notes:
            if ax.ylim[0] <= v <= ax.ylim[1]:
                ax.hline(v, width=0.9, dash=dash)
                c.text(ax.right + 4, float(ax.py(v)), f"{lab} {fmt_num(v)}", size=_TICK, valign="middle")
    ax_i.plot(x, values, color="#7F7F7F", width=0.7)
    ok = np.setdiff1d(x, viol)
    ax_i.scatter(x[ok], values[ok], size=4.5, fill=_POINT, id=c.id("in-control"))
    if len(viol):
        ax_i.scatter(viol, values[viol], shape="D", size=8, fill=_FAIL, stroke="#000000", width=0.5,
                     id=c.id("violations"))
    if len(mr_x):
        ax_mr.plot(mr_x, mr, color="#7F7F7F", width=0.7)
        ax_mr.scatter(mr_x, mr, size=4, fill=_POINT, id=c.id("moving-ranges"))
        above = mr > chart.mr_ucl
        if above.any():
            ax_mr.scatter(mr_x[above], mr[above], shape="D", size=7.5, fill=_FAIL, stroke="#000000", width=0.5,
                          id=c.id("mr-above"))
    return c


def _unit(var: str) -> str:
    from .schema import by_name

    u = by_name(var).unit
    return "" if u in ("", "–") else u


# --------------------------------------------------------------------------- SVG output

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
    alt = (f"Map of the {len(f)} films of batch {result.batch_id} on the first two principal components of the "
           f"reference study, coloured by observed class ({_classes_text(counts['observed_class'])}); "
           f"{fails} failing film{'s' if fails != 1 else ''} drawn as crosses. Reference class centroids: {cent}.")
    out["pc_map"] = FigureOutput(
        key="pc_map", svg=plot_pc_map(model, result).to_svg(title="Batch films on the reference PC map", desc=alt),
        alt=alt,
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
    alt = ("Decision maps of the reference SVM: predicted class over L:S (µL/mg) and X:B (vol%) within the "
           "reference range, one panel per binder content of the batch, with the films as markers in their "
           "observed-class colour. " + "; ".join(shares) + ".")
    out["decision_maps"] = FigureOutput(
        key="decision_maps",
        svg=plot_decision_panels(model, result).to_svg(title="Decision maps of the reference SVM", desc=alt),
        alt=alt,
        caption="Class predicted from the manufacturing conditions by the reference SVM over L:S (µL/mg) × X:B "
                "(vol%), one panel per binder content P (wt%) of the batch; the shading covers the reference "
                "range, films on the white margin are extrapolations.")
    c1 = model.class1
    sig, rd = f["conductivity_s_cm"], f["rd"]
    alt = (f"Strip plots of σ (S/cm) and RD of the {len(f)} films against the reference class-1 films. Batch σ "
           f"from {fmt_num(float(sig.min()))} to {fmt_num(float(sig.max()))} S/cm, reference class-1 median "
           f"{fmt_num(c1['conductivity_s_cm']['median'])} S/cm (5th–95th percentile "
           f"{fmt_num(c1['conductivity_s_cm']['q05'])}–{fmt_num(c1['conductivity_s_cm']['q95'])}); batch RD from "
           f"{fmt_num(float(rd.min()))} to {fmt_num(float(rd.max()))}, reference class-1 median "
           f"{fmt_num(c1['rd']['median'])} ({fmt_num(c1['rd']['q05'])}–{fmt_num(c1['rd']['q95'])}).")
    out["class1"] = FigureOutput(
        key="class1",
        svg=plot_against_class1(model, result).to_svg(title="Films against the reference class 1", desc=alt),
        alt=alt,
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
        alt = (f"Individuals and moving-range control chart of {sym}{' (' + unit + ')' if unit else ''} for "
               f"{len(chart.values)} films of {len(starts)} batches in time order; center line "
               f"{fmt_num(chart.center)}{u}, control limits {fmt_num(chart.lcl)} to {fmt_num(chart.ucl)}{u} "
               f"from the reference class-1 films; {n_v} film{'s' if n_v != 1 else ''} break a Western Electric "
               f"rule (red diamonds).")
        out[key] = FigureOutput(
            key=key,
            svg=plot_control_chart(chart, starts, names, key=key).to_svg(title=f"I-MR control chart of {sym}",
                                                                         desc=alt),
            alt=alt,
            caption=(f"I-MR chart of {sym}{' (' + unit + ')' if unit else ' (dimensionless)'}: individuals (top) "
                     f"with center line and ±3σ limits of the reference class-1 films, moving range of consecutive "
                     f"films (bottom); red diamonds: Western Electric rule violations; vertical rules separate "
                     f"batches."))
    return out


def rule_text(rule: int) -> str:
    """Short description of a Western Electric rule number."""
    return _RULES.get(int(rule), f"rule {rule}")

