"""The study report's figure registry: every figure, where it is shown and which results it reads.

:data:`FIGURES` is the one list of the study report's figures. Each
:class:`FigureSpec` names its :mod:`ssereport.plots` drawing function, its alt
text and caption, the :class:`~ssereport.pipeline.StudyResults` fields it
reads (``needs``) and the section that shows it (``section``, a section id of
:data:`ssereport.report.sections.STUDY_SECTIONS`); the registry's order is the
order of the figures within their section. Everything else follows from it:
the sections take their figures from here by section id
(:func:`section_figures`), the figure process of ``ssereport report``
(:mod:`ssereport.report._figproc`) derives what each figure waits for and its
drawing order from ``needs``, and the HTML, the PDF and the Quarto document
show what the sections hold.

Adding a figure to the study report is one plotting function in
:mod:`ssereport.plots` (``name(results, *, ax=None) -> Axes``), one entry here
and one test (see ``tests/test_architecture.py``, which adds a dummy figure
and finds it in the HTML, the PDF and the ``.qmd`` output)::

    FIGURES["residuals"] = FigureSpec("residuals", plots.residuals, alt=..., caption=...,
                                      needs=frozenset({"anova"}), section="tests")

:func:`render_figures` draws figures of the registry and returns each as
inline SVG with real text, its alt text and caption; the HTML inlines the SVG
and the PDF embeds the same file.

Notes
-----
Each figure is one :class:`matplotlib.figure.Figure` with fixed margins, saved
once as SVG (``svg.fonttype = "none"``, a fixed ``svg.hashsalt``: the same
results give byte-identical SVG), then dropped. Gridded map fills are rasterized
inside the SVG. ``ssereport report`` prints the time of this step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import plots
from ..format import fmt_fixed, fmt_num
from ..plots._base import to_svg
from ..plots.study import MAX_POINTS
from ..schema import by_name
from ..theme import CLASS_COLORS, CLASS_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import StudyResults

__all__ = ["CLASS_COLORS", "CLASS_LABELS", "FIGURES", "FigureOutput", "FigureSpec", "render_figures",
           "section_figures"]


def _symbol(name: str) -> str:
    return by_name(name).symbol


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _level(p: float) -> str:
    return f"P = {p:g} {by_name('polymer_wt_pct').unit}"


# --------------------------------------------------------------------------- registry

@dataclass(frozen=True)
class FigureOutput:
    """One rendered figure for the report.

    Attributes
    ----------
    key : str
    svg : str
        Inline SVG markup starting with ``<svg`` (no XML declaration or DOCTYPE);
        ids are salted with the key so figures can share one page.
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
    """How to draw and describe one figure of the registry, what it reads and where it is shown.

    Parameters
    ----------
    key : str
        The figure's name (file name of its SVG, CSS class, key of the drawn figures).
    draw : callable
        ``draw(results)``: a :mod:`ssereport.plots` function (it returns an Axes or a Figure).
    alt, caption : callable
        ``alt(results) -> str``, ``caption(results) -> str``: what it shows with its key numbers, and one
        sentence naming the units.
    title : str
        The SVG's ``<title>``.
    needs : frozenset of str
        The :class:`~ssereport.pipeline.StudyResults` fields that ``draw``, ``alt`` and ``caption`` read
        (``"suggestions"``: ``StudyResults.suggestions``). The figure process draws the figure as soon
        as the pipeline has handed over these fields.
    section : str
        The id of the study section that shows the figure.
    """

    key: str
    draw: Callable[[StudyResults], Any]
    alt: Callable[[StudyResults], str]
    caption: Callable[[StudyResults], str]
    title: str = ""
    needs: frozenset[str] = frozenset()
    section: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", frozenset(self.needs))
        if not self.section:
            raise ValueError(f"figure {self.key!r}: section is empty; expected the id of the section showing it")


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
    arrows = "; ".join(f"{_symbol(f)} ({fmt_fixed(load.loc[f].iloc[0], 2)}, {fmt_fixed(load.loc[f].iloc[1], 2)})" for f in r.pca.features)
    return (f"Correlation circle of the {len(r.pca.features)} PCA variables on PC1 ({_pct(r.pca.explained_variance_ratio[0])}) "
            f"and PC2 ({_pct(r.pca.explained_variance_ratio[1])}); arrow tips (correlation with PC1, PC2): {arrows}.")


def _alt_scatter(r: StudyResults) -> str:
    n = len(r.clusters.labels)
    shown = min(n, MAX_POINTS)
    cent = "; ".join(f"class {i + 1} centroid at ({fmt_fixed(c[0], 2)}, {fmt_fixed(c[1], 2)})" for i, c in enumerate(r.clusters.centroids))
    sample = f" (a random sample of {shown} shown)" if shown < n else ""
    return (f"Scatter of {n} films{sample} on PC1 ({_pct(r.pca.explained_variance_ratio[0])}) and PC2 "
            f"({_pct(r.pca.explained_variance_ratio[1])}) coloured by class ({_classes_text(r.clusters.counts)}); "
            f"{cent}.")


def _median_text(r: StudyResults, var: str) -> str:
    s = r.class_summary
    rows = s[s["variable"] == var].sort_values("class")
    return ", ".join(f"class {int(c)} {fmt_num(m)}" for c, m in zip(rows["class"], rows["median"]))


def _alt_box(r: StudyResults) -> str:
    return (f"Box plots of ionic conductivity σ (S/cm) and relative deviation RD by class, films as points "
            f"({_classes_text(r.clusters.counts)}). Median σ: {_median_text(r, 'conductivity_s_cm')} S/cm; "
            f"median RD: {_median_text(r, 'rd')}.")


def _alt_maps(var: str):
    def alt(r: StudyResults) -> str:
        v = np.asarray(r.maps.values[var], dtype=float)
        col = by_name(var)
        per = "; ".join(
            f"{_level(p)}: {fmt_num(np.nanmin(v[i]))} to {fmt_num(np.nanmax(v[i]))} {col.unit}"
            if np.isfinite(v[i]).any() else f"{_level(p)}: no surface (too few conditions)"
            for i, p in enumerate(r.maps.polymer_levels))
        name = col.label.lower() + (f" ({col.symbol})" if col.symbol.lower() != col.label.lower() else "")
        return (f"Colour maps with contour lines of {name} over L:S (µL/mg) and "
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
            f"lowest {fmt_num(np.nanmin(z))} µm at L:S {fmt_fixed(m.ls[i[1]], 2)} µL/mg, X:B {fmt_fixed(m.xb[i[0]], 0)} vol%; "
            f"highest {fmt_num(np.nanmax(z))} µm at L:S {fmt_fixed(m.ls[j[1]], 2)} µL/mg, X:B {fmt_fixed(m.xb[j[0]], 0)} vol%.")


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
            f"(macro F1 {fmt_fixed(k.test_f1_macro, 3)}). {rows}.")


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


def _draw_decision(r: StudyResults, **style: Any) -> Any:
    """The paper's decision maps with the recommended points (``r.suggestions``) marked on their panels."""
    from ..plots.suggest import suggestion_maps

    return suggestion_maps(r, r.suggestions, **style)


def _alt_decision_suggested(r: StudyResults) -> str:
    t = r.suggestions.table
    what = "recommended operating points" if r.suggestions.goal == "window" else "suggested next experiments"
    return (_alt_decision(r) + f" Marked: the {len(t)} {what}, numbered in order: "
            + "; ".join(f"{i}: P {fmt_num(row.polymer_wt_pct, trim=True)} wt%, L:S {row.ls_ratio:.2f} µL/mg, "
                        f"X:B {fmt_num(row.xylene_vol_pct, trim=True)} vol%"
                        for i, row in enumerate(t.itertuples(index=False), 1)) + ".")


#: The study report's figures, in the order their sections show them (see the module docstring).
FIGURES: dict[str, FigureSpec] = {s.key: s for s in (
    FigureSpec("scree", plots.scree, _alt_scree,
               lambda r: f"Explained variance (%) of each principal component and its cumulative share; "
                         f"the first {r.pca.n_components_used} components, which explain "
                         f"{_pct(r.pca.cumulative[r.pca.n_components_used - 1])} (threshold "
                         f"{r.pca.variance_threshold * 100:g} %), are used for the classes (dark bars; light bars: "
                         f"components not used).",
               title="Scree plot",
               needs=frozenset({"pca"}), section="pca"),
    FigureSpec("correlation_circle", plots.correlation_circle, _alt_circle,
               lambda r: "Correlation circle (cf. paper Fig. 2a): correlation (dimensionless, −1 to 1) of each "
                         "standardised film variable with PC1 and PC2.",
               title="Correlation circle",
               needs=frozenset({"pca"}), section="pca"),
    FigureSpec("pc_scatter", plots.pc_map, _alt_scatter,
               lambda r: "Films on the first two principal components (dimensionless scores), coloured by the "
                         "K-means class, class centroids as diamonds (cf. paper Fig. 2b).",
               title="Films on PC1 and PC2 by class",
               needs=frozenset({"pca", "clusters", "config"}), section="classes"),
    FigureSpec("boxplots", plots.class_boxplots, _alt_box,
               lambda r: "Ionic conductivity σ (S/cm) and relative thickness deviation RD (dimensionless) by "
                         "class, boxes from quartiles with whiskers to 1.5 IQR (cf. paper Fig. 2c,d).",
               title="σ and RD by class",
               needs=frozenset({"table", "clusters", "class_summary", "config"}), section="classes"),
    FigureSpec("process_maps_thickness", plots.thickness_maps,
               _alt_maps("thickness_um"),
               lambda r: f"Film thickness (µm) interpolated over L:S (µL/mg) and X:B (vol%) at P = "
                         f"{_level_list(r.maps.polymer_levels)} (cf. paper Movie S1).",
               title="Process maps of film thickness",
               needs=frozenset({"maps", "table", "config"}), section="maps"),
    FigureSpec("process_maps_dot", plots.dot_maps,
               _alt_maps("dot_um"),
               lambda r: f"Deviation of thickness DoT (µm) interpolated over L:S (µL/mg) and X:B (vol%) at P = "
                         f"{_level_list(r.maps.polymer_levels)} (cf. paper Movie S2).",
               title="Process maps of the deviation of thickness",
               needs=frozenset({"maps", "table", "config"}), section="maps"),
    FigureSpec("process_maps_sigma", plots.conductivity_maps,
               _alt_maps("conductivity_s_cm"),
               lambda r: f"Ionic conductivity σ (S/cm) interpolated over L:S (µL/mg) and X:B (vol%) at P = "
                         f"{_level_list(r.maps.polymer_levels)} (cf. paper Movie S3).",
               title="Process maps of ionic conductivity",
               needs=frozenset({"maps", "table", "config"}), section="maps"),
    FigureSpec("dot_mean", plots.dot_mean_map, _alt_dot_mean,
               lambda r: f"Deviation of thickness DoT (µm) averaged over P = {_level_list(r.maps.polymer_levels)}, "
                         f"over L:S (µL/mg) and X:B (vol%) (cf. paper Fig. 3).",
               title="Mean deviation of thickness over L:S and X:B",
               needs=frozenset({"maps", "config"}), section="maps"),
    FigureSpec("oversampling", plots.oversampling, _alt_oversampling,
               lambda r: "Number of training films per class before and after random oversampling of the "
                         "minority classes (cf. paper Fig. S6).",
               title="Training films before and after oversampling",
               needs=frozenset({"classifier"}), section="classifier"),
    FigureSpec("confusion", plots.confusion_matrix, _alt_confusion,
               lambda r: "Confusion matrix of the linear SVM on the held-out test films (counts of films; rows "
                         "actual class, columns predicted class).",
               title="Confusion matrix of the SVM",
               needs=frozenset({"classifier"}), section="classifier"),
    # the next experiments are marked here rather than on a second copy of these maps (section "Next
    # experiments" lists them): one figure for the reader, and 8 panels drawn once (0.5 s)
    FigureSpec("decision_maps", _draw_decision, _alt_decision_suggested,
               lambda r: "Quality class predicted by the linear SVM over L:S (µL/mg) and X:B (vol%) for each "
                         "polymer content P (wt%), observed levels with their films (cf. paper Fig. 4); numbered "
                         "circles: the recommended operating points listed in the section \"Next experiments\".",
               title="Decision maps of the SVM, with the recommended operating points",
               needs=frozenset({"decision_map", "classifier", "table", "clusters", "config", "suggestions"}),
               section="classifier"),
)}


def section_figures(section: str) -> list[FigureSpec]:
    """The figures the section ``section`` shows, in registry order.

    Examples
    --------
    >>> [f.key for f in section_figures("pca")]
    ['scree', 'correlation_circle']
    """
    return [spec for spec in FIGURES.values() if spec.section == section]


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
    sampling, fixed ``svg.hashsalt`` salted with the key, no date). The SVG's
    ``<title>`` is the figure's name and its ``<desc>`` the alt text.
    """
    keys = list(FIGURES) if keys is None else list(keys)
    unknown = [k for k in keys if k not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure key(s) {unknown}; expected any of {list(FIGURES)}")
    out: dict[str, FigureOutput] = {}
    for key in keys:
        spec = FIGURES[key]
        alt = spec.alt(results)
        drawn = spec.draw(results)
        svg = to_svg(getattr(drawn, "figure", drawn), key=key, title=spec.title or key, desc=alt)
        out[key] = FigureOutput(key=key, svg=svg, alt=alt, caption=spec.caption(results))
    return out
