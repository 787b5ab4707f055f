"""Figures of a batch report and of the report index, from a saved reference model only.

A batch report has no :class:`~ssereport.pipeline.StudyResults`, only the
:class:`~ssereport.qa.model.ReferenceModel` and the :class:`~ssereport.qa.judge.BatchResult`;
the index has :class:`~ssereport.analysis.control.ControlChart` objects. Nothing
here computes a statistic: the class regions (nearest centroid, by
``scipy.spatial.distance.cdist``) and the decision maps (``model.predict``) are
evaluated on a grid for display only; every limit drawn comes from the model,
the spec or the chart.

Single-panel functions take ``ax=None`` and return the Axes; multi-panel ones
take ``fig=None`` and return the Figure (as :mod:`ssereport.plots`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import theme
from ..format import fmt_num
from ._base import (CENTROID, check_classes, class_regions, factor_label, frame_map_panel, map_panels, new_figure,
                    offset_transform, panel_grid, panel_title, pc_label, ring_offsets, single, variable_label)
from ._base import themed as _themed

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..analysis.control import ControlChart

# plots sit below qa (one-way layers, tests/test_architecture.py): the model and the batch are read by their
# attributes only, not imported, not even for type checking
ReferenceModel = Any  # ssereport.qa.model.ReferenceModel
BatchResult = Any  # ssereport.qa.judge.BatchResult

__all__ = ["GRID", "against_class1", "control_chart", "decision_panels", "level_map", "pc_map"]

#: Points per axis of the decision-map and class-region grids.
GRID = 120
#: Batch names on the control charts' x axis are cut to this many characters.
NAME_CHARS = 32
_SHADE_ALPHA = 0.30
_MAP_ALPHA = 0.40
W = theme.FIGURE_WIDTH_IN
C = theme.COLORS
S = theme.SIZES
_DASH = (0, (4, 2.5))
_SPEC = (0, (6, 2, 1.5, 2))


def _film_markers(ax, x, y, classes, passed, *, size: float = 26, spread: bool = False, **style: Any) -> None:
    """Films coloured by nearest reference class; passing films as circles, failing ones as crosses (X).

    With ``spread``, films at the same position (the same recipe) are set apart
    in a ring around it (:func:`~ssereport.plots._base.ring_offsets`, display
    space), so every film is visible; their data coordinates stay exact.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    classes, passed = np.asarray(classes, dtype=int), np.asarray(passed, dtype=bool)
    off = ring_offsets(x, y, spacing=1.2 * np.sqrt(size * 1.6)) if spread else np.zeros((len(x), 2))
    slots = np.unique(off, axis=0) if len(off) else off
    for c in sorted(theme.CLASS_COLORS):
        for ok, marker in ((True, "o"), (False, "X")):
            for dx, dy in slots:
                sel = (classes == c) & (passed == ok) & (off[:, 0] == dx) & (off[:, 1] == dy)
                if sel.any():
                    ax.scatter(x[sel], y[sel], **{"marker": marker, "s": size * (1.6 if not ok else 1.0),
                                                  "color": theme.CLASS_COLORS[c], "edgecolors": C["title-ink"],
                                                  "linewidths": 0.6, "zorder": 3, "clip_on": False,
                                                  "transform": offset_transform(ax, dx, dy),
                                                  "label": f"_class-{c}-{'pass' if ok else 'fail'}", **style})


def _film_handles(classes: Sequence[int], any_fail: bool, any_pass: bool) -> list:
    from matplotlib.lines import Line2D

    def h(marker, face, text, ms=6.5):
        return Line2D([], [], marker=marker, linestyle="none", markersize=ms, markerfacecolor=face,
                      markeredgecolor=C["title-ink"], markeredgewidth=0.6, label=text)

    out = [h("o", theme.CLASS_COLORS[c], theme.CLASS_LABELS[c]) for c in sorted(classes)]
    if any_pass:
        out.append(h("o", C["paper"], "film passes"))
    if any_fail:
        out.append(h("X", C["paper"], "film fails", 8))
    return out


def _limits(lo: float, hi: float, values, pad: float = 0.06) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    a, b = (min(lo, float(v.min())), max(hi, float(v.max()))) if len(v) else (lo, hi)
    span = (b - a) or 1.0
    return a - pad * span, b + pad * span


def pc_map(model: ReferenceModel, result: BatchResult, *, ax: Axes | None = None, **style: Any) -> Axes:
    """The batch films on the reference PC1–PC2 map.

    Shading: the class of the nearest reference centroid in the PC1–PC2 plane
    (an approximation of the class regions, which use every retained
    component); centroids as diamonds with their class number; films coloured by
    nearest reference class, circles pass, crosses fail. ``**style`` goes to the films' ``scatter``.
    """
    from matplotlib.lines import Line2D
    from scipy.spatial.distance import cdist

    cent = np.asarray(model.centroids, dtype=float)[:, :2]
    s = np.asarray(result.scores, dtype=float)[:, :2]
    f = result.films
    check_classes(f["observed_class"])
    pts = np.vstack([cent, s])
    xlim = _limits(pts[:, 0].min(), pts[:, 0].max(), pts[:, 0], pad=0.12)
    ylim = _limits(pts[:, 1].min(), pts[:, 1].max(), pts[:, 1], pad=0.12)
    gx, gy = np.meshgrid(np.linspace(*xlim, GRID), np.linspace(*ylim, GRID))
    dist = cdist(np.column_stack([gx.ravel(), gy.ravel()]), cent).reshape(GRID, GRID, len(cent))
    nearest = dist.argmin(axis=2)
    # distance advantage of the nearest centroid over the runner-up: 0 on the cell borders, linear near them
    part = np.sort(dist, axis=2)
    margin = part[:, :, 1] - part[:, :, 0] if len(cent) > 1 else np.ones_like(gx)
    with _themed():
        fig, ax = single(ax, W, 3.45, left=0.6, right=2.2, top=0.12, bottom=0.5)
        class_regions(ax, gx[0], gy[:, 0], nearest + 1, margin, alpha=_SHADE_ALPHA, boundaries=False)
        ax.scatter(cent[:, 0], cent[:, 1], **CENTROID, c=[theme.CLASS_COLORS[i + 1] for i in range(len(cent))],
                   edgecolors=C["title-ink"], zorder=3, label="_centroids")
        for i, (cx, cy) in enumerate(cent):
            ax.annotate(str(i + 1), (cx, cy), xytext=(6, 4), textcoords="offset points", fontweight="bold",
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": C["paper"], "edgecolor": "none",
                              "alpha": 0.7})
        _film_markers(ax, s[:, 0], s[:, 1], f["observed_class"], f["pass"], **style)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.spines[["top", "right"]].set_visible(True)
        ax.set_xlabel(pc_label(0))
        ax.set_ylabel(pc_label(1))
        handles = _film_handles(list(theme.CLASS_COLORS), bool((~f["pass"]).any()), bool(f["pass"].any()))
        handles.append(Line2D([], [], marker=CENTROID["marker"], linestyle="none", markersize=6.5,
                              markerfacecolor=C["paper"], markeredgecolor=C["title-ink"],
                              markeredgewidth=CENTROID["linewidths"], label="reference class centroid"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return ax


@functools.lru_cache(maxsize=64)
def level_map(model: ReferenceModel, p: float) -> tuple[np.ndarray, np.ndarray]:
    """The reference SVM's class and margin on the ``GRID`` × ``GRID`` L:S × X:B grid at ``P% = p``.

    ``model.predict`` on the grid the decision panels shade, as read-only
    ``(GRID, GRID)`` arrays (rows: X:B, columns: L:S). The map depends only
    on the model and ``p``, so one process (``batch`` worker, ``watch``)
    computes it once per level and reuses it for every batch it draws; the
    cache lives only as long as the process and is keyed by the model object
    (a model is immutable), so a new model is evaluated afresh.
    """
    import pandas as pd

    (l0, l1), (b0, b1) = model.ranges["ls_ratio"], model.ranges["xylene_vol_pct"]
    gx, gy = np.meshgrid(np.linspace(l0, l1, GRID), np.linspace(b0, b1, GRID))
    grid = pd.DataFrame({"polymer_wt_pct": np.full(gx.size, float(p)), "ls_ratio": gx.ravel(),
                         "xylene_vol_pct": gy.ravel()})
    pred, margin = model.predict(grid)
    out = np.asarray(pred).reshape(gx.shape), np.asarray(margin, dtype=float).reshape(gx.shape)
    for a in out:
        a.flags.writeable = False
    return out


def _levels(result: BatchResult) -> list[float]:
    return sorted({float(p) for p in result.films["polymer_wt_pct"]})


def decision_panels(model: ReferenceModel, result: BatchResult, *, fig: Figure | None = None,
                    **style: Any) -> Figure:
    """Class predicted by the reference SVM over L:S × X:B at each P% of the batch, films overlaid.

    The shading spans the reference range of L:S and X:B; films outside it
    fall on the white margin (extrapolation). Films cast with the same recipe
    are drawn side by side in a ring around it (every film visible), and each
    title counts films and recipes: ``P = 10 wt% (n = 9 films at 6 recipes)``.
    ``**style`` goes to the films' ``scatter``.
    """
    levels = _levels(result)
    nrows, ncols = panel_grid(len(levels), 3)
    (l0, l1), (b0, b1) = model.ranges["ls_ratio"], model.ranges["xylene_vol_pct"]
    ls, xb = np.linspace(l0, l1, GRID), np.linspace(b0, b1, GRID)
    f = result.films
    fx, fy = f["ls_ratio"].to_numpy(dtype=float), f["xylene_vol_pct"].to_numpy(dtype=float)
    fp = f["polymer_wt_pct"].to_numpy(dtype=float)
    xlim, ylim = _limits(l0, l1, fx, 0.04), _limits(b0, b1, fy, 0.07)  # room for the rings of films at the edges
    p0, p1 = model.ranges["polymer_wt_pct"]
    handles = _film_handles(list(theme.CLASS_COLORS), bool((~f["pass"]).any()), bool(f["pass"].any()))
    with _themed():
        if fig is None:
            if ncols > 1:
                top, hspace = (0.45, 0.55) if ncols > 2 else (0.3, 0.4)
                pw = (W - 0.65 - 0.15 - 0.4 * (ncols - 1)) / ncols
                ph = pw * 0.8
                fig = new_figure(W, top + nrows * ph + (nrows - 1) * hspace + 1.2, left=0.65, right=0.15,
                                 top=top, bottom=1.2, wspace=0.4, hspace=hspace, nrows=nrows, ncols=ncols)
            else:
                fig = new_figure(W, 2.9, left=0.65, right=W - 0.65 - 2.75, top=0.3, bottom=0.55)
        axes = map_panels(fig, len(levels), nrows, ncols)
        for i, (ax, p) in enumerate(zip(axes, levels)):
            pred, margin = level_map(model, p)
            class_regions(ax, ls, xb, pred, margin, alpha=_MAP_ALPHA, boundaries=True)
            sel = np.isclose(fp, p)
            _film_markers(ax, fx[sel], fy[sel], f["observed_class"][sel], f["pass"][sel], size=22, spread=True,
                          **style)
            n_p = int(sel.sum())
            n_recipes = len({(a, b) for a, b in zip(fx[sel], fy[sel])})
            title = panel_title(p, n_p, n_recipes=n_recipes, note="" if p0 <= p <= p1 else "extrapolation")
            ax.set_title(title.replace(" (", "\n(") if ncols > 2 else title)
            frame_map_panel(ax, i, len(levels), ncols, (l0, l1), (b0, b1), xlim=xlim, ylim=ylim)
        title = ("shading: class expected from the recipe (SVM); markers: films by nearest reference class"
                 + ("; films of one recipe side by side around it" if len(fx) > len(set(zip(fx, fy, fp))) else ""))
        if ncols > 1:
            fig.legend(handles=handles, loc="lower center", ncols=3, title=title.replace("; films", ";\nfilms"),
                       title_fontsize=S["legend"], bbox_to_anchor=(0.5, 0.0))
        else:
            fig.legend(handles=handles, loc="upper left", title=title.replace("; ", ";\n"),
                       title_fontsize=S["legend"], bbox_to_anchor=(axes[0].get_position().x1 + 0.04, 0.95),
                       alignment="left")
    return fig


def against_class1(model: ReferenceModel, result: BatchResult, *, fig: Figure | None = None,
                   **style: Any) -> Figure:
    """σ and RD of every film (x: film number in table order) against the reference class-1 films.

    Grey band: 5th–95th percentile of the reference class-1 films; solid line:
    their median; dashed lines: their mean ± 3 SD; red dash-dot lines: the
    acceptance limit of each variable (the spec limit, when given). A film is
    a cross, labelled with its sample id, on the panel of each variable it
    failed, and a circle elsewhere. ``**style`` goes to the films' ``scatter``.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    f = result.films
    spec = result.spec
    n = len(f)
    x = np.arange(1, n + 1)
    # the limit each film was judged by on this variable (spec, or the class-1 percentile), and who broke it
    limits = {lim.variable: lim.value for lim in getattr(result, "limits", ())}
    if not limits:
        limits = {k: v for k, v in (("conductivity_s_cm", spec.sigma_min), ("rd", spec.rd_max)) if v is not None}
    label = "spec limit" if spec.has_limits else "acceptance limit"
    with _themed():
        from matplotlib.ticker import MaxNLocator

        if fig is None:
            fig = new_figure(W, 3.55, left=0.7, right=0.1, top=0.28, bottom=1.25, wspace=0.8, ncols=2)
        axes = fig.subplots(1, 2)
        for ax, var in zip(axes, ("conductivity_s_cm", "rd")):
            c1 = model.class1[var]
            y = f[var].to_numpy(dtype=float)
            ax.axhspan(c1["q05"], c1["q95"], color=C["ref-band"], linewidth=0, zorder=0)
            ax.axhline(c1["median"], color=C["ink"], linewidth=1.2)
            for k in (-3, 3):
                v = c1["mean"] + k * c1["sd"]
                if v >= 0:
                    ax.axhline(v, color=C["ink"], linewidth=0.9, linestyle=_DASH)
            if limits.get(var) is not None:
                ax.axhline(limits[var], color=C["fail-fill"], linewidth=1.3, linestyle=_SPEC)
            # a cross only on the chart of a variable the film failed: a film failing RD is a circle on σ
            ok_here = ~f["reasons"].map(lambda rs, v=var: any(getattr(r, "variable", None) == v for r in rs)) \
                if "reasons" in f else f["pass"]
            _film_markers(ax, x, y, f["observed_class"], ok_here, size=22, **style)
            ax.set_xlim(0.3, n + 0.7)
            lo, hi = ax.get_ylim()  # the films are drawn with an offset transform: autoscale does not see them
            span = (max(hi, float(y.max())) - min(lo, float(y.min()))) or 1.0
            ax.set_ylim(max(min(lo, float(y.min()) - 0.05 * span), 0.0), max(hi, float(y.max()) + 0.05 * span))
            mid = sum(ax.get_ylim()) / 2
            for i in np.flatnonzero(~np.asarray(ok_here, dtype=bool)):  # ids upright, pointing to the middle
                up = y[i] <= mid
                ax.annotate(str(f["sample_id"].iloc[i]), (x[i], y[i]), xytext=(0, 7 if up else -7),
                            textcoords="offset points", rotation=90, ha="center", va="bottom" if up else "top",
                            color=C["fail-ink"], fontsize=S["legend"] * 0.8, annotation_clip=False,
                            label="_failure-id")
            ax.xaxis.set_major_locator(MaxNLocator(12, integer=True))
            ax.set_xlabel("film number (row of the film table)")
            variable_label(ax.yaxis, var, ax.get_ylim())
            ax.set_title("Ionic conductivity" if var != "rd" else "Relative thickness deviation")
            ax.yaxis.grid(True)
            ax.set_axisbelow(True)
        handles = [Patch(color=C["ref-band"], label="reference class 1: 5th–95th percentile"),
                   Line2D([], [], color=C["ink"], linewidth=1.2, label="reference class 1: median"),
                   Line2D([], [], color=C["ink"], linewidth=0.9, linestyle=_DASH,
                          label="reference class 1: mean ± 3 SD")]
        if any(v is not None for v in limits.values()):
            handles.append(Line2D([], [], color=C["fail-fill"], linewidth=1.3, linestyle=_SPEC, label=label))
        handles += _film_handles(sorted(set(f["observed_class"].astype(int))), bool((~f["pass"]).any()),
                                 bool(f["pass"].any()))
        fig.legend(handles=handles, loc="lower center", ncols=3, bbox_to_anchor=(0.5, 0.0))
    return fig


def _short(name: str) -> str:
    name = str(name)
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _unit(var: str) -> str:
    from ..schema import by_name

    u = by_name(var).unit
    return "" if u in ("", "–") else u


def control_chart(chart: ControlChart, starts: Sequence[int], names: Sequence[str], *,
                  limits: Sequence[float | None] | None = None, limit_label: str = "acceptance limit",
                  limit_tag: str = "limit",
                  failed: Sequence[int] = (), failed_ids: Sequence[str] = (), fig: Figure | None = None,
                  **style: Any) -> Figure:
    """I-MR chart: individuals (top) and moving ranges (bottom) of the films in time order.

    Parameters
    ----------
    chart : ControlChart
        From :func:`ssereport.analysis.control.imr_chart`; limits from the reference class-1 films.
    starts : sequence of int
        Index of the first film of each batch; a vertical rule is drawn half a film before it, between
        the batches.
    names : sequence of str
        Batch ids, written under the middle of each batch's films (thinned when there are many; cut to
        32 characters).
    limits : sequence of float or None, optional
        The acceptance (or spec) limit of the variable in force for each batch (aligned with ``starts``;
        ``None`` for a batch without one): drawn as a red dash-dot line over that batch's films, named
        ``limit_label`` in the legend and ``limit_tag`` with its value at the right (``"min"``, ``"max"``).
    failed, failed_ids : sequence of int, sequence of str
        Indices of the films that fail this variable's limit, and their sample ids: each drawn as a red
        cross labelled with its id. Every other flagged point is a process signal (an unusual value within
        the limit), drawn as an open amber diamond; no failure marker is ever drawn on a passing film.
    fig : matplotlib.figure.Figure, optional
    **style
        Passed to the in-control points' ``scatter``.

    Notes
    -----
    R: ``qcc::qcc(type = "xbar.one")`` with ``qcc(type = "R")`` of the moving ranges.
    """
    values = np.asarray(chart.values, dtype=float)
    mr = np.asarray(chart.moving_range, dtype=float)
    x = np.arange(len(values))
    # The flagged points come from ``chart.flags``: the same list the index's rule table shows.
    ids = {int(i): str(t) for i, t in zip(failed, failed_ids)}
    failed = np.array(sorted({int(i) for i in failed}), dtype=int)
    # process signals: flagged points that do not fail this variable's limit (failures get a cross instead)
    viol = np.setdiff1d(np.array(sorted({f.index for f in chart.flags if f.panel == "individuals"}), dtype=int),
                        failed)
    mr_flag = np.array(sorted({f.index for f in chart.flags if f.panel == "moving range"}), dtype=int)
    step = max(1, int(np.ceil(len(starts) / 24)))
    bounds = [*starts, len(values)]
    # a batch's name sits under the middle of its films, between the rules that separate the batches
    tick_pos = [(a + b - 1) / 2 for a, b in zip(bounds[:-1], bounds[1:])][::step]
    tick_names = [_short(n) for n in list(names)[::step]]
    lim = list(limits) if limits is not None else []
    has_limit = any(v is not None for v in lim)
    with _themed():
        from matplotlib.lines import Line2D

        if fig is None:
            label_h = 0.065 * max((len(t) for t in tick_names), default=1) * 0.87 + 0.1
            fig = new_figure(8.96, 0.55 + 2.1 + 0.25 + 1.05 + 0.1 + label_h + 0.3, left=0.85, right=1.35,
                             top=0.55, bottom=0.1 + label_h + 0.3, hspace=0.25, nrows=2)
        axes = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
        ax_i, ax_mr = axes
        ax_i.plot(x, values, color=C["trace"], linewidth=0.7)
        ok = np.setdiff1d(x, np.union1d(viol, failed))
        ax_i.scatter(x[ok], values[ok], **{"s": 9, "color": C["neutral"], "linewidths": 0, "zorder": 3,
                                           "label": "_in-control", **style})
        if len(viol):
            ax_i.scatter(viol, values[viol], marker="D", s=24, facecolors=C["paper"], edgecolors=C["warn-line"],
                         linewidths=1.3, zorder=4, label="_signals")
        if len(failed):
            ax_i.scatter(failed, values[failed], marker="X", s=46, color=C["fail-fill"], edgecolors=C["title-ink"],
                         linewidths=0.5, zorder=5, label="_failures")
            mid = (float(np.nanmin(values)) + float(np.nanmax(values))) / 2
            for i in failed:
                if i in ids:  # upright, one per film, pointing to the middle of the chart: ids of neighbours never overlap
                    up = values[i] <= mid
                    ax_i.annotate(ids[i], (i, values[i]), xytext=(0, 6 if up else -6), textcoords="offset points",
                                  rotation=90, ha="center", va="bottom" if up else "top", color=C["fail-ink"],
                                  fontsize=S["legend"] * 0.8, annotation_clip=False, label="_failure-id")
        if has_limit:
            last = None
            for (a, b), v in zip(zip(bounds[:-1], bounds[1:]), lim):
                if v is None:
                    continue
                ax_i.hlines(v, a - 0.5, b - 0.5, colors=C["fail-fill"], linewidth=1.3, linestyles=_SPEC,
                            zorder=2, label="_acceptance-limit")
                last = v
            if last is not None:
                ax_i.annotate(f"{limit_tag} {fmt_num(last)}", (1.0, last), xycoords=("axes fraction", "data"),
                              xytext=(4, 0), textcoords="offset points", va="center", color=C["fail-ink"],
                              annotation_clip=False, fontweight="bold")
        handles = [Line2D([], [], color=C["ink"], linewidth=0.9, linestyle=_DASH,
                          label="control limits (reference class 1, ±3σ)")]
        if has_limit:
            handles.append(Line2D([], [], color=C["fail-fill"], linewidth=1.3, linestyle=_SPEC, label=limit_label))
        handles.append(Line2D([], [], marker="X", linestyle="none", markersize=7.5, markerfacecolor=C["fail-fill"],
                              markeredgecolor=C["title-ink"], markeredgewidth=0.5,
                              label="film fails the limit (with its id)"))
        handles.append(Line2D([], [], marker="D", linestyle="none", markersize=5, markerfacecolor=C["paper"],
                              markeredgecolor=C["warn-line"], markeredgewidth=1.3,
                              label="process signal: unusual, within the limit"))
        fig.legend(handles=handles, loc="upper left", ncols=2, frameon=False,
                   bbox_to_anchor=(ax_i.get_position().x0 - 0.01, 1.0))
        if len(mr) > 1:
            ax_mr.plot(x[1:], mr, color=C["trace"], linewidth=0.7)
            ax_mr.scatter(x[1:], mr, s=8, color=C["neutral"], linewidths=0, zorder=3)
            if len(mr_flag):  # the moving range of point i (to point i - 1) is mr[i - 1]
                ax_mr.scatter(mr_flag, mr[mr_flag - 1], marker="D", s=20, facecolors=C["paper"],
                              edgecolors=C["warn-line"], linewidths=1.3, zorder=4, label="_mr-flags")
        notes = ((ax_i, [(chart.center, "-", "CL"), (chart.ucl, _DASH, "UCL"), (chart.lcl, _DASH, "LCL")]),
                 (ax_mr, [(chart.mr_center, "-", "MR\u0304"), (chart.mr_ucl, _DASH, "UCL")]))
        for ax, lines in notes:
            for v, ls, lab in lines:
                ax.axhline(v, color=C["ink"], linewidth=0.9, linestyle=ls)
                ax.annotate(f"{lab} {fmt_num(v)}", (1.0, v), xycoords=("axes fraction", "data"), xytext=(4, 0),
                            textcoords="offset points", va="center", annotation_clip=False)
            if len(starts) > 1:  # between the last film of a batch and the first of the next; one artist
                ax.vlines(np.asarray(list(starts)[1:], dtype=float) - 0.5, 0.0, 1.0, transform=ax.get_xaxis_transform(),
                          colors=C["zero"], linewidths=0.8, label="_batch-separator")
            ax.yaxis.grid(True)
            ax.set_axisbelow(True)
        shown = [v for v in lim if v is not None]
        lo = min(float(values.min()) if len(x) else chart.lcl, chart.lcl, *shown)
        hi = max(float(values.max()) if len(x) else chart.ucl, chart.ucl, *shown)
        span = hi - lo or 1.0
        ax_i.set_ylim(lo - 0.05 * span, hi + 0.05 * span)
        ax_mr.set_ylim(0.0, max(float(mr.max()) if len(mr) > 1 else 0.0, chart.mr_ucl) * 1.08 or 1.0)
        ax_i.set_xlim(-0.7, max(len(x) - 0.3, 0.7))
        # the factor 10ⁿ of σ in both axis labels, one scale for both panels
        scale = [lo, hi]
        variable_label(ax_i.yaxis, chart.variable, scale)
        factor_label(ax_mr.yaxis, scale, "moving\nrange", _unit(chart.variable))
        ax_mr.set_xticks(tick_pos, tick_names, rotation=60, ha="right", rotation_mode="anchor")
        for ax in axes:
            ax.tick_params(axis="x", length=0)
        ax_mr.set_xlabel("films in time order, by batch (vertical rules separate the batches)")
    return fig
