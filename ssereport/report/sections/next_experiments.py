"""Section "Next experiments": the recommended operating window (issue 21), for every document that shows it.

One builder, :func:`next_experiments_content`, turns a
:class:`~ssereport.analysis.suggest.Suggestions` into a typed, frozen
:class:`NextExperiments` (strings, a :class:`~ssereport.report.vocab.Table`
and :class:`~ssereport.report.vocab.Figure` objects), displayed by one HTML
partial (``templates/sections/_next_experiments.html.j2``) and one Typst
partial (``templates/sections/next_experiments.typ``), in the study report
(:data:`ssereport.report.sections.STUDY_SECTIONS`, the points marked on the
classifier section's decision maps) and in the ``ssereport suggest --out``
document (:data:`ssereport.report.suggest.SUGGEST_SECTIONS`, with its own
figure). This module imports neither the renderers nor the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...format import fmt_num
from ...schema import by_name
from ..vocab import Figure, Table, shown
from .registry import SectionInput

if TYPE_CHECKING:  # pragma: no cover
    from ...analysis.suggest import Suggestions

__all__ = ["NextExperiments", "next_experiments", "next_experiments_content", "recommended_window"]


@dataclass(frozen=True, eq=False)
class NextExperiments:
    """What the "Next experiments" partials display.

    Attributes
    ----------
    intro : tuple of str
        Paragraphs before the table.
    table : Table
        One row per point, in the order of the stated criterion.
    figures : tuple of Figure
        The points on the decision maps (empty in the study report, whose classifier section marks them).
    result : str
        The method, below the table.
    """

    intro: tuple[str, ...]
    table: Table = shown()
    figures: tuple[Figure, ...] = shown()
    result: str = shown()


def _head(name: str) -> str:
    return by_name(name).axis_label


def _point(r: Any) -> str:
    return (f"P {fmt_num(r.polymer_wt_pct, trim=True)} wt%, L:S {r.ls_ratio:.2f} µL/mg, "
            f"X:B {fmt_num(r.xylene_vol_pct, trim=True)} vol%")


def _evidence(films: list[dict[str, Any]]) -> str:
    return "; ".join(f"{f['sample_id']} ({f['class']}, {f['distance']:.2f})" for f in films)


def next_experiments_content(suggestions: Suggestions, *, figures: tuple[Figure, ...] = (),
                             marked: bool = False) -> NextExperiments:
    """The section's content for ``suggestions`` (goal ``"window"`` or ``"map"``).

    Parameters
    ----------
    suggestions : Suggestions
        From :func:`ssereport.analysis.suggest.next_experiments`.
    figures : tuple of Figure
        Shown after the table.
    marked : bool
        Say that the points are marked on the decision maps of the classifier section (the study report).
    """
    t = suggestions.table
    if suggestions.goal == "window":
        rows = [[str(i), fmt_num(r.polymer_wt_pct, trim=True), f"{r.ls_ratio:.2f}",
                 fmt_num(r.xylene_vol_pct, trim=True), f"{r.p_class1:.2f}", f"{r.boundary_distance:.3f}",
                 f"{r.edge_distance:.3f}", _evidence(r.nearest_films)]
                for i, r in enumerate(t.itertuples(index=False), 1)]
        intro = [f"{len(t)} recommended operating point{'s' if len(t) != 1 else ''}: conditions inside the region "
                 "the classifier predicts to give class 1 films, as far as possible from its boundaries and from "
                 "the edges of the studied ranges, so that the scatter of a real cast stays inside it. Rows in "
                 "decreasing distance to the nearer of the two (in range units: each condition scaled to 0–1 over "
                 f"its studied range); no two points closer than {suggestions.min_distance:g}."]
        if marked:
            intro.append("They are marked on the decision maps of the classifier section (numbered circles).")
        table = Table(headers=("#", _head("polymer_wt_pct"), _head("ls_ratio"), _head("xylene_vol_pct"),
                               "p_class1", "To boundary (r.u.)", "To range edge (r.u.)",
                               "Nearest cast films (class, r.u.)"),
                      rows=rows, caption="Recommended operating window", numeric=(True,) * 7 + (False,),
                      note="p_class1: the share of the study's repeated cross-validation SVMs (the committee) "
                           "predicting class 1 at the point; not a calibrated probability. To boundary: distance "
                           "to the boundary of the predicted class-1 region. r.u.: range units, each condition "
                           "scaled to 0–1 over its studied range.")
        return NextExperiments(intro=tuple(intro), table=table, figures=tuple(figures),
                               result="Method: " + suggestions.method)
    rows = [[str(i), fmt_num(r.polymer_wt_pct, trim=True), f"{r.ls_ratio:.2f}", fmt_num(r.xylene_vol_pct, trim=True),
             str(int(r.predicted_class)), f"{r.uncertainty:.2f}", r.reason]
            for i, r in enumerate(t.itertuples(index=False), 1)]
    n_b = int((t["kind"] == "boundary").sum())
    intro = [f"{len(t)} conditions to learn the class map: {n_b} nearest the classifier's class-1 boundary "
             f"first, then {len(t) - n_b} in the least explored parts of the ranges. In the project's benchmark "
             "they do not teach the map more than random films (benchmarks/suggest.md)."]
    table = Table(headers=("#", _head("polymer_wt_pct"), _head("ls_ratio"), _head("xylene_vol_pct"),
                           "Predicted class", "Uncertainty", "Why"), rows=rows, caption="Suggested conditions",
                  numeric=(True,) * 6 + (False,),
                  note="Uncertainty: 1 − the largest share of the committee's votes (0: all fold models agree).")
    return NextExperiments(intro=tuple(intro), table=table, figures=tuple(figures),
                           result="Method: " + suggestions.method)


def recommended_window(suggestions: Suggestions) -> str:
    """One line for the study summary: the window and its first point (empty for another goal or no point)."""
    t = suggestions.table
    if suggestions.goal != "window" or len(t) == 0:
        return ""
    r = next(t.itertuples(index=False))
    return (f"Recommended operating window: {len(t)} point{'s' if len(t) != 1 else ''} inside the predicted "
            f"class-1 region, at least {t['boundary_distance'].min():.2f} range units from its boundaries; "
            f"first: {_point(r)} ({r.p_class1:.0%} of the committee predict class 1, {r.boundary_distance:.2f} "
            "range units from the nearest boundary; see Next experiments).")


def next_experiments(inp: SectionInput) -> NextExperiments:
    """The recommended operating window of the study (``StudyResults.suggestions``), marked on the decision maps."""
    return next_experiments_content(inp.results.suggestions, marked=True)
