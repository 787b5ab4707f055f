"""The section registry of the study report: one function per section, in order, with its title.

Modelled on great_tables' ``GT._render_as_html``, which assembles the document
from one ``create_*_component_h`` function per part: here
:func:`ssereport.report.context.build_context` calls each registered section's
function on the results and the HTML (``report.html.j2``), Typst
(``report.typ``) and Quarto (``report.qmd``) templates loop over the registry's
order, so section numbers and the table of contents come from one place.

Adding a section is one function, one HTML partial, one Typst partial and one test::

    from dataclasses import dataclass
    from ssereport.report.sections import STUDY_SECTIONS, Section
    from ssereport.report.vocab import Table, shown

    @dataclass(frozen=True, eq=False)
    class Outliers:                         # what the partials display: formatted strings, Tables, Figures
        intro: tuple[str, ...]
        result: str = shown(role="result")
        films: Table = shown(title="Outlying films")

    def outliers(inp):                      # SectionInput -> Outliers
        return Outliers(intro=("...",), result="...", films=Table(["Sample ID"], [["F12"]]))

    STUDY_SECTIONS.register(Section("outliers", "Outliers", outliers), before="methods")

with ``templates/sections/_outliers.html.j2`` and ``templates/sections/outliers.typ``
(a Typst function ``render(sec, s)``), or the paths given as ``html=`` and
``typst=``. The Quarto document shows every section through one generic walk
(:mod:`ssereport.report.markdown`). A section's figures come from the figure
registry (:data:`ssereport.report.figures.FIGURES`, each entry naming its
section): :func:`~ssereport.report.sections.common.section_figures`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..vocab import Section, SectionRegistry

if TYPE_CHECKING:  # pragma: no cover
    from ...pipeline import StudyResults

__all__ = ["Section", "SectionInput", "SectionRegistry"]  # Section, SectionRegistry: ssereport.report.vocab


@dataclass(frozen=True, eq=False)
class SectionInput:
    """What every section function receives: the results, their JSON-shaped dict and the drawn figures.

    Attributes
    ----------
    results : StudyResults
        From :func:`ssereport.analyze`.
    figures : mapping of str to FigureOutput
        From :func:`ssereport.report.figures.render_figures` (may be empty: a missing
        figure is shown as a note).
    created : str
        The analysis date (ISO 8601), shared by every section.
    d : dict
        ``results.to_dict()``, computed once for all sections (default: computed here).
    """

    results: StudyResults
    figures: Mapping[str, Any]
    created: str
    d: dict[str, Any] = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.d is None:
            object.__setattr__(self, "d", self.results.to_dict())

    @property
    def config(self) -> Any:
        """The :class:`ssereport.Config` the results were computed with."""
        return self.results.config
