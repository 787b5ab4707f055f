"""Figures of ``ssereport suggest`` and ``ssereport compare``: suggestions on the decision maps, overlaid windows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import theme
from ._base import frame_map_panel, level_text, map_panels, new_figure, panel_grid, themed

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["suggestion_maps", "window_overlay"]

C = theme.COLORS
S = theme.SIZES
W = theme.FIGURE_WIDTH_IN


#: Marker and size of each kind of point: recommended operating point (circle), boundary (star), explore (diamond).
_MARKERS = {"window": "o", "boundary": "*", "explore": "D"}
_SIZES = {"window": 40, "boundary": 70, "explore": 30}
#: Their legend entries (the numbers are the rows of the suggestions' table).
_KIND_LABELS = {"window": "recommended point (numbered)", "boundary": "boundary point (numbered)",
                "explore": "exploration point (numbered)"}


def suggestion_maps(results, suggestions, *, fig: Figure | None = None, **style: Any) -> Figure:
    """The study's decision maps with the suggested conditions drawn on their P% panel.

    Parameters
    ----------
    results : StudyResults
    suggestions : Suggestions
        From :func:`ssereport.analysis.suggest.next_experiments` (its P% levels
        are the decision map's, so every suggestion has a panel).
    fig : matplotlib.figure.Figure, optional
    **style
        Passed to the suggestions' ``scatter``.

    Returns
    -------
    matplotlib.figure.Figure
        Numbered circles (recommended operating points, ``goal="window"``),
        stars (boundary suggestions) and diamonds (exploration), in the
        order of ``suggestions.table``.
    """
    from matplotlib.lines import Line2D

    from .study import decision_maps

    drawn = set(suggestions.table["kind"])
    legend = [(Line2D([], [], marker=_MARKERS[kind], linestyle="none",
                      markersize=10 if kind == "boundary" else 7,  # a star looks smaller at one size
                      markerfacecolor=C["paper"], markeredgecolor=C["ink"], markeredgewidth=0.9), _KIND_LABELS[kind])
              for kind in _MARKERS if kind in drawn]
    fig = decision_maps(results, fig=fig, legend_extra=legend)
    d = results.decision_map
    levels = np.asarray(d.polymer_levels, dtype=float)
    panels = [ax for ax in fig.axes if ax.get_visible()][: len(levels)]
    with themed():
        for k, r in enumerate(suggestions.table.itertuples(index=False), 1):
            i = int(np.argmin(np.abs(levels - r.polymer_wt_pct)))
            ax = panels[i]
            ax.scatter([r.ls_ratio], [r.xylene_vol_pct], **{
                "marker": _MARKERS.get(r.kind, "D"), "s": _SIZES.get(r.kind, 30),
                "color": C["paper"], "edgecolors": C["ink"], "linewidths": 0.9, "zorder": 5, "clip_on": False,
                **style})
            # the number beside its marker, turned inwards in the outer fifth of a panel (not on the frame)
            right = r.ls_ratio > d.ls[-1] - 0.2 * (d.ls[-1] - d.ls[0])
            top = r.xylene_vol_pct > d.xb[-1] - 0.2 * (d.xb[-1] - d.xb[0])
            ax.annotate(str(k), (r.ls_ratio, r.xylene_vol_pct), xytext=(-4 if right else 4, -4 if top else 4),
                        textcoords="offset points", ha="right" if right else "left", va="top" if top else "bottom",
                        fontsize=S["tick"], color=C["ink"], fontweight="bold", zorder=6)
    return fig


def window_overlay(comparison, *, fig: Figure | None = None, **style: Any) -> Figure:
    """Class-1 regions of study A (filled) and study B (outlined) on A's decision-map grid, one panel per P%.

    Parameters
    ----------
    comparison : Comparison
        From :func:`ssereport.analysis.compare.compare_studies`.
    fig : matplotlib.figure.Figure, optional
    **style
        Passed to B's ``contour``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    g = comparison.grid
    levels = g["polymer_levels"]
    n = len(levels)
    nrows, ncols = panel_grid(n, 4)
    with themed():
        if fig is None:
            pw = (W - 0.6 - 0.2 - 0.4 * (ncols - 1)) / ncols
            ph = pw * 0.82
            fig = new_figure(W, 0.25 + nrows * ph + (nrows - 1) * 0.3 + 0.95, left=0.6, right=0.2, top=0.25,
                             bottom=0.95, wspace=0.4, hspace=0.3, nrows=nrows, ncols=ncols)
        for i, ax in enumerate(map_panels(fig, n, nrows, ncols)):
            a1 = g["class1_a"][i].astype(float)
            b1 = g["class1_b"][i].astype(float) if g["class1_b"] is not None else np.zeros_like(a1)
            if a1.any():
                ax.contourf(g["ls"], g["xb"], a1, levels=[0.5, 1.5], colors=[theme.CLASS_COLORS[1]], alpha=0.35,
                            rasterized=True)
            if b1.any() and not b1.all():
                ax.contour(g["ls"], g["xb"], b1, levels=[0.5], **{"colors": [C["ink"]], "linewidths": 1.2,
                                                                     "linestyles": "dashed", **style})
            ax.set_title(level_text(levels[i]), fontsize=S["tick"])
            frame_map_panel(ax, i, n, ncols, (g["ls"][0], g["ls"][-1]), (g["xb"][0], g["xb"][-1]))
        handles = [Patch(color=theme.CLASS_COLORS[1], alpha=0.5, label="class 1 predicted by A's SVM"),
                   Line2D([], [], color=C["ink"], linestyle="dashed", label="boundary of class 1, B's SVM")]
        fig.legend(handles=handles, loc="lower center", ncols=2, fontsize=S["legend"], bbox_to_anchor=(0.5, 0.0))
    return fig
