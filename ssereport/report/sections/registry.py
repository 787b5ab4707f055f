"""The section registry of the study report: one function per section, in order, with its title.

Modelled on great_tables' ``GT._render_as_html``, which assembles the document
from one ``create_*_component_h`` function per part: here
:func:`ssereport.report.context.build_context` calls each registered section's
function on the results and the HTML (``report.html.j2``), Typst
(``report.typ``) and Quarto (``report.qmd``) templates loop over the registry's
order, so section numbers and the table of contents come from one place.

Adding a section is one function, one HTML partial and one Typst partial::

    from ssereport.report.sections import STUDY_SECTIONS, Section

    def outliers(inp):                      # SectionInput -> plain dict
        return {"intro": ["..."], "result": "..."}

    STUDY_SECTIONS.register(Section("outliers", "Outliers", outliers), before="methods")

with ``templates/sections/_outliers.html.j2`` and ``templates/sections/outliers.typ``
(a Typst function ``render(sec, s)``), or the paths given as ``html=`` and
``typst=``. Quarto shows an unknown section generically (intro, result
sentences, tables, figures).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ...pipeline import StudyResults

__all__ = ["Section", "SectionInput", "SectionRegistry"]


@dataclass(frozen=True, eq=False)
class SectionInput:
    """What every section function receives: the results, their plain dict and the drawn figures.

    Attributes
    ----------
    results : StudyResults
        From :func:`ssereport.analyze`.
    figures : mapping of str to FigureOutput
        From :func:`ssereport.figures.render_figures` (may be empty: a missing
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


@dataclass(frozen=True)
class Section:
    """One section of the study report.

    Parameters
    ----------
    id : str
        Anchor and context key (``[a-z][a-z0-9_]*``).
    title : str
        Heading and table-of-contents entry; the number comes from the order.
    build : callable
        ``build(SectionInput) -> dict``: the plain values the partials display.
    html : str or Path, optional
        Jinja partial: a template name under ``ssereport/templates`` (default
        ``sections/_<id>.html.j2``) or a file path.
    typst : str or Path, optional
        Typst partial defining ``render(sec, s)``: a template name (default
        ``sections/<id>.typ``) or a file path.
    """

    id: str
    title: str
    build: Callable[[SectionInput], dict[str, Any]] = field(repr=False)
    html: str | Path | None = None
    typst: str | Path | None = None

    def __post_init__(self) -> None:
        import re

        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(self.id)):
            raise ValueError(f"section id: got {self.id!r}, expected lower-case letters, digits and '_', "
                             "starting with a letter")
        if not callable(self.build):
            raise TypeError(f"section {self.id!r}: build must be callable, got {type(self.build).__name__}")

    @property
    def html_template(self) -> str | Path:
        return self.html if self.html is not None else f"sections/_{self.id}.html.j2"

    @property
    def typst_template(self) -> str | Path:
        return self.typst if self.typst is not None else f"sections/{self.id}.typ"


class SectionRegistry:
    """The ordered sections of a report; iterate it for ``Section`` objects.

    The order is fixed where the registry is created
    (:data:`ssereport.report.sections.STUDY_SECTIONS`); :meth:`register` adds
    a section (a plug-in, or a test's dummy), :meth:`added` does so for the
    duration of a ``with`` block.
    """

    def __init__(self, sections: tuple[Section, ...] = ()) -> None:
        self._sections: tuple[Section, ...] = ()
        self._lock = threading.Lock()
        for s in sections:
            self.register(s)

    def __iter__(self) -> Iterator[Section]:
        return iter(self._sections)

    def __len__(self) -> int:
        return len(self._sections)

    def __getitem__(self, section_id: str) -> Section:
        for s in self._sections:
            if s.id == section_id:
                return s
        raise KeyError(f"no section {section_id!r}; expected one of {self.ids()}")

    def __repr__(self) -> str:
        return f"SectionRegistry({', '.join(self.ids())})"

    def ids(self) -> list[str]:
        return [s.id for s in self._sections]

    def register(self, section: Section, *, before: str | None = None) -> Section:
        """Add ``section`` at the end, or just before the section ``before``.

        Raises
        ------
        ValueError
            If a section with the same id is registered, or ``before`` is unknown.
        """
        with self._lock:
            ids = self.ids()
            if section.id in ids:
                raise ValueError(f"section {section.id!r} is registered already; expected a new id")
            if before is None:
                self._sections = (*self._sections, section)
            elif before not in ids:
                raise ValueError(f"before: got {before!r}, expected one of {ids}")
            else:
                i = ids.index(before)
                self._sections = (*self._sections[:i], section, *self._sections[i:])
        return section

    def unregister(self, section_id: str) -> Section:
        """Remove and return the section ``section_id``."""
        with self._lock:
            section = self[section_id]
            self._sections = tuple(s for s in self._sections if s.id != section_id)
        return section

    @contextlib.contextmanager
    def added(self, section: Section, *, before: str | None = None) -> Iterator[Section]:
        """Register ``section`` inside a ``with`` block only."""
        self.register(section, before=before)
        try:
            yield section
        finally:
            self.unregister(section.id)

    def toc(self) -> list[dict[str, Any]]:
        """``[{"id", "number", "title"}]``: numbers from the order, starting at 1."""
        return [{"id": s.id, "number": i, "title": s.title} for i, s in enumerate(self._sections, start=1)]
